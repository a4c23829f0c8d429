"""Every configured system declares its datasets, and the policy knows their retention rules."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from connectors.billing.datasets import DATASETS as BILLING
from connectors.billing.queries import Scope, dataset_queries
from domain.datasets import Basis, Catalogue, Category, Dataset
from runtime.policy import PolicyError, load_policy

POLICY = load_policy(Path(__file__).resolve().parents[2] / "policy.toml")


def declared(factory: str) -> tuple[Dataset, ...]:
    """The datasets of the connector class a policy.toml factory builds."""
    package = importlib.import_module(factory.partition(":")[0])
    connector_classes = [
        getattr(package, name) for name in package.__all__ if name.endswith("Connector")
    ]
    assert len(connector_classes) == 1, factory
    datasets: tuple[Dataset, ...] = connector_classes[0].datasets
    return datasets


@pytest.mark.parametrize("entry", POLICY.connectors, ids=lambda e: e.name)
def test_each_configured_system_declares_unique_datasets(entry: object) -> None:
    datasets = declared(entry.factory)  # type: ignore[attr-defined]
    names = [d.name for d in datasets]
    assert names and len(names) == len(set(names))


def test_the_shipped_policy_defines_every_retention_rule_a_dataset_names() -> None:
    catalogue = Catalogue({e.name: declared(e.factory) for e in POLICY.connectors})
    assert catalogue.retention_rules() == {
        "invoices", "payments", "orders", "contracts", "consent_records", "call_recordings",
    }  # fmt: skip
    POLICY.check_datasets(catalogue)


def test_a_retention_rule_the_policy_lacks_stops_the_worker() -> None:
    catalogue = Catalogue(
        {"x": (Dataset("calls", Category.CALLS, Basis.CONTRACT, retention="phone_calls"),)}
    )
    with pytest.raises(PolicyError, match="phone_calls"):
        POLICY.check_datasets(catalogue)


def test_billing_exports_exactly_what_it_declares() -> None:
    exported = set(dataset_queries(Scope(customer_ids=(1,), contact_ids=(2,))))
    assert exported == {d.name for d in BILLING}
    assert set(dataset_queries(Scope(contact_ids=(2,)))) <= exported


def test_only_contract_or_consent_data_can_be_declared_portable() -> None:
    with pytest.raises(ValueError, match=r"Art\. 20"):
        Dataset("invoices", Category.BILLING, Basis.LEGAL_OBLIGATION, portable=True)
