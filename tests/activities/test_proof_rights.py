"""The proof for rectification, restriction and objection: each system's outcome in the words of
the right, which fields or purposes, and which outside recipients were told (Art. 19)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from activities.proof import ProofDocuments, build_proof
from domain.kinds import RequestKind
from domain.messages import CompileProofInput
from domain.records import ConnectorInfo, Outcome, OutcomeStatus, Phase, Recipient
from domain.rights import Purpose

RIGHTS = (RequestKind.RECTIFICATION, RequestKind.RESTRICTION, RequestKind.OBJECTION)
COMPLETED = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)

BILLING = ConnectorInfo(
    "billing", Phase.PRIMARY, Recipient("Hoster billing (own)", "controller", in_house=True)
)
NEWSLETTER = ConnectorInfo(
    "newsletter", Phase.DEPENDENT, Recipient("Newsletter (own)", "processor", in_house=True)
)
EPP = ConnectorInfo("registry-epp", Phase.DEPENDENT, Recipient("SIDN", "domain name registry"))
RIPE = ConnectorInfo("ripe", Phase.DEPENDENT, Recipient("RIPE NCC", "internet registry"))
CERTS = ConnectorInfo("certcentral", Phase.DEPENDENT, Recipient("DigiCert", "certificate auth"))
ARIN = ConnectorInfo("arin", Phase.DEPENDENT, Recipient("ARIN", "internet registry", "US", True))
REGISTRAR = ConnectorInfo("registrar", Phase.DEPENDENT, Recipient("Openprovider", "registrar"))

OUTCOMES = (
    Outcome("billing", OutcomeStatus.DONE, "Contact updated."),
    Outcome("newsletter", OutcomeStatus.PENDING, "Moderator asked.", external_ref="m-1"),
    Outcome("registry-epp", OutcomeStatus.DONE, "Contact updated.", confirmed_by="EPP poll 7"),
    Outcome("ripe", OutcomeStatus.PENDING, "Update sent.", external_ref="ticket-9"),
    Outcome("certcentral", OutcomeStatus.NOT_FOUND, "No organisation."),
    Outcome("arin", OutcomeStatus.UNSUPPORTED, "Public registry cannot restrict."),
    Outcome("registrar", OutcomeStatus.REFUSED, "Locked by a dispute."),
)
TOLD = ["SIDN", "RIPE NCC"]

TITLES = {
    "en": {
        RequestKind.RECTIFICATION: "Proof of rectification",
        RequestKind.RESTRICTION: "Proof of restriction of processing",
        RequestKind.OBJECTION: "Proof that processing stopped after your objection",
    },
    "nl": {
        RequestKind.RECTIFICATION: "Bewijs van rectificatie",
        RequestKind.RESTRICTION: "Bewijs van beperking van de verwerking",
        RequestKind.OBJECTION: "Bewijs dat de verwerking is gestopt na uw bezwaar",
    },
}
DONE = {
    "en": {
        RequestKind.RECTIFICATION: "corrected",
        RequestKind.RESTRICTION: "restricted",
        RequestKind.OBJECTION: "stopped",
    },
    "nl": {
        RequestKind.RECTIFICATION: "gecorrigeerd",
        RequestKind.RESTRICTION: "beperkt",
        RequestKind.OBJECTION: "gestopt",
    },
}
WORDS = {
    "en": {
        "outcome": "Outcome",
        "unsupported": "not possible in this system",
        "pending": "pending confirmation",
        "erased": "erased",
        "art19": "Recipients told of this (Article 19 GDPR), through their own systems:",
        "art19_none": "No recipient outside our own systems held the data.",
        "none_kept": "Nothing was kept.",
        "fields": "Fields corrected",
        "purposes": "Objected to",
    },
    "nl": {
        "outcome": "Resultaat",
        "unsupported": "niet mogelijk in dit systeem",
        "pending": "wacht op bevestiging",
        "erased": "verwijderd",
        "art19": "Ontvangers ingelicht (artikel 19 AVG), via hun eigen systemen:",
        "art19_none": "Geen ontvanger buiten onze eigen systemen had de gegevens.",
        "none_kept": "Er is niets bewaard.",
        "fields": "Gecorrigeerde velden",
        "purposes": "Bezwaar tegen",
    },
}
LANGUAGES = ("en", "nl")


def proof_input(
    kind: RequestKind,
    language: str = "en",
    *,
    connectors: tuple[ConnectorInfo, ...] = (
        BILLING,
        NEWSLETTER,
        EPP,
        RIPE,
        CERTS,
        ARIN,
        REGISTRAR,
    ),
    outcomes: tuple[Outcome, ...] = OUTCOMES,
    fields: tuple[str, ...] = (),
    purposes: tuple[Purpose, ...] = (),
) -> CompileProofInput:
    return CompileProofInput(
        request_id="dsr-r-1",
        language=language,
        received_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        approved_by="officer",
        connectors=connectors,
        plans=(),
        outcomes=outcomes,
        kind=kind,
        fields=fields,
        purposes=purposes,
    )


def build(arg: CompileProofInput) -> ProofDocuments:
    return build_proof(arg, COMPLETED)


def document(docs: ProofDocuments) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(docs.json_bytes)
    return parsed


def outcome_line(text: str, system: str) -> str:
    """The outcome line under the `System: <system> (...)` line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split(": ", 1)[-1].startswith(system))
    return lines[start + 1]


def art19_section(text: str, language: str) -> list[str]:
    """The lines under the Art. 19 heading, which closes the letter."""
    lines = text.splitlines()
    return lines[lines.index(WORDS[language]["art19"]) + 1 :]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_the_title_names_the_right_in_the_subjects_language(
    kind: RequestKind, language: str
) -> None:
    lines = build(proof_input(kind, language)).text.splitlines()
    title = TITLES[language][kind]
    assert lines[0] == title
    assert lines[1] == "=" * len(title)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_done_is_worded_for_the_right_not_as_erased(kind: RequestKind, language: str) -> None:
    text = build(proof_input(kind, language)).text
    words = WORDS[language]

    assert outcome_line(text, "billing") == (
        f"  {words['outcome']}: {DONE[language][kind]}. Contact updated."
    )
    assert outcome_line(text, "registry-epp").startswith(
        f"  {words['outcome']}: {DONE[language][kind]}. "
    )
    assert f": {words['erased']}." not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_unsupported_and_pending_keep_their_own_words(kind: RequestKind, language: str) -> None:
    text = build(proof_input(kind, language)).text
    words = WORDS[language]

    assert outcome_line(text, "arin") == (
        f"  {words['outcome']}: {words['unsupported']}. Public registry cannot restrict."
    )
    assert outcome_line(text, "ripe") == f"  {words['outcome']}: {words['pending']}. Update sent."


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fields_line_lists_the_field_names(language: str) -> None:
    arg = proof_input(RequestKind.RECTIFICATION, language, fields=("name", "email", "country"))
    lines = build(arg).text.splitlines()

    assert f"{WORDS[language]['fields']}: name, email, country" in lines
    assert not any(line.startswith(WORDS[language]["purposes"]) for line in lines)


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "Objected to: direct marketing, profiling for direct marketing"),
        ("nl", "Bezwaar tegen: direct marketing, profilering voor direct marketing"),
    ],
)
def test_the_purposes_line_names_what_was_objected_to(language: str, line: str) -> None:
    purposes = (Purpose.DIRECT_MARKETING, Purpose.PROFILING)
    lines = build(proof_input(RequestKind.OBJECTION, language, purposes=purposes)).text.splitlines()

    assert line in lines
    assert not any(entry.startswith(WORDS[language]["fields"]) for entry in lines)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "other processing (upheld by the privacy officer)"),
        ("nl", "andere verwerking (toegewezen door de privacyfunctionaris)"),
    ],
)
def test_an_upheld_objection_to_other_processing_says_so(language: str, words: str) -> None:
    text = build(proof_input(RequestKind.OBJECTION, language, purposes=(Purpose.OTHER,))).text
    assert f"{WORDS[language]['purposes']}: {words}" in text.splitlines()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", RIGHTS)
def test_art19_lists_outside_recipients_where_the_change_was_made(
    kind: RequestKind, language: str
) -> None:
    text = build(proof_input(kind, language)).text

    # Done or pending outside: told. In house, not found, unsupported or refused: not listed.
    assert art19_section(text, language) == [f"  - {name}" for name in TOLD]


@pytest.mark.parametrize("language", LANGUAGES)
def test_art19_says_so_when_no_outside_recipient_held_the_data(language: str) -> None:
    arg = proof_input(
        RequestKind.RESTRICTION,
        language,
        connectors=(BILLING, NEWSLETTER, CERTS),
        outcomes=(OUTCOMES[0], OUTCOMES[1], OUTCOMES[4]),
    )
    text = build(arg).text

    assert art19_section(text, language) == [f"  {WORDS[language]['art19_none']}"]


@pytest.mark.parametrize("kind", RIGHTS)
def test_the_json_names_kind_fields_purposes_and_recipients_told(kind: RequestKind) -> None:
    arg = proof_input(kind, fields=("email", "phone"), purposes=(Purpose.PROFILING, Purpose.OTHER))
    doc = document(build(arg))

    assert doc["kind"] == kind.value
    assert doc["fields"] == ["email", "phone"]
    assert doc["purposes"] == ["profiling", "other"]
    assert doc["recipients_told"] == TOLD
    assert [s["outcome"] for s in doc["systems"]] == [o.status.value for o in OUTCOMES]
    assert doc["completed_at"] == COMPLETED.isoformat()


def test_the_json_of_a_right_without_fields_or_purposes_has_empty_lists() -> None:
    doc = document(build(proof_input(RequestKind.RESTRICTION)))

    assert doc["fields"] == []
    assert doc["purposes"] == []
    assert doc["recipients_told"] == TOLD


def test_an_outcome_for_an_unknown_connector_is_not_counted_as_told() -> None:
    stray = Outcome("gone", OutcomeStatus.DONE, "Done.")
    arg = proof_input(RequestKind.RECTIFICATION, outcomes=(*OUTCOMES, stray))
    docs = build(arg)

    assert document(docs)["recipients_told"] == TOLD
    assert art19_section(docs.text, "en") == [f"  - {name}" for name in TOLD]


@pytest.mark.parametrize("kind", RIGHTS)
def test_a_right_proof_does_not_say_nothing_was_kept(kind: RequestKind) -> None:
    assert WORDS["en"]["none_kept"] not in build(proof_input(kind)).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_erasure_proof_keeps_its_shape(language: str) -> None:
    arg = proof_input(
        RequestKind.ERASURE, language, fields=("email",), purposes=(Purpose.PROFILING,)
    )
    docs = build(arg)
    doc = document(docs)
    lines = docs.text.splitlines()
    words = WORDS[language]

    assert set(doc) == {
        "request_id", "kind", "received_at", "plan_approved_by", "completed_at", "systems"
    }  # fmt: skip
    assert doc["kind"] == "erasure"
    assert lines[0] == {"en": "Proof of erasure", "nl": "Bewijs van verwijdering"}[language]
    assert words["art19"] not in lines
    # Only where nothing is left: not where the system refused, could not, or is pending.
    nothing_left = {OutcomeStatus.DONE, OutcomeStatus.NOT_FOUND}
    assert lines.count(f"  {words['none_kept']}") == len(
        [o for o in OUTCOMES if o.status in nothing_left]
    )
    assert outcome_line(docs.text, "billing") == (
        f"  {words['outcome']}: {words['erased']}. Contact updated."
    )


@pytest.mark.parametrize("kind", RIGHTS)
def test_a_right_proof_does_not_speak_of_erasing(kind: RequestKind) -> None:
    docs = build(proof_input(kind))
    assert "erase" not in docs.text.lower()
    assert "erase" not in docs.json_bytes.decode().lower()
    assert "verwijder" not in build(proof_input(kind, "nl")).text.lower()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "not processed for these purposes"),
        ("nl", "niet verwerkt voor deze doeleinden"),
    ],
)
def test_a_system_that_never_processed_for_the_purposes_says_so_not_no_data(
    language: str, words: str
) -> None:
    detail = "This system does not process data for: direct marketing."
    outcomes = (Outcome("registrar", OutcomeStatus.NOT_PROCESSED, detail),)
    arg = proof_input(RequestKind.OBJECTION, language, outcomes=outcomes)

    text = build(arg).text

    assert outcome_line(text, "registrar") == f"  {WORDS[language]['outcome']}: {words}. {detail}"
    assert document(build(arg))["systems"][0]["outcome"] == "not_processed"
    assert "  - Openprovider" not in art19_section(text, language)  # nothing changed there
