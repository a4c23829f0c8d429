"""The Art. 15 cover letter of the archive (README.txt and README.html), in English or Dutch."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from activities import letters_en, letters_nl
from activities.pages import COMPLAINT_URL, long_date, page
from domain.datasets import Catalogue, Source
from domain.records import ConnectorInfo, DatasetRef, Recipient
from domain.retention import RetentionRule

__all__ = ["SECTION_TITLES", "ArchiveRequest", "cover_letter_html", "cover_letter_text"]

# Per language: the title of each Art. 15 section, so tests can check them item by item.
SECTION_TITLES: dict[str, dict[str, str]] = {"en": letters_en.TITLES, "nl": letters_nl.TITLES}
TEXTS = {"en": letters_en.TEXTS, "nl": letters_nl.TEXTS}
PURPOSES = {"en": letters_en.PURPOSES, "nl": letters_nl.PURPOSES}
CATEGORY_LABELS = {"en": letters_en.CATEGORIES, "nl": letters_nl.CATEGORIES}
RETENTION_LABELS = {"en": letters_en.RETENTION, "nl": letters_nl.RETENTION}
ROLES = {"en": letters_en.ROLES, "nl": letters_nl.ROLES}
COUNTRIES = {"en": letters_en.COUNTRIES, "nl": letters_nl.COUNTRIES}

# Data category -> purpose of processing; the order is the order of the letter.
CATEGORY_PURPOSES: dict[str, str] = {
    "identity": "contract",
    "contracts": "contract",
    "billing": "finance",
    "domains": "registration",
    "certificates": "registration",
    "network": "registration",
    "support": "support",
    "calls": "support",
    "newsletter": "marketing",
    "logs": "security",
    "other": "contract",
}


@dataclass(frozen=True)
class ArchiveRequest:
    """What the archive and its letter need to know about the request; no personal data."""

    request_id: str
    kind: str
    language: str
    received_at: datetime
    completed_at: datetime
    connectors: tuple[ConnectorInfo, ...] = ()
    retention: tuple[RetentionRule, ...] = ()
    # What each system declared about its datasets: their categories and sources.
    catalogue: Catalogue = field(default_factory=lambda: Catalogue({}))


Block = str | tuple[str, ...]  # a paragraph, or the items of a bulleted list


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]
    link: str = ""


@dataclass(frozen=True)
class Letter:
    language: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    closing: str


def cover_letter_text(request: ArchiveRequest, datasets: Sequence[DatasetRef]) -> str:
    """The letter as plain text, wrapped at 78 columns."""
    letter = compose_letter(request, datasets)
    lines = [letter.title, "=" * len(letter.title), "", _wrap(letter.intro), ""]
    for section in letter.sections:
        lines += [section.title, "-" * len(section.title), ""]
        for block in section.blocks:
            if isinstance(block, str):
                lines += [_wrap(block), ""]
            else:
                lines += [*(_wrap(item, "  - ", "    ") for item in block), ""]
        lines += [f"  {section.link}", ""] if section.link else []
    lines += [_wrap(letter.closing), ""]
    return "\n".join(lines)


def cover_letter_html(request: ArchiveRequest, datasets: Sequence[DatasetRef]) -> str:
    """The letter as a standalone web page; every piece of text is escaped."""
    letter = compose_letter(request, datasets)
    e = html.escape
    body = [f"<h1>{e(letter.title)}</h1>", f"<p>{e(letter.intro)}</p>"]
    for s in letter.sections:
        body.append(f'<section id="{e(s.key)}">\n<h2>{e(s.title)}</h2>')
        for block in s.blocks:
            if isinstance(block, str):
                body.append(f"<p>{e(block)}</p>")
            else:
                body.append("<ul>\n" + "\n".join(f"<li>{e(i)}</li>" for i in block) + "\n</ul>")
        if s.link:
            body.append(f'<p><a href="{e(s.link)}">{e(s.link)}</a></p>')
        body.append("</section>")
    body.append(f"<p>{e(letter.closing)}</p>")
    return page(letter.language, letter.title, "\n".join(body), width="44rem", css=_CSS)


_CSS = "h2 { font-size: 1.2rem; margin-top: 2rem; }"


def _wrap(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(
        text, 78, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def compose_letter(request: ArchiveRequest, datasets: Sequence[DatasetRef]) -> Letter:
    """Every Art. 15(1) item as its own section, in the request's language."""
    lang = request.language if request.language in TEXTS else "en"
    t, titles = TEXTS[lang], SECTION_TITLES[lang]
    kind = "portability" if request.kind == "portability" else "access"
    intro = t[f"intro_{kind}"].format(
        ref=request.request_id,
        received=long_date(request.received_at, lang),
        completed=long_date(request.completed_at, lang),
    )
    categories = _categories(datasets, request.catalogue)
    recipients = _recipients(request)
    sections = (
        Section("purposes", titles["purposes"], (t["purposes_lead"], _purposes(categories, lang))),
        _categories_section(categories, lang),
        _recipients_section(recipients, lang),
        _transfers_section(recipients, lang),
        _retention_section(request, lang),
        _rights_section(lang),
        Section("complaint", titles["complaint"], (t["complaint"],), link=COMPLAINT_URL),
        _source_section(request, datasets, lang),
        Section("automated", titles["automated"], (t["automated"],)),
        _files_section(datasets, lang),
    )
    return Letter(lang, t["title"], intro, sections, t["closing"])


def category_of(dataset: DatasetRef, catalogue: Catalogue) -> str:
    """The data category its system declared for the dataset; "other" if it declared none."""
    declared = catalogue.get(dataset.connector, dataset.dataset)
    return declared.category.value if declared else "other"


def _categories(datasets: Sequence[DatasetRef], catalogue: Catalogue) -> dict[str, list[str]]:
    """Category -> systems holding it, in the letter's order."""
    found: dict[str, list[str]] = {}
    for ref in datasets:
        systems = found.setdefault(category_of(ref, catalogue), [])
        if ref.connector not in systems:
            systems.append(ref.connector)
    return {c: found[c] for c in CATEGORY_PURPOSES if c in found}


def _purposes(categories: dict[str, list[str]], lang: str) -> tuple[str, ...]:
    wanted = {"contract"} | {CATEGORY_PURPOSES[c] for c in categories}
    return tuple(text for key, text in PURPOSES[lang].items() if key in wanted)


def _categories_section(categories: dict[str, list[str]], lang: str) -> Section:
    t, title = TEXTS[lang], SECTION_TITLES[lang]["categories"]
    if not categories:
        return Section("categories", title, (t["categories_none"],))
    labels = CATEGORY_LABELS[lang]
    items = tuple(f"{labels[c]}: {', '.join(s)}" for c, s in categories.items())
    return Section("categories", title, (t["categories_lead"], items))


def _recipients(request: ArchiveRequest) -> list[Recipient]:
    """Outside organisations, once each; the controller itself is not a recipient."""
    unique = dict.fromkeys(c.recipient for c in request.connectors)
    return [r for r in unique if r.role.lower() != "controller"]


def _describe(recipient: Recipient, lang: str) -> str:
    t = TEXTS[lang]
    role = _role(recipient, lang)
    country = COUNTRIES[lang].get(recipient.country.upper(), recipient.country)
    where = f"{country} ({t['outside_eu']})" if recipient.outside_eu else country
    return f"{recipient.name}: {role}, {where}"


def _recipients_section(recipients: list[Recipient], lang: str) -> Section:
    t, title = TEXTS[lang], SECTION_TITLES[lang]["recipients"]
    if not recipients:
        return Section("recipients", title, (t["recipients_none"],))
    items = tuple(_describe(r, lang) for r in recipients)
    return Section("recipients", title, (t["recipients_lead"], items))


def _transfers_section(recipients: list[Recipient], lang: str) -> Section:
    t, title = TEXTS[lang], SECTION_TITLES[lang]["transfers"]
    abroad = [r.name for r in recipients if r.outside_eu]
    text = t["transfers_some"].format(names=", ".join(abroad)) if abroad else t["transfers_none"]
    return Section("transfers", title, (text,))


def _retention_section(request: ArchiveRequest, lang: str) -> Section:
    """What is kept despite erasure, and what is deleted after a fixed period (Art. 15(1)(d))."""
    t, title = TEXTS[lang], SECTION_TITLES[lang]["retention"]
    kept = tuple(
        _rule(r, "retention_rule", lang) for r in request.retention if r.keeps_after_erasure
    )
    limited = tuple(
        _rule(r, "retention_limit", lang) for r in request.retention if not r.keeps_after_erasure
    )
    blocks: tuple[Block, ...] = ()
    if kept:
        blocks += (t["retention_lead"], kept)
    if limited:
        blocks += (t["retention_limits_lead"], limited)
    return Section("retention", title, (*blocks, t["retention_criteria"]))


def _rule(rule: RetentionRule, template: str, lang: str) -> str:
    t = TEXTS[lang]
    default = (rule.category.replace("_", " ").capitalize(), rule.basis)
    label, basis = RETENTION_LABELS[lang].get(rule.category, default)
    return t[template].format(category=label, years=_period(rule, lang), basis=basis)


def _period(rule: RetentionRule, lang: str) -> str:
    t, period = TEXTS[lang], rule.period
    unit, n = (
        ("years", period.years)
        if period.years
        else ("months", period.months)
        if period.months
        else ("days", period.days)
    )
    return t[f"{unit}_one"] if n == 1 else t[f"{unit}_many"].format(n=n)


def _rights_section(lang: str) -> Section:
    t = TEXTS[lang]
    rights = ("rectification", "erasure", "restriction", "objection", "portability", "consent")
    items = tuple(t[f"right_{r}"] for r in rights)
    return Section("rights", SECTION_TITLES[lang]["rights"], (t["rights_lead"], items))


def _source_section(request: ArchiveRequest, datasets: Sequence[DatasetRef], lang: str) -> Section:
    """Art. 15(1)(g): the systems whose datasets others may have entered, as declared."""
    t, title = TEXTS[lang], SECTION_TITLES[lang]["source"]
    by_name = {c.name: c.recipient for c in request.connectors}
    others = [
        d.connector
        for d in datasets
        if (declared := request.catalogue.get(d.connector, d.dataset))
        and declared.source is not Source.SUBJECT
    ]
    if not others:
        return Section("source", title, (t["source_you"],))
    items = tuple(_source_item(by_name.get(c), c, lang) for c in dict.fromkeys(others))
    return Section("source", title, (t["source_others"], items))


def _source_item(recipient: Recipient | None, connector: str, lang: str) -> str:
    if recipient is None:
        return TEXTS[lang]["source_item"].format(name=connector, role=connector)
    return TEXTS[lang]["source_item"].format(name=recipient.name, role=_role(recipient, lang))


def _role(recipient: Recipient, lang: str) -> str:
    return ROLES[lang].get(recipient.role.lower(), recipient.role)


def _files_section(datasets: Sequence[DatasetRef], lang: str) -> Section:
    t = TEXTS[lang]
    guide = tuple(t[k] for k in ("file_readme", "file_manifest", "file_json", "file_csv"))
    title = SECTION_TITLES[lang]["files"]
    if not datasets:
        return Section("files", title, (t["files_lead"], guide, t["datasets_none"]))
    listing = tuple(
        f"data/{d.connector}/{d.dataset} (.json, .csv): {_records(d, lang)}" for d in datasets
    )
    return Section("files", title, (t["files_lead"], guide, t["datasets_lead"], listing))


def _records(ref: DatasetRef, lang: str) -> str:
    t = TEXTS[lang]
    return t["records_one"] if ref.records == 1 else t["records_many"].format(n=ref.records)
