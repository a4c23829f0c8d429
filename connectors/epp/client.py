"""An EPP session over TLS (RFC 5730, 5734): framing, greeting, login, one command at a time.

Result codes become connector errors here, so the connector reads like the erase path it is.
`EppPollReader` reads and acknowledges the registrar's poll queue, where the outcomes of
pending (1001) actions arrive.
"""

from __future__ import annotations

import asyncio
import ssl
import struct
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import connectors.epp.wire as wire
from connectors.epp.wire import MalformedResponse, Response
from connectors.errors import AuthenticationFailed, ConnectorError, RateLimited, SystemUnavailable
from runtime.settings import Settings

MAX_FRAME = 1 << 20
_HEADER = struct.Struct(">I")
# 2502 carries no delay; registries count commands per second, so a second clears the window.
RATE_LIMIT_RETRY_AFTER = 1.0
_LOGIN_REFUSED = (
    "The EPP registry refused the login of client {client}; "
    "check DSR_EPP_CLIENT_ID and DSR_EPP_PASSWORD."
)


class ObjectNotFound(ConnectorError):
    """2303: the object does not exist (or no longer does)."""


class ObjectAssociated(ConnectorError):
    """2305: the object is still used by another, e.g. a contact by a domain."""

    final = True  # the registry answers the same until someone changes the object


class ObjectStatusProhibits(ConnectorError):
    """2304: the object's status (e.g. pendingDelete, clientDeleteProhibited) forbids it."""

    final = True  # the registry answers the same until someone changes the object


class AuthorizationRefused(AuthenticationFailed):
    """2201: another registrar sponsors the object; we may not read or change it."""


class CommandRefused(ConnectorError):
    """Any other error result; `code` is the EPP result code."""

    final = True  # 2xxx refusals of the command itself: sending it again changes nothing

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class EppConfig:
    host: str
    port: int
    client_id: str
    password: str
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> EppConfig:
        return cls(
            host=settings.epp_host,
            port=settings.epp_port,
            client_id=settings.epp_client_id,
            password=settings.epp_password,
            ca_file=settings.epp_ca_file,
            cert_file=settings.epp_cert_file,
            key_file=settings.epp_key_file,
        )

    @property
    def where(self) -> str:
        return f"The EPP registry at {self.host}:{self.port}"


class EppSession:
    """One logged-in TLS connection; commands run one after the other."""

    def __init__(self, config: EppConfig) -> None:
        self._config = config
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    @property
    def closed(self) -> bool:
        return self._writer is None

    async def connect(self) -> None:
        """Open TLS with our client certificate and read the server's greeting."""
        config = self._config
        context = _client_context(config)
        try:
            async with asyncio.timeout(config.timeout):
                self._reader, self._writer = await asyncio.open_connection(
                    config.host, config.port, ssl=context
                )
        except ssl.SSLCertVerificationError as error:
            raise AuthenticationFailed(
                f"{config.where} presented a certificate that DSR_EPP_CA_FILE does not trust "
                f"({error.reason}); check that setting."
            ) from None
        except ssl.SSLError as error:
            raise _tls_refused(config, error.reason or type(error).__name__) from None
        except (OSError, TimeoutError) as error:
            raise _unavailable(config, "the connection", error) from None
        greeting = await self._read_greeting()
        try:
            greeted = wire.is_greeting(greeting)
        except MalformedResponse:
            greeted = False
        if not greeted:
            await self.aclose()
            raise ConnectorError(f"{config.where} did not greet with EPP; check DSR_EPP_PORT.")

    async def login(self) -> None:
        await self.request(wire.login(self._config.client_id, self._config.password), "login")

    async def request(self, verb: ET.Element, what: str) -> Response:
        """Send one command and return its response; error results raise (`what` names it)."""
        cl_trid = f"DSR-{uuid.uuid4().hex[:16]}"
        async with self._lock:
            try:
                await self._write(wire.command(verb, cl_trid), what)
                payload = await self._read(what)
            except asyncio.CancelledError:
                self._abandon()
                raise
        try:
            response = wire.parse_response(payload)
        except MalformedResponse as error:
            await self.aclose()
            raise ConnectorError(
                f"{self._config.where} answered the {what} with {error}."
            ) from None
        if response.cl_trid not in (None, cl_trid):
            self._abandon()
            raise SystemUnavailable(
                f"{self._config.where} answered another command than the {what}."
            )
        if response.code >= 2000:
            await self._raise_for(response, what)
        return response

    async def logout(self) -> None:
        """End the session politely; a registry that already hung up is fine too."""
        if not self.closed:
            with suppress(ConnectorError):
                await self.request(wire.logout(), "logout")
        await self.aclose()

    async def aclose(self) -> None:
        writer = self._abandon()
        if writer is not None:
            with suppress(OSError, TimeoutError):
                async with asyncio.timeout(self._config.timeout):
                    await writer.wait_closed()

    def _abandon(self) -> asyncio.StreamWriter | None:
        """Drop the connection now: responses can no longer be paired with their commands."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
        return writer

    async def _write(self, payload: bytes, what: str) -> None:
        if self._writer is None:
            raise SystemUnavailable(f"{self._config.where} closed the session before the {what}.")
        try:
            self._writer.write(_HEADER.pack(len(payload) + _HEADER.size) + payload)
            async with asyncio.timeout(self._config.timeout):
                await self._writer.drain()
        except (OSError, TimeoutError) as error:
            await self.aclose()
            raise _unavailable(self._config, f"the {what}", error) from None

    async def _read(self, what: str) -> bytes:
        try:
            return await self._read_frame()
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
            await self.aclose()
            raise _unavailable(self._config, f"the {what}", error) from None

    async def _read_greeting(self) -> bytes:
        """The greeting; a server that hangs up instead refused us during TLS."""
        try:
            return await self._read_frame()
        except TimeoutError as error:
            await self.aclose()
            raise _unavailable(self._config, "with a greeting", error) from None
        except (OSError, asyncio.IncompleteReadError) as error:
            # Under TLS 1.3 the server checks our certificate after the handshake, and asyncio
            # servers hang up without an alert: the greeting that never comes is the only sign.
            await self.aclose()
            reason = getattr(error, "reason", None) or "closed before its greeting"
            raise _tls_refused(self._config, reason) from None

    async def _read_frame(self) -> bytes:
        """One frame: a 4-byte big-endian length that counts itself, then the XML."""
        if self._reader is None:
            raise ConnectionResetError("session closed")
        async with asyncio.timeout(self._config.timeout):
            (total,) = _HEADER.unpack(await self._reader.readexactly(_HEADER.size))
            if _HEADER.size < total <= MAX_FRAME:
                return await self._reader.readexactly(total - _HEADER.size)
        await self.aclose()
        raise ConnectorError(f"{self._config.where} sent a frame of {total} bytes; not EPP.")

    async def _raise_for(self, response: Response, what: str) -> None:
        code, where = response.code, self._config.where
        if code >= 2500:  # the server closes the connection after these (RFC 5730 §3)
            await self.aclose()
        if code in (2200, 2501):
            raise AuthenticationFailed(_LOGIN_REFUSED.format(client=self._config.client_id))
        if code == 2201:
            raise AuthorizationRefused(
                f"{where} refused the {what}: another registrar sponsors the object; "
                "the subject must ask that registrar."
            )
        if code == 2502:
            raise RateLimited(
                f"{where} limited our commands at the {what}; retrying in a moment.",
                RATE_LIMIT_RETRY_AFTER,
            )
        if code in (2400, 2500):
            raise SystemUnavailable(f"{where} failed the {what} ({code}); retrying later.")
        if code == 2303:
            raise ObjectNotFound(f"{where} does not know the object of the {what}.")
        if code == 2304:
            raise ObjectStatusProhibits(
                f"{where} refused the {what}: the object's status forbids it."
            )
        if code == 2305:
            raise ObjectAssociated(f"{where} refused the {what}: other objects still use it.")
        raise CommandRefused(f"{where} refused the {what} with {code} {response.message}.", code)


async def info_data(epp: EppSession, command: ET.Element, what: str) -> ET.Element | None:
    """The infData of an info command; None when the object no longer exists or is not ours."""
    try:
        response = await epp.request(command, what)
    except (ObjectNotFound, AuthorizationRefused):
        return None
    return response.res_data


@asynccontextmanager
async def open_session(config: EppConfig) -> AsyncIterator[EppSession]:
    """A logged-in session for the duration of the block, logged out afterwards."""
    session = await logged_in_session(config)
    try:
        yield session
    finally:
        await session.logout()


async def logged_in_session(config: EppConfig) -> EppSession:
    session = EppSession(config)
    await session.connect()
    try:
        await session.login()
    except BaseException:
        await session.aclose()
        raise
    return session


@dataclass(frozen=True)
class PollMessage:
    """One message of the poll queue; `contact_id` and `pa_result` when it is a panData."""

    id: str
    contact_id: str | None
    pa_result: bool | None
    date: datetime | None
    queued: datetime | None
    text: str
    count: int  # messages in the queue, this one included

    @property
    def external_ref(self) -> str | None:
        """The `Outcome.external_ref` of the pending erasure this message confirms."""
        return f"contact:{self.contact_id}" if self.contact_id else None

    @property
    def succeeded(self) -> bool:
        """Whether the registry approved the pending change (`paResult`)."""
        return bool(self.pa_result)

    @property
    def confirmed_by(self) -> str:
        return f"EPP poll message {self.id}"


class EppPollReader:
    """Reads and acknowledges the poll queue over one long-lived session, reopened if lost."""

    def __init__(self, config: EppConfig) -> None:
        self._config = config
        self._session: EppSession | None = None

    async def read(self) -> PollMessage | None:
        """The oldest message, left in the queue until `ack`; None when the queue is empty."""
        session = await self._logged_in()
        response = await session.request(wire.poll_request(), "poll request")
        if response.code == 1300 or response.queue is None or response.queue.id is None:
            return None
        pan = wire.pan_data(response.res_data)
        return PollMessage(
            id=response.queue.id,
            contact_id=pan.contact_id if pan else None,
            pa_result=pan.approved if pan else None,
            date=pan.date if pan else None,
            queued=response.queue.queued,
            text=response.queue.text,
            count=response.queue.count,
        )

    async def ack(self, msg_id: str) -> bool:
        """Remove a message; False if the queue no longer holds it (acknowledged before)."""
        session = await self._logged_in()
        try:
            await session.request(wire.poll_ack(msg_id), "poll acknowledgement")
        except ObjectNotFound:
            return False
        return True

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.logout()

    async def _logged_in(self) -> EppSession:
        if self._session is None or self._session.closed:
            self._session = await logged_in_session(self._config)
        return self._session


def _client_context(config: EppConfig) -> ssl.SSLContext:
    """Trust the registry's CA; present our client certificate (RFC 5734 §9)."""
    try:
        context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
        if config.cert_file:
            context.load_cert_chain(config.cert_file, config.key_file)
    except (OSError, ssl.SSLError):
        raise AuthenticationFailed(
            "Cannot load the EPP TLS files; check DSR_EPP_CA_FILE, DSR_EPP_CERT_FILE and "
            "DSR_EPP_KEY_FILE."
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _tls_refused(config: EppConfig, reason: str) -> AuthenticationFailed:
    return AuthenticationFailed(
        f"{config.where} refused our TLS client certificate ({reason}); "
        "check DSR_EPP_CERT_FILE and DSR_EPP_KEY_FILE."
    )


def _unavailable(config: EppConfig, what: str, error: BaseException) -> SystemUnavailable:
    return SystemUnavailable(
        f"{config.where} did not answer {what} ({type(error).__name__}); check that it runs."
    )
