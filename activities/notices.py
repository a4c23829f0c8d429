"""The emails dsr sends the subject, in English or Dutch, as plain text and a web page."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from activities import notices_en, notices_nl
from activities.pages import COMPLAINT_URL, long_date, page

__all__ = ["COMPLAINT_URL", "NOTICES", "Notice", "Value", "compose"]

COMMON = {"en": notices_en.COMMON, "nl": notices_nl.COMMON}
SUBJECTS = {"en": notices_en.SUBJECTS, "nl": notices_nl.SUBJECTS}
BODIES = {"en": notices_en.BODIES, "nl": notices_nl.BODIES}


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class _Link:
    url: str


@dataclass(frozen=True)
class _Code:
    value: str


_Block = str | _Link | _Code
Value = str | int | date
Wording = Callable[[Value, str], str]  # a value and the language -> the words in the notice
T = TypeVar("T")


def _typed(value: Value, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise TypeError(f"A notice value should be a {kind.__name__}, not {value!r}.")
    return value


def _plain(value: Value, lang: str) -> str:
    return _typed(value, str)


def _link(value: Value, lang: str) -> str:
    link = _typed(value, str)
    if not link.startswith(("https://", "http://")):
        raise ValueError("A notice link must be an http(s) address.")
    return link


def _day(value: Value, lang: str) -> str:
    return long_date(_typed(value, date), lang)


def _reason(value: Value, lang: str) -> str:
    reason = _typed(value, str)
    if not reason.strip():
        raise ValueError("An extension or refusal must state its reason (Art. 12(3)-(4) GDPR).")
    return reason.strip()


def _counted(unit: str) -> Wording:
    """A number with its unit, in COMMON as "<unit>_one" and "<unit>_many"."""

    def words(value: Value, lang: str) -> str:
        n = _typed(value, int)
        return COMMON[lang][f"{unit}_one" if n == 1 else f"{unit}_many"].format(n=n)

    return words


_PROOF: dict[str, Wording] = {"ref": _plain, "link": _link}
_DOWNLOAD: dict[str, Wording] = {"ref": _plain, "link": _link, "expires": _day}

# Per notice, the values it takes and how each is worded; the words are in notices_en/_nl.
NOTICES: dict[str, dict[str, Wording]] = {
    "archive_ready": _DOWNLOAD,  # access: the archive, its cover letter inside
    "portability_ready": _DOWNLOAD,  # the Art. 20 subset, machine-readable
    "erasure_done": _PROOF,  # the proof, with what was kept and why
    "rectification_done": _PROOF,
    "restriction_done": _PROOF,
    "objection_done": _PROOF,
    "objection_other_done": _PROOF,  # an upheld objection to processing other than marketing
    "extension": {"ref": _plain, "received": _day, "new_due": _day, "reason": _reason},
    "refusal": {"ref": _plain, "reason": _reason},  # Art. 12(4): why, and the remedies
    "rejected_unverified": {"ref": _plain, "asked": _day},  # identity not confirmed in time
    "verification_code": {"code": _plain, "minutes": _counted("minutes")},  # nothing else
}


def compose(
    name: str,
    language: str,
    *,
    controller_name: str = "",
    contact: str = "",
    recipient: str = "",
    **values: Value,
) -> Notice:
    """The notice `name` in the subject's language; NOTICES says which values it takes.

    Greeting (by the subject's name when `recipient` gives it), the notice's paragraphs,
    closing and signature, as text and as a web page.
    A link must be http(s) and a reason not empty, or ValueError.
    """
    wording = NOTICES.get(name)
    if wording is None:
        raise ValueError(f"There is no notice named {name!r}.")
    if set(values) != set(wording):
        given = ", ".join(sorted(values)) or "nothing"
        raise TypeError(f"The {name} notice takes {', '.join(wording)}; it was given {given}.")
    lang = _language(language)
    common = COMMON[lang]
    words = {key: put(values[key], lang) for key, put in wording.items()} | {
        "controller": controller_name or common["controller"],
        "contact": contact or common["contact"],
        "recipient": " ".join(recipient.split()),
    }
    greeting = common["greeting_named" if words["recipient"] else "greeting"]
    paragraphs = (greeting, *BODIES[lang][name], common["closing"], common["signature"])
    blocks = tuple(_block(paragraph, words) for paragraph in paragraphs)
    subject = SUBJECTS[lang][name].format(**words)
    return Notice(subject, _text(blocks), _html(lang, subject, blocks))


def _block(paragraph: str, values: dict[str, str]) -> _Block:
    if paragraph == "{link}":
        return _Link(values["link"])
    if paragraph == "{authority}":
        return _Link(COMPLAINT_URL)
    if paragraph == "{code}":
        return _Code(values["code"])
    return paragraph.format(**values)


def _text(blocks: tuple[_Block, ...]) -> str:
    """Paragraphs wrapped at 78 columns; links and the code on a line of their own."""
    parts = []
    for block in blocks:
        if isinstance(block, _Link):
            parts.append(f"  {block.url}")
        elif isinstance(block, _Code):
            parts.append(f"  {block.value}")
        else:
            parts.append("\n".join(_wrap(line) for line in block.split("\n")))
    return "\n\n".join(parts) + "\n"


def _html(lang: str, subject: str, blocks: tuple[_Block, ...]) -> str:
    """A standalone page; every piece of text is escaped."""
    e = html.escape
    body = []
    for block in blocks:
        if isinstance(block, _Link):
            body.append(f'<p><a href="{e(block.url)}">{e(block.url)}</a></p>')
        elif isinstance(block, _Code):
            body.append(f'<p class="code"><strong>{e(block.value)}</strong></p>')
        else:
            body.append("<p>" + "<br>\n".join(e(line) for line in block.split("\n")) + "</p>")
    return page(lang, subject, "\n".join(body), css=_CSS)


_CSS = ".code { font-size: 1.6rem; letter-spacing: 0.2em; }"


def _language(language: str) -> str:
    """ "nl", "NL" and "nl-BE" are Dutch; anything unknown is English."""
    base = language.lower().partition("-")[0]
    return base if base in BODIES else "en"


def _wrap(line: str) -> str:
    return textwrap.fill(line, 78, break_on_hyphens=False, break_long_words=False)
