"""What the documents for the subject share: the web page, the long date, the authority."""

from __future__ import annotations

import html
from datetime import date

from activities import letters_en, letters_nl

__all__ = ["COMPLAINT_URL", "long_date", "page"]

# The supervisory authority a subject can complain to (Art. 77 GDPR).
COMPLAINT_URL = "https://autoriteitpersoonsgegevens.nl"
MONTHS = {"en": letters_en.MONTHS, "nl": letters_nl.MONTHS}


def page(lang: str, title: str, body_html: str, *, width: str = "40rem", css: str = "") -> str:
    """A standalone page around `body_html`, which is already HTML; `lang` and `title` are text."""
    e = html.escape
    style = _BODY_STYLE.format(width=width) + (f"\n{css}" if css else "")
    return _PAGE.format(lang=e(lang), title=e(title), style=style, body=body_html)


def long_date(day: date, lang: str) -> str:
    """The date as words, "14 March 2025" or "14 maart 2025"; a datetime gives its day."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


_BODY_STYLE = """body {{ font-family: system-ui, sans-serif; line-height: 1.5; color: #222;
       max-width: {width}; margin: 2rem auto; padding: 0 1rem; }}"""

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{style}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
