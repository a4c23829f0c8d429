"""Finding the subject everywhere, and the access and portability answer: one archive.

Discovery runs in two phases: primary systems resolve who the subject is, and their hints
let the dependent systems find the subject's records too.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.kinds import RequestKind, RequestState
    from domain.messages import (
        CompileArchiveInput,
        ConnectorProgress,
        DeliveryRef,
        ExportInput,
        LocateInput,
        NoticeKind,
        PushInput,
        PushReceipt,
        RequestResult,
    )
    from domain.records import ExportSummary, Located, Phase
    from domain.subject import Hints
    from workflows.calls import call, enter, gather, notify, record
    from workflows.case import RequestCase
    from workflows.systems import connector_call, step

# The push shows in progress like a system: people see it running, failing and done.
RECEIVER = "other-controller"


async def discover(case: RequestCase) -> list[Located]:
    """Primary systems first; their hints let dependent systems find the subject."""
    primary = [c for c in case.connectors if c.phase is Phase.PRIMARY]
    dependent = [c for c in case.connectors if c.phase is Phase.DEPENDENT]
    found = await gather(primary, lambda c: _locate(case, c.name, Hints()))
    hints = Hints()
    for loc in found:
        hints = hints.merge(loc.hints)
    found += await gather(dependent, lambda c: _locate(case, c.name, hints))
    return found


async def _locate(case: RequestCase, connector: str, hints: Hints) -> Located:
    loc = await connector_call(
        case,
        connector,
        names.LOCATE,
        LocateInput(case.request_id, connector, case.req.subject, hints),
    )
    step(case, connector, "located" if loc.found else "not_found", sum(loc.record_counts.values()))
    return loc


async def deliver_archive(case: RequestCase, located: list[Located]) -> RequestResult:
    """Access and portability: stage every (portable) dataset, then one archive."""
    exports = await gather(located, lambda loc: _export(case, loc))
    await enter(case, RequestState.COMPILING, "system", "compiling_archive")
    archive = await call(
        names.COMPILE_ARCHIVE,
        CompileArchiveInput(
            request_id=case.request_id,
            kind=case.req.kind,
            language=case.req.subject.language,
            received_at=case.req.received_at,
            connectors=case.connectors,
            exports=tuple(exports),
        ),
    )
    case.archive = archive
    if case.req.push_to:
        case.receipt = await _push(case, archive, case.req.push_to)
    await notify(case, NoticeKind.ARCHIVE_READY, link=archive.link or "", kind=case.req.kind)
    await enter(case, RequestState.COMPLETED, "system", "archive_delivered",
                records=archive.records, sha256=archive.sha256)  # fmt: skip
    return RequestResult(
        case.request_id, RequestState.COMPLETED, archive=archive, receipt=case.receipt
    )


async def _export(case: RequestCase, loc: Located) -> ExportSummary:
    portable_only = case.req.kind is RequestKind.PORTABILITY
    summary = await connector_call(
        case,
        loc.connector,
        names.EXPORT,
        ExportInput(case.request_id, loc.connector, loc, portable_only=portable_only),
    )
    step(case, loc.connector, "exported", summary.records)
    return summary


async def _push(case: RequestCase, archive: DeliveryRef, url: str) -> PushReceipt:
    """Art. 20(2): transmit directly; a refusal waits for an agent, then is tried again."""
    case.progress[RECEIVER] = ConnectorProgress(RECEIVER, "delivery", "waiting")
    receipt = await connector_call(
        case, RECEIVER, names.PUSH_ARCHIVE, PushInput(case.request_id, archive, url)
    )
    step(case, RECEIVER, "delivered", archive.records)
    await record(case, "system", "archive_pushed", receipt=receipt.receipt, status=receipt.status,
                 sha256_matches=receipt.sha256 == archive.sha256)  # fmt: skip
    return receipt
