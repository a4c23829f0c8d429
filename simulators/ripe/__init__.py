"""The RIPE Database: its REST API over an in-memory RPSL store seeded from the administration.

`server` runs it, `views` handles the requests, `data` is the store and its rules, `updates`
the checks of a modify, `wire` the whois-resources JSON and XML, `seed` the store as seeded.
"""

from simulators.ripe.server import RipeSimulator

__all__ = ["RipeSimulator"]
