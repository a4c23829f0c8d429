"""The in-house administration and billing system (`billing`): who a subject is, and their data.

`connector` is the connector and its factory; `wire` the administration's tables; `queries`
which rows are a subject's; `erasure`, `expiry` and `rights` what the connector changes there.
"""

from connectors.billing.connector import BillingConnector, create

__all__ = ["BillingConnector", "create"]
