"""ARIN's Reg-RWS: POCs, Orgs, Nets, their links and associations-report tickets, as XML.

`server` runs it, `views` holds the routes and the `/_sim/` controls, `wire` the payloads,
`data` the registry and its rules, `seed` the registry made from the administration.
"""

from simulators.arin.server import ArinSimulator

__all__ = ["ArinSimulator"]
