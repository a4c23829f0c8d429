"""What the registrar export holds, declared: the subject's handle and its domains."""

from __future__ import annotations

from domain.datasets import Basis, Category, Dataset, Source

CUSTOMERS, DOMAINS = "registrar_customers", "registrar_domains"
DATASETS: tuple[Dataset, ...] = (
    # The handle holds what the subject gave when registering: portable (Art. 20).
    Dataset(CUSTOMERS, Category.IDENTITY, Basis.CONTRACT, Source.REGISTER, portable=True),
    Dataset(DOMAINS, Category.DOMAINS, Basis.CONTRACT, Source.REGISTER),
)
