"""The domain registrar (`registrar-openprovider`): customer handles and their domains, over REST.

`connector` is the connector and its factory, `client` the bearer login, envelope and paging,
`wire` the vendor's split of phones and street lines, `rights` rectification and restriction.
"""

from connectors.registrar.connector import RegistrarConnector, create

__all__ = ["RegistrarConnector", "create"]
