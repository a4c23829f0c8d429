"""The in-house administration and billing database, synthetic: made and seeded for tests and demo.

`seed` creates the schema (connectors/billing/wire.py) and fills it with customers and eight
years of history; `people` makes up their names, phones and addresses.
"""

from simulators.billing.seed import (
    SeededContact,
    SeededCustomer,
    SeedSummary,
    create_and_seed,
    customer_number,
)

__all__ = ["SeedSummary", "SeededContact", "SeededCustomer", "create_and_seed", "customer_number"]
