"""The certificate authority (`certcentral`): DigiCert CertCentral's Services API v2.

`connector` is the connector and its factory, `client` the key header, paging and errors,
`rights` rectification of organisation and order contacts.
"""

from connectors.certcentral.connector import CertCentralConnector, create

__all__ = ["CertCentralConnector", "create"]
