"""A CertCentral-style certificate authority: orders, organisations, contacts, revoke requests.

`server` runs it, `views` is the Services API v2 and the `/_sim` console, `wire` its JSON
shapes, `data` the account and its refusals, `seed` the account made from the administration.
"""

from simulators.certcentral.server import CertCentralSimulator

__all__ = ["CertCentralSimulator"]
