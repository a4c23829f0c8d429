"""How a connector says an outside system failed; activities map these onto Temporal retries.

`final` says whether retrying can help: a final error (bad credentials, a refusal the system
will repeat, an object still associated elsewhere) is not retried, so the request needs
attention at once with the system's words; any other is retried with backoff first.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class. Messages name the system and the cause, never personal data."""

    # Retrying cannot help: a person must act (fix a setting, change something in the system).
    final = False


class AuthenticationFailed(ConnectorError):
    """Credentials were refused: retrying will not help, a person must fix the configuration."""

    final = True


class RateLimited(ConnectorError):
    """The system asked us to slow down; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SystemUnavailable(ConnectorError):
    """The system did not answer or answered 5xx: retry with backoff."""


class SystemRefused(ConnectorError):
    """The system refused the request itself (a 4xx answer other than credentials or
    throttling): it answers the same until someone changes the object or the request."""

    final = True


# 4xx answers that mean "not now" rather than "no": retried like any other failure.
NOT_NOW = frozenset({408, 409, 423, 425})


def refused(message: str, status: int) -> ConnectorError:
    """The error for a 4xx refusal: final, unless the status says it may pass."""
    return ConnectorError(message) if status in NOT_NOW else SystemRefused(message)
