"""The emails to the subject: each names the request and carries what the law requires."""

from __future__ import annotations

import re
from datetime import date

import pytest

from activities import notices
from activities.notices import COMPLAINT_URL, NOTICES, Notice, compose

REF = "dsr-7f3c9a"
LINK = "https://dsr.example/download/tok.en?x=1&y=2"
REASON = "Uw verzoek raakt drie domeinregisters & twee certificaatautoriteiten."
SCRIPT = "<script>alert('x')</script>"
LANGUAGES = ("en", "nl")
RECEIVED, NEW_DUE = date(2025, 1, 31), date(2025, 4, 30)
# Per language: the words the law asks for, as each language puts them.
WORDS = {
    "en": {
        "received": "31 January 2025",
        "new_due": "30 April 2025",
        "expires": "14 March 2025",
        "asked": "2 February 2025",
        "two_months": "up to two further months",
        "article": "Article 12(3)",
        "court": "judicial remedy",
        "resubmit": "submit a new request",
        "minutes": "15 minutes",
        "minute": "1 minute",
    },
    "nl": {
        "received": "31 januari 2025",
        "new_due": "30 april 2025",
        "expires": "14 maart 2025",
        "asked": "2 februari 2025",
        "two_months": "ten hoogste twee maanden",
        "article": "Artikel 12 lid 3",
        "court": "tot de rechter wenden",
        "resubmit": "nieuw verzoek indienen",
        "minutes": "15 minuten",
        "minute": "1 minuut",
    },
}


def notices_about_a_request(lang: str, reason: str = REASON) -> dict[str, Notice]:
    """Every notice that concerns one request, in one language."""
    return {
        "archive_ready": compose(
            "archive_ready", lang, ref=REF, link=LINK, expires=date(2025, 3, 14)
        ),
        "erasure_done": compose("erasure_done", lang, ref=REF, link=LINK),
        "extension": compose(
            "extension", lang, ref=REF, received=RECEIVED, new_due=NEW_DUE, reason=reason
        ),
        "refusal": compose("refusal", lang, ref=REF, reason=reason),
        "rejected_unverified": compose(
            "rejected_unverified", lang, ref=REF, asked=date(2025, 2, 2)
        ),
    }


def all_notices(lang: str, reason: str = REASON) -> dict[str, Notice]:
    return notices_about_a_request(lang, reason) | {
        "verification_code": compose("verification_code", lang, code="4821", minutes=15)
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_notice_names_the_request(lang: str) -> None:
    for name, notice in notices_about_a_request(lang).items():
        assert REF in notice.subject, name
        assert REF in notice.text, name
        assert REF in notice.html, name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_placeholder_is_left_unfilled(lang: str) -> None:
    for name, notice in all_notices(lang).items():
        body = notice.html.split("<main>", 1)[1]
        for part in (notice.subject, notice.text, body):
            assert not re.search(r"\{\w*\}", part), name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_archive_ready_gives_the_link_and_its_expiry(lang: str) -> None:
    notice = compose("archive_ready", lang, ref=REF, link=LINK, expires=date(2025, 3, 14))

    assert f"\n  {LINK}\n" in notice.text
    assert 'href="https://dsr.example/download/tok.en?x=1&amp;y=2"' in notice.html
    assert WORDS[lang]["expires"] in notice.text
    for part in ("README.html", "manifest.json", "JSON", "CSV"):
        assert part in notice.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_erasure_done_points_to_the_proof_and_what_was_kept(lang: str) -> None:
    notice = compose("erasure_done", lang, ref=REF, link=LINK)

    assert LINK in notice.text
    kept = {"en": "what we kept, why and until when", "nl": "wat wij hebben bewaard"}
    assert kept[lang] in " ".join(notice.text.split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_extension_gives_reason_new_date_limit_and_remedies(lang: str) -> None:
    text = notices_about_a_request(lang)["extension"].text
    flat = " ".join(text.split())
    words = WORDS[lang]

    assert words["received"] in flat
    assert words["new_due"] in flat
    assert " ".join(REASON.split()) in flat
    assert words["two_months"] in flat
    assert words["article"] in flat
    assert "Autoriteit Persoonsgegevens" in flat
    assert COMPLAINT_URL in flat
    assert words["court"] in flat


@pytest.mark.parametrize("lang", LANGUAGES)
def test_refusal_gives_reason_and_remedies(lang: str) -> None:
    notice = notices_about_a_request(lang)["refusal"]
    flat = " ".join(notice.text.split())

    assert " ".join(REASON.split()) in flat
    assert "Autoriteit Persoonsgegevens" in flat
    assert f'href="{COMPLAINT_URL}"' in notice.html
    assert WORDS[lang]["court"] in flat
    assert {"en": "six weeks", "nl": "zes weken"}[lang] in flat


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rejected_unverified_says_when_asked_and_how_to_submit_again(lang: str) -> None:
    flat = " ".join(notices_about_a_request(lang)["rejected_unverified"].text.split())

    assert WORDS[lang]["asked"] in flat
    assert WORDS[lang]["resubmit"] in flat
    assert "Autoriteit Persoonsgegevens" in flat


@pytest.mark.parametrize("lang", LANGUAGES)
def test_verification_code_holds_the_code_and_its_validity_only(lang: str) -> None:
    notice = compose("verification_code", lang, code="4821", minutes=15)

    assert "\n  4821\n" in notice.text
    assert "<strong>4821</strong>" in notice.html
    assert WORDS[lang]["minutes"] in notice.text
    assert WORDS[lang]["minute"] in compose("verification_code", lang, code="4821", minutes=1).text
    assert "4821" not in notice.subject
    assert "dsr-" not in notice.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_escapes_every_piece_of_text(lang: str) -> None:
    for name, notice in notices_about_a_request(lang, reason=SCRIPT).items():
        assert "<script>" not in notice.html, name
    for name in ("extension", "refusal"):
        notice = notices_about_a_request(lang, reason=SCRIPT)[name]
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in notice.html
        assert SCRIPT in notice.text
    escaped = compose("verification_code", lang, code="<b>1</b>", minutes=5).html
    assert "&lt;b&gt;1&lt;/b&gt;" in escaped


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_is_a_standalone_page(lang: str) -> None:
    for notice in all_notices(lang).values():
        assert notice.html.startswith("<!DOCTYPE html>")
        assert f'<html lang="{lang}">' in notice.html
        assert '<meta charset="utf-8">' in notice.html
        assert notice.html.rstrip().endswith("</html>")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_lines_fit_78_columns_except_links(lang: str) -> None:
    for notice in all_notices(lang).values():
        for line in notice.text.splitlines():
            assert len(line) <= 78 or line.strip().startswith("https://"), line


def test_dutch_notices_are_dutch() -> None:
    for name, notice in all_notices("nl", reason="Zie boven.").items():
        text = notice.text.lower()
        words = set(re.findall(r"\w+", text))
        assert text.startswith("geachte heer, mevrouw,"), name
        assert "met vriendelijke groet" in text, name
        assert {"u", "wij", "het", "met"} <= words, name
        assert not words & {"the", "your", "request", "we", "you"}, name
    assert "persoonsgegevens" in all_notices("nl")["archive_ready"].subject.lower()


def test_english_notices_are_english() -> None:
    for name, notice in all_notices("en", reason="See above.").items():
        text = notice.text.lower()
        words = set(re.findall(r"\w+", text))
        assert text.startswith("dear sir or madam,"), name
        assert {"you", "we", "the"} <= words, name
        assert not words & {"uw", "wij", "verzoek", "het"}, name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_controller_and_contact_are_configurable(lang: str) -> None:
    notice = compose(
        "erasure_done", lang, ref=REF, link=LINK,
        controller_name="Hoster B.V.", contact="privacy@hoster.example",
    )  # fmt: skip

    assert "Hoster B.V." in notice.text
    assert "privacy@hoster.example" in notice.text
    default = compose("erasure_done", lang, ref=REF, link=LINK).text
    assert {"en": "the hosting company", "nl": "het hostingbedrijf"}[lang] in default


@pytest.mark.parametrize(("language", "dutch"), [("nl-NL", True), ("NL", True), ("de", False)])
def test_language_tags_fall_back_sensibly(language: str, dutch: bool) -> None:
    notice = compose("refusal", language, ref=REF, reason=REASON)

    assert notice.text.startswith("Geachte" if dutch else "Dear")


@pytest.mark.parametrize("reason", ["", "   "])
def test_extension_and_refusal_need_a_reason(reason: str) -> None:
    with pytest.raises(ValueError, match="reason"):
        compose("extension", "en", ref=REF, received=RECEIVED, new_due=NEW_DUE, reason=reason)
    with pytest.raises(ValueError, match="reason"):
        compose("refusal", "nl", ref=REF, reason=reason)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://x", "/relative"])
def test_links_must_be_web_addresses(link: str) -> None:
    with pytest.raises(ValueError, match="http"):
        compose("archive_ready", "en", ref=REF, link=link, expires=date(2025, 3, 14))
    with pytest.raises(ValueError, match="http"):
        compose("erasure_done", "nl", ref=REF, link=link)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_declared_notice_has_its_words_and_no_words_lack_a_declaration(lang: str) -> None:
    assert set(notices.SUBJECTS[lang]) == set(NOTICES)
    assert set(notices.BODIES[lang]) == set(NOTICES)


def test_a_notice_takes_exactly_its_declared_values() -> None:
    with pytest.raises(ValueError, match="no notice named 'refused'"):
        compose("refused", "en", ref=REF, reason=REASON)
    with pytest.raises(TypeError, match="ref, reason"):
        compose("refusal", "en", ref=REF)
    with pytest.raises(TypeError, match="link"):
        compose("refusal", "en", ref=REF, reason=REASON, link=LINK)
    with pytest.raises(TypeError, match="date"):
        compose("rejected_unverified", "en", ref=REF, asked="2 February 2025")


@pytest.mark.parametrize(
    ("lang", "named", "anonymous"),
    [
        ("en", "Dear Jan de Wit,", "Dear Sir or Madam,"),
        ("nl", "Geachte Jan de Wit,", "Geachte heer, mevrouw,"),
    ],
)
def test_the_subject_is_greeted_by_name_when_the_request_gives_one(
    lang: str, named: str, anonymous: str
) -> None:
    greeted = compose("erasure_done", lang, ref=REF, link=LINK, recipient=" Jan  de Wit ")
    assert greeted.text.startswith(named + "\n") and anonymous not in greeted.text
    assert f"<p>{named}</p>" in greeted.html
    unnamed = compose("erasure_done", lang, ref=REF, link=LINK)
    assert unnamed.text.startswith(anonymous + "\n")


def test_a_name_is_text_never_markup_or_a_placeholder() -> None:
    greeted = compose("refusal", "en", ref=REF, reason=REASON, recipient=SCRIPT + " {ref}")
    assert SCRIPT not in greeted.html and "&lt;script&gt;" in greeted.html
    assert greeted.text.startswith(f"Dear {SCRIPT} {{ref}},")
