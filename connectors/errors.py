"""How a connector says an outside system failed; activities map these onto Temporal retries."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class. Messages name the system and the cause, never personal data."""


class AuthenticationFailed(ConnectorError):
    """Credentials were refused: retrying will not help, a person must fix the configuration."""


class RateLimited(ConnectorError):
    """The system asked us to slow down; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SystemUnavailable(ConnectorError):
    """The system did not answer or answered 5xx: retry with backoff."""
