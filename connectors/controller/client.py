"""Sending a portability archive to another controller's HTTPS endpoint (Art. 20(2)).

The protocol is dsr's own (docs/decisions/0008-rights-beyond-access-and-erasure.md): the ZIP
as the body, `Content-Digest` so the receiver can check it, `Idempotency-Key` (the request id)
so a retried push is not imported twice, and a receipt in the answer that we keep.

A failed push raises a `PushFailed` whose class names what went wrong; `final` (from
`ConnectorError`) says that retrying cannot help, `retry_after` when the receiver asked us to
wait. An address that cannot work — not a URL, a host name that does not exist, a certificate
our trust does not accept — and a 4xx refusal are final: the request needs attention at once,
and an agent corrects the address (`dsr push-address`) or retries after checking with them.
"""

from __future__ import annotations

import base64
import socket
import ssl
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import structlog

from connectors.errors import ConnectorError

log = structlog.get_logger()
_RETRYABLE = {408, 425, 429, 500, 502, 503, 504}
# getaddrinfo's "no such name" answers; EAI_AGAIN (the resolver did not answer) is retried.
_NO_SUCH_HOST = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


class PushFailed(ConnectorError):
    """The archive did not arrive, or arrived without a receipt we can keep."""

    retry_after: timedelta | None = None


class PushUnreachable(PushFailed):
    """No answer from the endpoint (connection refused or reset, timeout): it may come back."""


class PushAddressInvalid(PushFailed):
    """The address cannot work: not a usable URL, no such host, or a certificate we do not
    trust. Sending again changes nothing; a person checks the address."""

    final = True


class PushDeferred(PushFailed):
    """408, 425, 429 or a server error: try again, after Retry-After when it says so."""

    def __init__(self, message: str, retry_after: timedelta | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PushRefused(PushFailed):
    """Any other answer outside 2xx: the receiver will not take it; a person checks."""

    final = True


class PushNoReceipt(PushFailed):
    """Accepted, but the answer holds no receipt and digest."""

    final = True


class PushCorrupted(PushFailed):
    """The receiver's digest is not ours: it received other bytes; send again."""


@dataclass(frozen=True)
class Receipt:
    receipt: str
    sha256: str
    status: int


class ControllerClient:
    """Pushes archives over HTTPS, trusting the system's CAs or the one in `ca_file`."""

    def __init__(self, ca_file: Path | None = None) -> None:
        self._verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
        )

    async def push(
        self,
        url: str,
        body: AsyncIterable[bytes],
        *,
        digest: bytes,
        size: int,
        idempotency_key: str,
    ) -> Receipt:
        """POST the archive streamed from `body`, whose SHA-256 is `digest`; the receipt."""
        host = urlsplit(url).hostname or "the endpoint"
        headers = {
            "Content-Type": "application/zip",
            "Content-Digest": f"sha-256=:{base64.b64encode(digest).decode()}:",
            "Idempotency-Key": idempotency_key,
            "Content-Length": str(size),
        }
        try:
            async with httpx.AsyncClient(
                verify=self._verify, timeout=httpx.Timeout(60.0, connect=10.0)
            ) as client:
                response = await client.post(url, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as err:
            raise _not_sent(err, host) from None
        return _receipt(response, host, digest.hex())


def _not_sent(err: Exception, host: str) -> PushFailed:
    """Why no answer came: an address that cannot work is final, anything else is retried."""
    causes = _causes(err)
    if isinstance(err, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return PushAddressInvalid(
            f"The address of the other controller at {host} is not a usable https:// URL; "
            "correct it with dsr push-address."
        )
    if any(isinstance(c, socket.gaierror) and c.errno in _NO_SUCH_HOST for c in causes):
        return PushAddressInvalid(
            f"The host {host} of the other controller does not exist; check the address with "
            "them and correct it with dsr push-address."
        )
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return PushAddressInvalid(
            f"The other controller at {host} presented a certificate we do not trust; check "
            "the address with them, then correct it with dsr push-address or retry."
        )
    return PushUnreachable(
        f"The other controller at {host} could not be reached ({type(err).__name__})."
    )


def _causes(err: BaseException) -> list[BaseException]:
    """The exception and the ones it was raised from, innermost last."""
    chain: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _receipt(response: httpx.Response, host: str, sha256: str) -> Receipt:
    status = response.status_code
    if status in _RETRYABLE:
        raise PushDeferred(
            f"The other controller at {host} answered {status}; trying again.",
            _retry_after(response.headers.get("retry-after")),
        )
    if not 200 <= status < 300:
        raise PushRefused(
            f"The other controller at {host} refused the archive with status {status}; "
            "check the address with them, then retry."
        )
    try:
        body = response.json()
        receipt, echoed = str(body["receipt"]), str(body["sha256"])
    except (ValueError, KeyError, TypeError):
        raise PushNoReceipt(
            f"The other controller at {host} accepted the archive but sent no receipt."
        ) from None
    if echoed != sha256:
        raise PushCorrupted(
            f"The other controller at {host} received a different archive; trying again."
        )
    log.info("archive_pushed", host=host, status=status)
    return Receipt(receipt=receipt, sha256=echoed, status=status)


def _retry_after(header: str | None) -> timedelta | None:
    try:
        return timedelta(seconds=max(1.0, float(header))) if header else None
    except ValueError:
        return None
