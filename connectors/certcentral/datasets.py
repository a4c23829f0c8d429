"""What the certificate authority export holds, declared: orders and organisations."""

from __future__ import annotations

from domain.datasets import Basis, Category, Dataset

ORDERS, ORGANIZATIONS = "ca_orders", "ca_organizations"
# The CA is an independent controller: nothing here is portable from us.
DATASETS: tuple[Dataset, ...] = (
    Dataset(ORDERS, Category.CERTIFICATES, Basis.CONTRACT),
    Dataset(ORGANIZATIONS, Category.IDENTITY, Basis.CONTRACT),
)
