"""What `dsr status` and `dsr list` print, on a console narrower than any link or table."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rich.console import Console

from cli import render
from domain.kinds import RequestKind, RequestState
from domain.messages import ApprovePlan, ConnectorProgress, DeliveryRef, ServicesChoice
from domain.records import ConnectorPlan, Outcome, OutcomeStatus, PlanAction, PlanItem
from services.requests import ListedRequest, RequestStatus
from services.status import RetryingCall

DUE = date(2026, 2, 15)
LINK = "http://127.0.0.1:8000/downloads/" + "eyJleHBpcmVzIjoxNzY1MDAwMDAwfQ" * 4 + ".c2lnbmF0dXJl"
PLAN = ConnectorPlan(
    "registrar-openprovider",
    (PlanItem("handles", PlanAction.ACT, 2),),
    ("domain example.nl", "domain example.nl"),
)


def printed(status: RequestStatus, width: int = 40) -> str:
    console = Console(width=width, record=True, color_system=None)
    render.status(console, status)
    return console.export_text()


def request(state: RequestState = RequestState.EXECUTING, **fields: object) -> RequestStatus:
    return RequestStatus("r1", RequestKind.ERASURE, state, DUE, agent_ref="T-14", **fields)  # type: ignore[arg-type]


def test_a_link_prints_whole_on_one_line_with_its_expiry() -> None:
    proof = DeliveryRef("requests/r1/proof.json", "0" * 64, 10, link=LINK,
                        expires_at=datetime(2026, 2, 1, 9, 30, tzinfo=UTC))  # fmt: skip
    text = printed(request(RequestState.COMPLETED, proof=proof), width=30)
    assert LINK in text.splitlines()
    assert "expires 2026-02-01 09:30 UTC" in " ".join(text.split())


def test_a_link_delivered_before_expiry_was_recorded_says_so() -> None:
    archive = DeliveryRef("requests/r1/a.zip", "0" * 64, 10, records=3, link=LINK)
    text = printed(request(RequestState.COMPLETED, archive=archive), width=200)
    assert "(expires)" not in text and "not recorded" in text


def test_step_names_are_never_cut_short() -> None:
    connectors = (
        ConnectorProgress("other-controller", "delivery", "push_archive…"),
        ConnectorProgress("registry-epp", "dependent", "erase…"),
    )
    text = printed(request(connectors=connectors), width=60)
    assert "push_archive (running)" in text and "erase (running)" in text
    assert "…" not in text  # nothing in the table is cut


def test_a_retried_call_shows_its_attempt_and_last_error() -> None:
    connectors = (ConnectorProgress("ripe", "dependent", "erase…"),)
    retrying = (RetryingCall("ripe", "erase", 3, "RIPE answered 503 Service Unavailable"),)
    text = " ".join(printed(request(connectors=connectors, retrying=retrying), 200).split())
    assert "erase (retrying)" in text
    assert "retrying (attempt 3, last error: RIPE answered 503 Service Unavailable)" in text


def test_an_error_of_a_finished_call_is_not_shown() -> None:
    done = Outcome("ripe", OutcomeStatus.DONE, "2 objects erased")
    connectors = (ConnectorProgress("ripe", "dependent", "done", 2, done, "ripe erase failed"),)
    text = printed(request(RequestState.COMPLETED, connectors=connectors), width=200)
    assert "failed" not in text and "done: 2 objects erased" in text


def test_a_failed_call_waiting_for_retry_shows_its_error() -> None:
    connectors = (ConnectorProgress("ripe", "dependent", "erase…", error="ripe: bad key"),)
    text = printed(request(RequestState.NEEDS_ATTENTION, connectors=connectors,
                           attention="ripe: bad key"), width=200)  # fmt: skip
    assert "erase (failed)" in text and "ripe: bad key" in text


def test_awaiting_approval_asks_for_the_choice_and_names_each_service_once() -> None:
    text = printed(request(RequestState.AWAITING_APPROVAL, plans=(PLAN,)), width=200)
    assert "--terminate" in text and "--transfer-first" in text
    assert text.count("domain example.nl") == 1


def test_after_approval_the_choice_shows_and_no_prompt() -> None:
    approval = ApprovePlan("Sam", ServicesChoice.TERMINATE)
    for state in (RequestState.EXECUTING, RequestState.COMPLETED):
        text = printed(request(state, plans=(PLAN,), approval=approval), width=200)
        assert "Approved by Sam; the active services end with the erasure." in text
        assert "--terminate" not in text and "Approve with" not in text


def test_transfer_first_says_the_erasure_waits_for_the_transfers() -> None:
    text = printed(request(RequestState.AWAITING_APPROVAL, plans=(PLAN,), transfer_pending=True),
                   width=200)  # fmt: skip
    flat = " ".join(text.split())
    assert "Transfer first was chosen: the erasure waits while the subject transfers" in flat
    assert "--terminate" not in text


def test_an_unverified_request_names_the_day_it_is_rejected() -> None:
    status = RequestStatus("r1", RequestKind.ACCESS, RequestState.VERIFYING, DUE,
                           rejects_unverified_on=date(2026, 1, 29))  # fmt: skip
    text = printed(status, width=200)
    assert "Unverified: closes as rejected on 2026-01-29 unless the identity is verified." in text


def test_without_a_worker_the_last_known_state_is_said_to_be_that() -> None:
    status = request(RequestState.VERIFYING, live=False, worker="The worker is unreachable.")
    text = printed(status, width=200)
    assert "state verifying" in text and "Worker unreachable: The worker is unreachable." in text


def test_waiting_stopped_by_attention_gives_the_reason() -> None:
    stuck = request(RequestState.NEEDS_ATTENTION, attention="ripe: bad key")
    said = render.stopped_short(stuck, RequestState.COMPLETED)
    assert "needs attention" in said and "ripe: bad key" in said


def test_listing_shows_agent_references_and_whole_ids() -> None:
    rid = "0b4f7d1e-3c55-4e0a-9a57-2f1c9d1b6a10"
    console = Console(width=50, record=True, color_system=None)
    render.listing(console, [ListedRequest(rid, "access", "verifying", None, None, "T-14")])
    text = console.export_text()
    assert rid in text and "T-14" in text


def test_what_systems_say_prints_as_text_not_markup() -> None:
    connectors = (ConnectorProgress("ripe", "dependent", "erase…", error="[errno 111] refused"),)
    status = request(RequestState.NEEDS_ATTENTION, connectors=connectors,
                     attention="ripe: [errno 111] refused")  # fmt: skip
    text = printed(status, width=200)
    assert "Needs attention: ripe: [errno 111] refused" in text
    assert "ripe: [errno 111] refused" in text.splitlines()[-1]
