"""The RIPE Database (`ripe`): the subject's person objects on our networks, over RIPE's REST API.

`connector` is the connector and its factory, `client` the answers as connector errors and the
paths of objects, `wire` the whois-resources objects, `rights` rectification of a person.
"""

from connectors.ripe.connector import RipeConnector, create

__all__ = ["RipeConnector", "create"]
