"""The domain registry over EPP (`registry-epp`): contacts and domains through our account.

`connector` is the connector and its factory, `client` the TLS session and the poll-queue reader,
`wire` the EPP documents, `rights` rectification and restriction.
"""

from connectors.epp.client import EppConfig, EppPollReader, PollMessage
from connectors.epp.connector import EppRegistryConnector, create

__all__ = ["EppConfig", "EppPollReader", "EppRegistryConnector", "PollMessage", "create"]
