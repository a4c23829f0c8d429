"""The emails for rectification, restriction, objection and portability, and which one is sent."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from activities import notices
from activities.notices import Notice, compose
from activities.notify import NotifyActivities
from domain.kinds import RequestKind
from domain.messages import NoticeKind, NotifyInput
from domain.rights import Purpose
from runtime.mailer import Mailer, MailSettings

REF = "dsr-5b1e20"
LINK = "https://dsr.example/proof/tok.en?x=1&y=2"
LANGUAGES = ("en", "nl")
RIGHTS = ("rectification", "restriction", "objection")
EXPIRES = date(2025, 3, 14)

SUBJECTS = {
    "en": {
        "rectification": f"Your personal data has been corrected (request {REF})",
        "restriction": f"We have restricted the use of your personal data (request {REF})",
        "objection": f"We have stopped using your data as you objected (request {REF})",
        "portability": f"Your data to take with you is ready (request {REF})",
        "archive": f"Your personal data is ready to download (request {REF})",
    },
    "nl": {
        "rectification": f"Uw persoonsgegevens zijn gecorrigeerd (verzoek {REF})",
        "restriction": f"Wij hebben het gebruik van uw persoonsgegevens beperkt (verzoek {REF})",
        "objection": "Wij gebruiken uw gegevens niet meer waartegen u bezwaar maakte "
        f"(verzoek {REF})",
        "portability": f"Uw gegevens om mee te nemen staan klaar (verzoek {REF})",
        "archive": f"Uw persoonsgegevens staan klaar om te downloaden (verzoek {REF})",
    },
}
ARTICLE = {"en": "Article {n} GDPR", "nl": "artikel {n} AVG"}
# The article the notice must cite, per right (Art. 19: recipients told; Art. 21: objection).
CITED = {"rectification": (19,), "restriction": (18, 19), "objection": (21,)}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
}  # fmt: skip


def flat(text: str) -> str:
    return " ".join(text.split())


def long_date(day: date, lang: str) -> str:
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def right_done(lang: str, kind: str, **who: str) -> Notice:
    return compose(f"{kind}_done", lang, ref=REF, link=LINK, **who)


def assert_link_on_its_own_line(notice: Notice) -> None:
    assert f"\n\n  {LINK}\n\n" in notice.text
    assert 'href="https://dsr.example/proof/tok.en?x=1&amp;y=2"' in notice.html


# --- right_done ---


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_right_done_has_the_subject_line_of_its_kind(kind: str, lang: str) -> None:
    notice = right_done(lang, kind)

    assert notice.subject == SUBJECTS[lang][kind]
    assert f"<title>{SUBJECTS[lang][kind]}</title>" in notice.html


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_right_done_puts_the_proof_link_on_its_own_line(kind: str, lang: str) -> None:
    notice = right_done(lang, kind)

    assert_link_on_its_own_line(notice)
    assert REF in notice.text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_right_done_cites_the_articles_of_its_right(kind: str, lang: str) -> None:
    text = flat(right_done(lang, kind).text)
    cited = {int(n) for n in re.findall(r"(?:Article|artikel) (\d+)", text)}

    assert cited == set(CITED[kind])
    for n in CITED[kind]:
        assert ARTICLE[lang].format(n=n) in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_right_has_its_own_notice(lang: str) -> None:
    texts = {kind: right_done(lang, kind).text for kind in RIGHTS}
    assert len(set(texts.values())) == len(RIGHTS)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_right_done_speaks_the_subjects_language(kind: str, lang: str) -> None:
    text = right_done(lang, kind).text
    greeting = {"en": "Dear Sir or Madam,", "nl": "Geachte heer, mevrouw,"}[lang]
    assert text.startswith(greeting)
    assert not re.search(r"\{\w*\}", text)


@pytest.mark.parametrize("kind", ["access", "portability", "Rectification", ""])
def test_there_is_no_done_notice_for_other_kinds(kind: str) -> None:
    with pytest.raises(ValueError, match="no notice named"):
        right_done("en", kind)


def test_right_done_needs_a_web_link() -> None:
    with pytest.raises(ValueError, match="http"):
        compose("restriction_done", "nl", ref=REF, link="javascript:alert(1)")


# --- portability_ready ---


@pytest.mark.parametrize(("lang", "expires"), [("en", "14 March 2025"), ("nl", "14 maart 2025")])
def test_portability_ready_gives_the_link_and_its_expiry(lang: str, expires: str) -> None:
    notice = compose("portability_ready", lang, ref=REF, link=LINK, expires=EXPIRES)

    assert notice.subject == SUBJECTS[lang]["portability"]
    assert_link_on_its_own_line(notice)
    assert expires in flat(notice.text)
    assert ARTICLE[lang].format(n=20) in flat(notice.text)
    assert "JSON" in notice.text and "CSV" in notice.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_portability_ready_mentions_the_direct_push_receipt(lang: str) -> None:
    text = flat(compose("portability_ready", lang, ref=REF, link=LINK, expires=EXPIRES).text)
    assert {"en": "kept the receipt", "nl": "ontvangstbewijs bewaard"}[lang] in text


def test_portability_ready_names_the_controller() -> None:
    notice = compose(
        "portability_ready",
        "en",
        ref=REF,
        link=LINK,
        expires=EXPIRES,
        controller_name="Hoster B.V.",
    )
    assert "You asked Hoster B.V. for the personal data" in flat(notice.text)


# --- which notice NotifyActivities composes ---

TTL = timedelta(days=7)


@pytest.fixture
def notify() -> NotifyActivities:
    # _compose never sends; the mailer only has to exist.
    mailer = Mailer(MailSettings(host="127.0.0.1", port=25, sender="privacy@hoster.example"))
    return NotifyActivities(
        mailer,
        link_ttl_seconds=int(TTL.total_seconds()),
        controller_name="Hoster B.V.",
        contact="privacy@hoster.example",
    )


def notify_input(notice: NoticeKind, lang: str, kind: RequestKind | None) -> NotifyInput:
    return NotifyInput(
        request_id=REF, notice=notice, to="anna@example.nl", language=lang, link=LINK, kind=kind
    )


def compose_archive_ready(
    notify: NotifyActivities, lang: str, kind: RequestKind | None
) -> tuple[Notice, set[str]]:
    """The notice, and the expiry date(s) it may carry (the day may turn while composing)."""
    before = (datetime.now(UTC) + TTL).date()
    notice = notify._compose(notify_input(NoticeKind.ARCHIVE_READY, lang, kind))
    after = (datetime.now(UTC) + TTL).date()
    return notice, {long_date(before, lang), long_date(after, lang)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_archive_ready_for_portability_is_the_portability_notice(
    notify: NotifyActivities, lang: str
) -> None:
    notice, expiry = compose_archive_ready(notify, lang, RequestKind.PORTABILITY)

    assert notice.subject == SUBJECTS[lang]["portability"]
    assert any(day in flat(notice.text) for day in expiry)
    assert_link_on_its_own_line(notice)
    assert "Hoster B.V." in notice.text and "privacy@hoster.example" in notice.text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", [RequestKind.ACCESS, None])
def test_archive_ready_for_anything_else_is_the_access_notice(
    notify: NotifyActivities, lang: str, kind: RequestKind | None
) -> None:
    notice, expiry = compose_archive_ready(notify, lang, kind)

    assert notice.subject == SUBJECTS[lang]["archive"]
    assert any(day in flat(notice.text) for day in expiry)
    assert "README.html" in notice.text
    assert_link_on_its_own_line(notice)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "kind", [RequestKind.RECTIFICATION, RequestKind.RESTRICTION, RequestKind.OBJECTION]
)
def test_right_done_is_composed_for_the_kind_of_the_request(
    notify: NotifyActivities, lang: str, kind: RequestKind
) -> None:
    notice = notify._compose(notify_input(NoticeKind.RIGHT_DONE, lang, kind))

    assert notice == right_done(
        lang, kind.value, controller_name="Hoster B.V.", contact="privacy@hoster.example"
    )
    assert notice.subject == SUBJECTS[lang][kind.value]


@pytest.mark.parametrize("kind", [RequestKind.ERASURE, RequestKind.ACCESS, RequestKind.PORTABILITY])
def test_right_done_is_refused_for_a_kind_without_such_a_notice(
    notify: NotifyActivities, kind: RequestKind
) -> None:
    with pytest.raises(ValueError, match="No completion notice"):
        notify._compose(notify_input(NoticeKind.RIGHT_DONE, "en", kind))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_upheld_objection_to_other_processing_does_not_speak_of_marketing(
    notify: NotifyActivities, lang: str
) -> None:
    arg = replace(
        notify_input(NoticeKind.RIGHT_DONE, lang, RequestKind.OBJECTION), purposes=(Purpose.OTHER,)
    )
    notice = notify._compose(arg)
    assert notice.subject == notices.SUBJECTS[lang]["objection_other_done"].format(ref=REF)
    assert "marketing" not in notice.text
    assert "21" in notice.text and LINK in notice.text
    marketing = replace(arg, purposes=(Purpose.OTHER, Purpose.DIRECT_MARKETING))
    assert notify._compose(marketing).subject == SUBJECTS[lang]["objection"]
