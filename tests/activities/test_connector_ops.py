"""The sink a connector exports into: only declared datasets, and for portability only the
portable ones; and which connector errors are retried."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.connector_ops import ConnectorActivities, DeclaredSink
from connectors.base import Connector
from connectors.controller.client import PushRefused, PushUnreachable
from connectors.epp.client import ObjectAssociated, ObjectStatusProhibits
from connectors.errors import (
    AuthenticationFailed,
    ConnectorError,
    RateLimited,
    SystemUnavailable,
    refused,
)
from connectors.registrar.client import RegistrarRefused
from domain.datasets import Basis, Category, Dataset
from domain.messages import EraseInput
from domain.records import ConnectorPlan, Located, Outcome
from domain.retention import RetentionPolicy
from tests.connectors.memory_sink import MemorySink

DECLARED = (
    Dataset("customer", Category.IDENTITY, Basis.CONTRACT, portable=True),
    Dataset("invoices", Category.BILLING, Basis.LEGAL_OBLIGATION),
)


async def test_an_undeclared_dataset_is_refused_and_not_retried() -> None:
    inner = MemorySink("billing")
    sink = DeclaredSink(inner, "billing", DECLARED, portable_only=False)
    with pytest.raises(ApplicationError) as refused:
        await sink.write("secret_notes", [{"a": 1}])
    assert refused.value.non_retryable and "secret_notes" in str(refused.value)
    assert inner.datasets == {}


async def test_portability_stages_only_portable_datasets() -> None:
    inner = MemorySink("billing")
    sink = DeclaredSink(inner, "billing", DECLARED, portable_only=True)
    await sink.write("customer", [{"id": 1}])
    skipped = await sink.write("invoices", [{"id": 2}])
    assert set(inner.datasets) == {"customer"} and skipped.records == 0


async def test_access_stages_every_declared_dataset() -> None:
    inner = MemorySink("billing")
    sink = DeclaredSink(inner, "billing", DECLARED, portable_only=False)
    for name in ("customer", "invoices"):
        await sink.write(name, [{"id": 1}])
    assert set(inner.datasets) == {"customer", "invoices"}


class _Failing:
    """A connector whose erase raises the error it is given."""

    name = "epp"

    def __init__(self, error: ConnectorError) -> None:
        self.error = error

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        raise self.error


async def _erase_fails(error: ConnectorError) -> ApplicationError:
    conn = cast(Connector, _Failing(error))
    ops = ConnectorActivities({"epp": conn}, RetentionPolicy(), lambda *_: MemorySink("epp"))
    arg = EraseInput("r-1", "epp", Located("epp", True), ConnectorPlan("epp"))
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(ops.erase, arg)
    return failed.value


@pytest.mark.parametrize(
    "error",
    [
        ObjectAssociated("The registry still links contact HST1 to a domain outside this request."),
        ObjectStatusProhibits("The registry forbids deleting contact HST1 by its status."),
        AuthenticationFailed("The registry refused the login; check DSR_EPP_PASSWORD."),
        RegistrarRefused("The registrar refused the domain update (code 322, HTTP 409).", 322, ""),
        PushRefused("The other controller at host refused the archive with status 404."),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_final_connector_error_is_not_retried(error: ConnectorError) -> None:
    failed = await _erase_fails(error)
    assert failed.non_retryable
    assert failed.type in {type(error).__name__, "AuthenticationFailed"}
    assert failed.message == str(error)


@pytest.mark.parametrize(
    "error",
    [
        SystemUnavailable("The registry did not answer; retrying later."),
        ConnectorError("The registrar refused to delete handle H1 because domains use it."),
        PushUnreachable("The other controller at host could not be reached (ConnectError)."),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_an_error_that_may_pass_is_retried(error: ConnectorError) -> None:
    failed = await _erase_fails(error)
    assert not failed.non_retryable
    assert failed.type == type(error).__name__


async def test_rate_limiting_is_retried_after_the_systems_delay() -> None:
    failed = await _erase_fails(RateLimited("Slow down.", retry_after=7))
    assert not failed.non_retryable and failed.next_retry_delay == timedelta(seconds=7)


@pytest.mark.parametrize(
    ("status", "final"), [(400, True), (422, True), (409, False), (423, False)]
)
def test_a_4xx_refusal_is_final_unless_it_says_not_now(status: int, final: bool) -> None:
    assert refused(f"The system refused the update with HTTP {status}.", status).final is final
