"""The proof of erasure: per system what was done, when, confirmed how, and what was kept."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from domain.kinds import RequestKind
from domain.messages import CompileProofInput
from domain.records import Outcome, OutcomeStatus, PlanAction, Recipient
from domain.rights import Purpose

IMMEDIATE_EN = "the system's own answer to the erase call"
IMMEDIATE_RIGHT_EN = "the system's own answer to the request"
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
        "immediate_right": IMMEDIATE_RIGHT_EN,
        "status": {
            OutcomeStatus.DONE: "erased",
            OutcomeStatus.PENDING: "pending confirmation",
            OutcomeStatus.RETAINED: "kept by law",
            OutcomeStatus.NOT_FOUND: "no data found",
            OutcomeStatus.NOT_PROCESSED: "not processed for these purposes",
            OutcomeStatus.REFUSED: "refused",
            OutcomeStatus.UNSUPPORTED: "not possible in this system",
        },
        "titles": {
            RequestKind.RECTIFICATION: "Proof of rectification",
            RequestKind.RESTRICTION: "Proof of restriction of processing",
            RequestKind.OBJECTION: "Proof that processing stopped after your objection",
        },
        "done": {
            RequestKind.RECTIFICATION: "corrected",
            RequestKind.RESTRICTION: "restricted",
            RequestKind.OBJECTION: "stopped",
        },
        "fields": "Fields corrected",
        "purposes": "Objected to",
        "purpose_names": {
            Purpose.DIRECT_MARKETING: "direct marketing",
            Purpose.PROFILING: "profiling for direct marketing",
            Purpose.OTHER: "other processing (upheld by the privacy officer)",
        },
        "art19": "Recipients told of this (Article 19 GDPR), through their own systems",
        "art19_none": "No recipient outside our own systems held the data.",
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
        "immediate_right": "het eigen antwoord van het systeem op het verzoek",
        "status": {
            OutcomeStatus.DONE: "verwijderd",
            OutcomeStatus.PENDING: "wacht op bevestiging",
            OutcomeStatus.RETAINED: "wettelijk bewaard",
            OutcomeStatus.NOT_FOUND: "geen gegevens gevonden",
            OutcomeStatus.NOT_PROCESSED: "niet verwerkt voor deze doeleinden",
            OutcomeStatus.REFUSED: "geweigerd",
            OutcomeStatus.UNSUPPORTED: "niet mogelijk in dit systeem",
        },
        "titles": {
            RequestKind.RECTIFICATION: "Bewijs van rectificatie",
            RequestKind.RESTRICTION: "Bewijs van beperking van de verwerking",
            RequestKind.OBJECTION: "Bewijs dat de verwerking is gestopt na uw bezwaar",
        },
        "done": {
            RequestKind.RECTIFICATION: "gecorrigeerd",
            RequestKind.RESTRICTION: "beperkt",
            RequestKind.OBJECTION: "gestopt",
        },
        "fields": "Gecorrigeerde velden",
        "purposes": "Bezwaar tegen",
        "purpose_names": {
            Purpose.DIRECT_MARKETING: "direct marketing",
            Purpose.PROFILING: "profilering voor direct marketing",
            Purpose.OTHER: "andere verwerking (toegewezen door de privacyfunctionaris)",
        },
        "art19": "Ontvangers ingelicht (artikel 19 AVG), via hun eigen systemen",
        "art19_none": "Geen ontvanger buiten onze eigen systemen had de gegevens.",
    },
}


_NOTHING_LEFT = {OutcomeStatus.DONE.value, OutcomeStatus.NOT_FOUND.value}


@dataclass(frozen=True)
class ProofDocuments:
    json_bytes: bytes
    text: str


# The JSON names how each system confirmed; a synchronous answer is worded per language below.
IMMEDIATE = IMMEDIATE_EN


def build_proof(arg: CompileProofInput, completed_at: datetime) -> ProofDocuments:
    """Render the proof as JSON (for auditors and machines) and text (for the subject)."""
    recipients = {c.name: c.recipient for c in arg.connectors}
    immediate = IMMEDIATE if arg.kind is RequestKind.ERASURE else IMMEDIATE_RIGHT_EN
    systems = [
        _system_entry(
            o, recipients[o.connector].name if o.connector in recipients else "", immediate
        )
        for o in arg.outcomes
    ]
    document: dict[str, object] = {
        "request_id": arg.request_id,
        "kind": arg.kind.value,
        "received_at": arg.received_at.isoformat(),
        "plan_approved_by": arg.approved_by,
        "completed_at": completed_at.isoformat(),
        "systems": systems,
    }
    if arg.kind is not RequestKind.ERASURE:
        document["fields"] = list(arg.fields)
        document["purposes"] = [p.value for p in arg.purposes]
        document["recipients_told"] = _recipients_told(arg, recipients)
    json_bytes = json.dumps(document, indent=2, ensure_ascii=False).encode()
    return ProofDocuments(json_bytes, _render_text(arg, completed_at, systems))


def _recipients_told(arg: CompileProofInput, recipients: dict[str, Recipient]) -> list[str]:
    """Art. 19: the outside recipients where the change was made (so they were told)."""
    told = {OutcomeStatus.DONE, OutcomeStatus.PENDING}
    return [
        recipients[o.connector].name
        for o in arg.outcomes
        if o.status in told and o.connector in recipients and not recipients[o.connector].in_house
    ]


def _system_entry(outcome: Outcome, recipient: str, immediate: str) -> dict[str, object]:
    return {
        "system": outcome.connector,
        "operator": recipient,
        "outcome": outcome.status.value,
        "detail": outcome.detail,
        "at": outcome.at.isoformat() if outcome.at else None,
        "confirmed_by": outcome.confirmed_by or immediate,
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
    status_names: dict[OutcomeStatus, str] = dict(t["status"])  # type: ignore[arg-type]
    erasure = arg.kind is RequestKind.ERASURE
    title = str(t["title"]) if erasure else str(t["titles"][arg.kind])  # type: ignore[index]
    if not erasure:
        status_names[OutcomeStatus.DONE] = t["done"][arg.kind]  # type: ignore[index]
    lines = [
        title,
        "=" * len(title),
        f"{t['request']}: {arg.request_id}",
        f"{t['received']}: {arg.received_at:%Y-%m-%d}",
    ]
    if arg.approved_by:
        lines.append(f"{t['approved_by']}: {arg.approved_by}")
    lines.append(f"{t['completed']}: {completed_at:%Y-%m-%d %H:%M} UTC")
    if arg.fields:
        lines.append(f"{t['fields']}: {', '.join(arg.fields)}")
    if arg.purposes:
        names: dict[Purpose, str] = t["purpose_names"]  # type: ignore[assignment]
        lines.append(f"{t['purposes']}: {', '.join(names[p] for p in arg.purposes)}")
    lines.append("")
    for entry in systems:
        status = status_names[OutcomeStatus(str(entry["outcome"]))]
        lines += [
            f"{t['system']}: {entry['system']} ({entry['operator']})",
            f"  {t['outcome']}: {status}. {entry['detail']}",
            f"  {t['confirmed']}: "
            + (
                str(t["immediate" if erasure else "immediate_right"])
                if entry["confirmed_by"] == (IMMEDIATE if erasure else IMMEDIATE_RIGHT_EN)
                else str(entry["confirmed_by"])
            ),
        ]
        retained = entry["retained"]
        assert isinstance(retained, list)
        # "Nothing was kept" only where nothing is left: a system that refused, could not, or
        # has not confirmed may still hold the data.
        if not retained and erasure and entry["outcome"] in _NOTHING_LEFT:
            lines.append(f"  {t['none_kept']}")
        for item in retained:
            lines.append(
                f"  {t['kept']}: {item['category']} ({item['records']}), "
                f"{t['until']} {item['until']}. {item['basis']}"
            )
        lines.append("")
    if not erasure:
        told = _recipients_told(arg, {c.name: c.recipient for c in arg.connectors})
        lines.append(f"{t['art19']}:")
        lines += [f"  - {name}" for name in told] or [f"  {t['art19_none']}"]
        lines.append("")
    return "\n".join(lines)
