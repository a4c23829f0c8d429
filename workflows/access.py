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
    from domain.rights import parse_push_target
    from domain.subject import Hints
    from workflows.calls import call, enter, gather, notify, record
    from workflows.case import RequestCase, Wait
    from workflows.systems import connector_call, connector_call_with, step

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
    if case.push_to:
        case.receipt = await _push(case, archive)
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


async def _push(case: RequestCase, archive: DeliveryRef) -> PushReceipt:
    """Art. 20(2): transmit directly; a refusal waits for an agent, who retries or corrects
    the address (`change_push_address`), then it is tried again."""
    case.progress[RECEIVER] = ConnectorProgress(RECEIVER, "delivery", "waiting")

    def to_the_address_now() -> PushInput:
        assert case.push_to
        return PushInput(case.request_id, archive, case.push_to)

    receipt = await connector_call_with(case, RECEIVER, names.PUSH_ARCHIVE, to_the_address_now)
    step(case, RECEIVER, "delivered", archive.records)
    await record(case, "system", "archive_pushed", receipt=receipt.receipt, status=receipt.status,
                 sha256_matches=receipt.sha256 == archive.sha256)  # fmt: skip
    return receipt


def corrected_push_address(case: RequestCase, url: str) -> str:
    """The new push address, checked like the submitted one; ValueError says why it is not.

    Only while the push waits for a person: a push under way or done is not redirected.
    """
    if case.req.kind is not RequestKind.PORTABILITY or not case.push_to:
        raise ValueError("Only a portability request with a push address has one to correct.")
    reason = case.attention.reasons.get(RECEIVER)
    if reason is None or reason.wait is not Wait.FAILURE:
        raise ValueError(
            "The push address can be corrected only while the push waits in needs_attention; "
            "the push is not failing now."
        )
    corrected = parse_push_target(url)
    if corrected is None:
        raise ValueError("Give the other controller's corrected https:// address.")
    if corrected == case.push_to:
        raise ValueError("That is the address the push failed at; give the corrected one.")
    return corrected
