"""ARIN (`arin`): the subject's Points of Contact on our IP space, over Reg-RWS.

`connector` is the connector and its factory, `client` the HTTP calls and their errors, `wire`
the XML payloads, `rights` rectification of a POC.
"""

from connectors.arin.connector import ArinConnector, create

__all__ = ["ArinConnector", "create"]
