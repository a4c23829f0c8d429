"""The proof of erasure: each system's outcome, how it was confirmed, what was kept and why."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

from activities.proof import build_proof
from domain.messages import CompileProofInput
from domain.records import (
    ConnectorInfo,
    Outcome,
    OutcomeStatus,
    Phase,
    PlanAction,
    PlanItem,
    Recipient,
)

KEPT = PlanItem("invoices", PlanAction.RETAIN, 28, "Tax law: 7 years.", date(2033, 10, 11))


def proof_input(language: str) -> CompileProofInput:
    return CompileProofInput(
        request_id="r-1",
        language=language,
        received_at=datetime(2026, 11, 22, 9, tzinfo=UTC),
        approved_by="officer",
        connectors=(
            ConnectorInfo("billing", Phase.PRIMARY, Recipient("Billing (in house)", "own")),
            ConnectorInfo("registry-epp", Phase.DEPENDENT, Recipient("Registry", "registry")),
        ),
        plans=(),
        outcomes=(
            Outcome("billing", OutcomeStatus.DONE, "Anonymised.", retained=(KEPT,)),
            Outcome(
                "registry-epp", OutcomeStatus.DONE, "Deleted.", confirmed_by="EPP poll message 7"
            ),
        ),
    )


def test_the_json_lists_each_system_its_confirmation_and_what_was_kept() -> None:
    docs = build_proof(proof_input("en"), datetime(2026, 11, 23, tzinfo=UTC))
    systems = {s["system"]: s for s in json.loads(docs.json_bytes)["systems"]}
    assert systems["registry-epp"]["confirmed_by"] == "EPP poll message 7"
    assert systems["billing"]["retained"] == [
        {"category": "invoices", "records": 28, "basis": "Tax law: 7 years.",
         "until": "2033-10-11"}
    ]  # fmt: skip
    assert systems["billing"]["operator"] == "Billing (in house)"


def test_the_letter_speaks_the_subjects_language() -> None:
    dutch = build_proof(proof_input("nl"), datetime(2026, 11, 23, tzinfo=UTC)).text
    assert "Bewijs van verwijdering" in dutch
    assert "het eigen antwoord van het systeem" in dutch
    assert "tot 2033-10-11" in dutch and "EPP poll message 7" in dutch
    english = build_proof(proof_input("en"), datetime(2026, 11, 23, tzinfo=UTC)).text
    assert "Proof of erasure" in english and "until 2033-10-11" in english
    assert "the system's own answer" in english


def test_a_step_confirmed_by_hand_without_the_systems_answer_is_never_called_erased() -> None:
    # What a request confirmed by hand before `agent-confirms-one-step` settles to
    # (workflows/confirming.py `taken_on_trust`): the registrar was not asked again.
    pending = Outcome(
        "registry-epp",
        OutcomeStatus.PENDING,
        "2 change(s) pending at the registrar; agent Sam confirmed this step by hand "
        "(confirmed by phone); the system was not asked again",
        confirmed_by="agent Sam",
    )
    arg = replace(proof_input("en"), outcomes=(proof_input("en").outcomes[0], pending))
    for language, erased, nothing_kept in (
        ("en", "erased", "Nothing was kept"),
        ("nl", "verwijderd", "Er is niets bewaard"),
    ):
        text = build_proof(replace(arg, language=language), datetime(2026, 11, 23, tzinfo=UTC)).text
        system = text.split("registry-epp", 1)[1].split("\n\n", 1)[0]
        assert erased not in system and nothing_kept not in system
        assert "agent Sam" in system and "not asked again" in system
