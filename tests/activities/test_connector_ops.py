"""The sink a connector exports into: only declared datasets, and for portability only the
portable ones."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from activities.connector_ops import DeclaredSink
from domain.datasets import Basis, Category, Dataset
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
