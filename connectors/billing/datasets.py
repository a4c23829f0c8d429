"""What the administration exports, declared: category, basis, retention, portability."""

from __future__ import annotations

from domain.datasets import Basis, Category, Dataset

DATASETS: tuple[Dataset, ...] = (
    # Art. 20: what the subject provided or what arises from the contract.
    Dataset("customer", Category.IDENTITY, Basis.CONTRACT, portable=True),
    Dataset("contacts", Category.IDENTITY, Basis.CONTRACT, portable=True),
    Dataset("services", Category.CONTRACTS, Basis.CONTRACT, retention="contracts", portable=True),
    Dataset("orders", Category.CONTRACTS, Basis.CONTRACT, retention="orders", portable=True),
    Dataset("domains", Category.DOMAINS, Basis.CONTRACT, portable=True),
    Dataset("support_tickets", Category.SUPPORT, Basis.CONTRACT, portable=True),
    Dataset("certificates", Category.CERTIFICATES, Basis.CONTRACT),
    Dataset("ip_assignments", Category.NETWORK, Basis.CONTRACT),
    # The company's own records for its legal duties: kept, and not portable.
    Dataset("invoices", Category.BILLING, Basis.LEGAL_OBLIGATION, retention="invoices"),
    Dataset("payments", Category.BILLING, Basis.LEGAL_OBLIGATION, retention="payments"),
    Dataset("consents", Category.NEWSLETTER, Basis.CONSENT, retention="consent_records"),
    Dataset(
        "call_recordings", Category.CALLS, Basis.LEGITIMATE_INTEREST, retention="call_recordings"
    ),
)
