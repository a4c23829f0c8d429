"""The emails dsr sends the subject, in English or Dutch, as plain text and a web page."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass
from datetime import date

from activities import notices_en, notices_nl
from activities.pages import COMPLAINT_URL, long_date, page

__all__ = [
    "COMPLAINT_URL",
    "Notice",
    "archive_ready",
    "erasure_done",
    "extension",
    "portability_ready",
    "refusal",
    "rejected_unverified",
    "right_done",
    "verification_code",
]

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


def archive_ready(
    language: str,
    request_id: str,
    link: str,
    expires_on: date,
    *,
    controller_name: str = "",
    contact: str = "",
) -> Notice:
    """Access: the archive is behind an expiring link, the cover letter inside."""
    return _archive_notice("archive_ready", language, request_id, link, expires_on,
                           controller_name, contact)  # fmt: skip


def _archive_notice(
    name: str,
    language: str,
    request_id: str,
    link: str,
    expires_on: date,
    controller_name: str,
    contact: str,
) -> Notice:
    lang = _language(language)
    values = {"ref": request_id, "link": _checked_link(link),
              "expires": long_date(expires_on, lang)}  # fmt: skip
    return _compose(lang, name, values, controller_name, contact)


def portability_ready(
    language: str,
    request_id: str,
    link: str,
    expires_on: date,
    *,
    controller_name: str = "",
    contact: str = "",
) -> Notice:
    """Portability: the Art. 20 subset, machine-readable, behind an expiring link."""
    return _archive_notice("portability_ready", language, request_id, link, expires_on,
                           controller_name, contact)  # fmt: skip


RIGHTS_DONE = ("rectification", "restriction", "objection", "objection_other")


def right_done(
    language: str,
    request_id: str,
    kind: str,
    link: str,
    *,
    controller_name: str = "",
    contact: str = "",
) -> Notice:
    """Rectification, restriction or objection: done, recipients told, the proof linked."""
    if kind not in RIGHTS_DONE:
        raise ValueError(f"No completion notice for a {kind} request.")
    values = {"ref": request_id, "link": _checked_link(link)}
    return _compose(_language(language), f"{kind}_done", values, controller_name, contact)


def erasure_done(
    language: str, request_id: str, link: str, *, controller_name: str = "", contact: str = ""
) -> Notice:
    """Erasure: the proof, with what was kept and why, is behind the link."""
    values = {"ref": request_id, "link": _checked_link(link)}
    return _compose(_language(language), "erasure_done", values, controller_name, contact)


def extension(
    language: str,
    request_id: str,
    received_on: date,
    new_due_on: date,
    reason: str,
    *,
    controller_name: str = "",
    contact: str = "",
) -> Notice:
    """Art. 12(3): up to two further months, with the reason, the new date and the remedies."""
    lang = _language(language)
    values = {
        "ref": request_id,
        "received": long_date(received_on, lang),
        "new_due": long_date(new_due_on, lang),
        "reason": _checked_reason(reason),
    }
    return _compose(lang, "extension", values, controller_name, contact)


def refusal(
    language: str, request_id: str, reason: str, *, controller_name: str = "", contact: str = ""
) -> Notice:
    """Art. 12(4)-(5): no action on the request, why, and the complaint and court remedies."""
    values = {"ref": request_id, "reason": _checked_reason(reason)}
    return _compose(_language(language), "refusal", values, controller_name, contact)


def rejected_unverified(
    language: str,
    request_id: str,
    asked_on: date,
    *,
    controller_name: str = "",
    contact: str = "",
) -> Notice:
    """The request was closed because the identity was not confirmed in time; how to retry."""
    lang = _language(language)
    values = {"ref": request_id, "asked": long_date(asked_on, lang)}
    return _compose(lang, "rejected_unverified", values, controller_name, contact)


def verification_code(
    language: str, code: str, valid_minutes: int, *, controller_name: str = "", contact: str = ""
) -> Notice:
    """A one-time code that confirms the identity; the message holds nothing else."""
    lang = _language(language)
    unit = "minutes_one" if valid_minutes == 1 else "minutes_many"
    values = {"code": code, "minutes": COMMON[lang][unit].format(n=valid_minutes)}
    return _compose(lang, "verification_code", values, controller_name, contact)


def _compose(
    lang: str, name: str, values: dict[str, str], controller_name: str, contact: str
) -> Notice:
    """Greeting, the notice's paragraphs, closing and signature, in text and HTML."""
    common = COMMON[lang]
    values = values | {
        "controller": controller_name or common["controller"],
        "contact": contact or common["contact"],
    }
    paragraphs = (common["greeting"], *BODIES[lang][name], common["closing"], common["signature"])
    blocks = tuple(_block(paragraph, values) for paragraph in paragraphs)
    subject = SUBJECTS[lang][name].format(**values)
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


def _checked_link(link: str) -> str:
    if not link.startswith(("https://", "http://")):
        raise ValueError("A notice link must be an http(s) address.")
    return link


def _checked_reason(reason: str) -> str:
    if not reason.strip():
        raise ValueError("An extension or refusal must state its reason (Art. 12(3)-(4) GDPR).")
    return reason.strip()


def _wrap(line: str) -> str:
    return textwrap.fill(line, 78, break_on_hyphens=False, break_long_words=False)
