"""What the RIPE Database export holds, declared: a public register others may change."""

from __future__ import annotations

from domain.datasets import Basis, Category, Dataset, Source

PERSONS, REFERENCES = "ripe_persons", "ripe_references"
# RIPE NCC is an independent controller: nothing here is portable from us.
DATASETS: tuple[Dataset, ...] = (
    Dataset(PERSONS, Category.IDENTITY, Basis.CONTRACT, Source.REGISTER),
    Dataset(REFERENCES, Category.NETWORK, Basis.CONTRACT, Source.REGISTER),
)
