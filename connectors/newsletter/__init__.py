"""The newsletter (`newsletter`): Mailman 3 core, operated in house, over its REST API.

`connector` is the connector and its factory, `client` the REST calls and their errors,
`rights` rectification, restriction and objection.
"""

from connectors.newsletter.connector import MailmanConnector, create

__all__ = ["MailmanConnector", "create"]
