"""What the domain registry export holds, declared: contacts and domains in its register."""

from __future__ import annotations

from domain.datasets import Basis, Category, Dataset, Source

CONTACTS, DOMAINS = "epp_contacts", "epp_domains"
# The registry is an independent controller: nothing here is portable from us.
DATASETS: tuple[Dataset, ...] = (
    Dataset(CONTACTS, Category.IDENTITY, Basis.CONTRACT, Source.REGISTER),
    Dataset(DOMAINS, Category.DOMAINS, Basis.CONTRACT, Source.REGISTER),
)
