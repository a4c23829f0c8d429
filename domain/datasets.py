"""What each system declares about the datasets it exports: the facts a letter states.

A connector declares its datasets next to the code that produces them. The cover letter
takes the categories of data and their sources from these declarations (Art. 15(1)(b),
(g)), portability exports only the portable ones (Art. 20), and the policy checks that
every retention rule a dataset names exists. Nothing guesses these facts from names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """A category of personal data, as the letter names it; the order is the letter's."""

    IDENTITY = "identity"
    CONTRACTS = "contracts"
    BILLING = "billing"
    DOMAINS = "domains"
    CERTIFICATES = "certificates"
    NETWORK = "network"
    SUPPORT = "support"
    CALLS = "calls"
    NEWSLETTER = "newsletter"
    LOGS = "logs"


class Basis(StrEnum):
    """The lawful basis of the processing (Art. 6(1))."""

    CONSENT = "consent"  # (a)
    CONTRACT = "contract"  # (b)
    LEGAL_OBLIGATION = "legal_obligation"  # (c)
    LEGITIMATE_INTEREST = "legitimate_interest"  # (f)


class Source(StrEnum):
    """Where the data came from (Art. 15(1)(g))."""

    SUBJECT = "subject"  # given by the subject, or made by us from what they gave
    # A public register (RIPE, ARIN, a domain registry) or a registrar: others (a previous
    # provider, another registrar, the register itself) may have entered or changed it.
    REGISTER = "register"


@dataclass(frozen=True)
class Dataset:
    """One dataset a connector exports, under `data/<connector>/<name>` in the archive."""

    name: str
    category: Category
    basis: Basis
    source: Source = Source.SUBJECT
    # The retention rule of the policy that keeps this data after an erasure, if any.
    retention: str | None = None
    # Art. 20: provided by the subject and processed under a contract or consent.
    portable: bool = False

    def __post_init__(self) -> None:
        if self.portable and self.basis not in (Basis.CONTRACT, Basis.CONSENT):
            raise ValueError(
                f"Dataset {self.name!r}: only data processed under a contract or consent "
                "is portable (Art. 20(1)(a))."
            )


def portable_names(datasets: Iterable[Dataset]) -> frozenset[str]:
    return frozenset(d.name for d in datasets if d.portable)


@dataclass(frozen=True)
class Catalogue:
    """Every connector's declared datasets, by connector name and dataset name."""

    declared: Mapping[str, tuple[Dataset, ...]]

    def get(self, connector: str, dataset: str) -> Dataset | None:
        return next((d for d in self.declared.get(connector, ()) if d.name == dataset), None)

    def retention_rules(self) -> set[str]:
        """The retention rules the datasets name, which the policy must define."""
        return {d.retention for ds in self.declared.values() for d in ds if d.retention}
