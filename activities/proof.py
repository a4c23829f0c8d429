"""The proof of erasure: per system what was done, when, confirmed how, and what was kept."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from domain.messages import CompileProofInput
from domain.records import Outcome, OutcomeStatus, PlanAction

IMMEDIATE_EN = "the system's own answer to the erase call"
_TEXT = {
    "en": {
        "title": "Proof of erasure",
        "request": "Request",
        "received": "Received",
        "approved_by": "Plan approved by",
        "completed": "Completed",
        "system": "System",
        "outcome": "Outcome",
        "confirmed": "Confirmed by",
        "kept": "Kept, restricted from any other use",
        "until": "until",
        "none_kept": "Nothing was kept.",
        "immediate": IMMEDIATE_EN,
        "status": {
            OutcomeStatus.DONE: "erased",
            OutcomeStatus.PENDING: "pending confirmation",
            OutcomeStatus.RETAINED: "kept by law",
            OutcomeStatus.NOT_FOUND: "no data found",
            OutcomeStatus.REFUSED: "refused",
        },
    },
    "nl": {
        "title": "Bewijs van verwijdering",
        "request": "Verzoek",
        "received": "Ontvangen",
        "approved_by": "Plan goedgekeurd door",
        "completed": "Afgerond",
        "system": "Systeem",
        "outcome": "Resultaat",
        "confirmed": "Bevestigd door",
        "kept": "Bewaard, afgeschermd voor elk ander gebruik",
        "until": "tot",
        "none_kept": "Er is niets bewaard.",
        "immediate": "het eigen antwoord van het systeem op het verwijderverzoek",
        "status": {
            OutcomeStatus.DONE: "verwijderd",
            OutcomeStatus.PENDING: "wacht op bevestiging",
            OutcomeStatus.RETAINED: "wettelijk bewaard",
            OutcomeStatus.NOT_FOUND: "geen gegevens gevonden",
            OutcomeStatus.REFUSED: "geweigerd",
        },
    },
}


@dataclass(frozen=True)
class ProofDocuments:
    json_bytes: bytes
    text: str


# The JSON names how each system confirmed; a synchronous answer is worded per language below.
IMMEDIATE = IMMEDIATE_EN


def build_proof(arg: CompileProofInput, completed_at: datetime) -> ProofDocuments:
    """Render the proof as JSON (for auditors and machines) and text (for the subject)."""
    recipients = {c.name: c.recipient for c in arg.connectors}
    systems = [
        _system_entry(o, recipients[o.connector].name if o.connector in recipients else "")
        for o in arg.outcomes
    ]
    document = {
        "request_id": arg.request_id,
        "received_at": arg.received_at.isoformat(),
        "plan_approved_by": arg.approved_by,
        "completed_at": completed_at.isoformat(),
        "systems": systems,
    }
    json_bytes = json.dumps(document, indent=2, ensure_ascii=False).encode()
    return ProofDocuments(json_bytes, _render_text(arg, completed_at, systems))


def _system_entry(outcome: Outcome, recipient: str) -> dict[str, object]:
    return {
        "system": outcome.connector,
        "operator": recipient,
        "outcome": outcome.status.value,
        "detail": outcome.detail,
        "at": outcome.at.isoformat() if outcome.at else None,
        "confirmed_by": outcome.confirmed_by or IMMEDIATE,
        "external_ref": outcome.external_ref,
        "retained": [
            {
                "category": item.category,
                "records": item.records,
                "basis": item.basis,
                "until": item.until.isoformat() if item.until else None,
            }
            for item in outcome.retained
            if item.action is PlanAction.RETAIN
        ],
    }


def _render_text(
    arg: CompileProofInput, completed_at: datetime, systems: list[dict[str, object]]
) -> str:
    t = _TEXT.get(arg.language, _TEXT["en"])
    status_names: dict[OutcomeStatus, str] = t["status"]  # type: ignore[assignment]
    lines = [
        str(t["title"]),
        "=" * len(str(t["title"])),
        f"{t['request']}: {arg.request_id}",
        f"{t['received']}: {arg.received_at:%Y-%m-%d}",
        f"{t['approved_by']}: {arg.approved_by}",
        f"{t['completed']}: {completed_at:%Y-%m-%d %H:%M} UTC",
        "",
    ]
    for entry in systems:
        status = status_names[OutcomeStatus(str(entry["outcome"]))]
        lines += [
            f"{t['system']}: {entry['system']} ({entry['operator']})",
            f"  {t['outcome']}: {status}. {entry['detail']}",
            f"  {t['confirmed']}: "
            + (
                str(t["immediate"])
                if entry["confirmed_by"] == IMMEDIATE
                else str(entry["confirmed_by"])
            ),
        ]
        retained = entry["retained"]
        assert isinstance(retained, list)
        if not retained:
            lines.append(f"  {t['none_kept']}")
        for item in retained:
            lines.append(
                f"  {t['kept']}: {item['category']} ({item['records']}), "
                f"{t['until']} {item['until']}. {item['basis']}"
            )
        lines.append("")
    return "\n".join(lines)
