"""What the ARIN export holds, declared: points of contact in a public register."""

from __future__ import annotations

from domain.datasets import Basis, Category, Dataset, Source

POCS, LINKS = "arin_pocs", "arin_links"
# ARIN is an independent controller: nothing here is portable from us.
DATASETS: tuple[Dataset, ...] = (
    Dataset(POCS, Category.IDENTITY, Basis.CONTRACT, Source.REGISTER),
    Dataset(LINKS, Category.NETWORK, Basis.CONTRACT, Source.REGISTER),
)
