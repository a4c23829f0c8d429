"""A domain registry over EPP with TLS client certificates: contacts, domains, the poll queue.

`server` runs it (TLS, frames, rate limit), `views` handles the EPP commands, `wire` renders
the EPP documents, `data` holds the objects and their rules, `seed` the registry made from the
administration. The test CA it makes at start-up is simulators/tls.py.
"""

from simulators.epp.server import DEFAULT_COMPANY_CONTACT, EppSimulator

__all__ = ["DEFAULT_COMPANY_CONTACT", "EppSimulator"]
