"""EPP sessions against the simulator: TLS, login, framing, rate limits and refusals."""

from __future__ import annotations

import asyncio
import ssl
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from connectors.epp import EppRegistryConnector, create, wire
from connectors.epp.client import (
    CommandRefused,
    EppConfig,
    EppSession,
    logged_in_session,
    open_session,
)
from connectors.errors import AuthenticationFailed, RateLimited, SystemUnavailable
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings
from simulators.epp import EppSimulator
from simulators.serving import free_port
from simulators.tls import create_authority, write_client_files
from tests.fixtures.epp import RICH_HANDLE, hints_of


@pytest.fixture
def connector(epp_settings: Settings) -> EppRegistryConnector:
    return create(epp_settings)


async def test_rate_limited_then_retried_after_the_indicated_delay(
    connector: EppRegistryConnector, epp_simulator: EppSimulator, admin_db_url: str
) -> None:
    hints = await hints_of(admin_db_url, 1)
    # One locate sends contact:info, domain:info and logout after its login: three commands.
    epp_simulator.set_rate_limit(3)
    assert (await connector.locate(SubjectIdentifiers(), hints)).found

    with pytest.raises(RateLimited) as limited:
        await connector.locate(SubjectIdentifiers(), hints)
    await asyncio.sleep(limited.value.retry_after)

    assert limited.value.retry_after == 1.0
    assert (await connector.locate(SubjectIdentifiers(), hints)).found


async def test_wrong_password_is_an_authentication_failure(epp_settings: Settings) -> None:
    wrong = epp_settings.model_copy(update={"epp_password": "not-the-password"})

    with pytest.raises(AuthenticationFailed) as failed:
        await create(wrong).locate(SubjectIdentifiers(), Hints(handles={"registry-epp": ("X1",)}))

    assert "DSR_EPP_PASSWORD" in str(failed.value)
    assert "not-the-password" not in str(failed.value) and "@" not in str(failed.value)


async def test_client_certificate_of_another_ca_is_refused(
    epp_settings: Settings, tmp_path: Path
) -> None:
    cert, key = write_client_files(create_authority("Someone else's CA"), tmp_path, "stranger")
    stranger = epp_settings.model_copy(update={"epp_cert_file": cert, "epp_key_file": key})

    with pytest.raises(AuthenticationFailed) as failed:
        await create(stranger).locate(
            SubjectIdentifiers(), Hints(handles={"registry-epp": ("X1",)})
        )

    assert "DSR_EPP_CERT_FILE" in str(failed.value)


async def test_registry_that_does_not_answer_is_unavailable(epp_settings: Settings) -> None:
    gone = epp_settings.model_copy(update={"epp_port": free_port()})

    with pytest.raises(SystemUnavailable):
        await create(gone).locate(SubjectIdentifiers(), Hints(handles={"registry-epp": ("X1",)}))


async def test_commands_before_login_are_a_use_error(epp_config: EppConfig) -> None:
    session = EppSession(epp_config)
    await session.connect()
    try:
        with pytest.raises(CommandRefused) as refused:
            await session.request(wire.contact_info(RICH_HANDLE), "contact info")
    finally:
        await session.aclose()

    assert refused.value.code == 2002


async def test_logout_ends_the_session(epp_config: EppConfig) -> None:
    session = await logged_in_session(epp_config)
    response = await session.request(wire.logout(), "logout")
    await session.aclose()

    assert (response.code, response.message) == (
        1500,
        "Command completed successfully; ending session",
    )


async def test_unimplemented_commands_are_refused(epp_config: EppConfig) -> None:
    check = ET.fromstring(
        f'<check xmlns="{wire.EPP_NS}"><contact:check xmlns:contact="{wire.CONTACT_NS}">'
        f"<contact:id>{RICH_HANDLE}</contact:id></contact:check></check>"
    )
    async with open_session(epp_config) as epp:
        with pytest.raises(CommandRefused) as refused:
            await epp.request(check, "contact check")

    assert refused.value.code == 2101


async def test_frames_count_their_own_four_byte_header(epp_simulator: EppSimulator) -> None:
    tls = epp_simulator.tls
    context = ssl.create_default_context(cafile=str(tls.ca_file))
    context.load_cert_chain(tls.client_cert, tls.client_key)
    reader, writer = await asyncio.open_connection(
        epp_simulator.host, epp_simulator.port, ssl=context
    )
    try:
        greetings = [await _raw_frame(reader)]
        hello = f'<?xml version="1.0"?><epp xmlns="{wire.EPP_NS}"><hello/></epp>'.encode()
        writer.write(struct.pack(">I", len(hello) + 4) + hello)
        greetings.append(await _raw_frame(reader))
    finally:
        writer.close()

    assert all(wire.is_greeting(g) for g in greetings)


async def _raw_frame(reader: asyncio.StreamReader) -> bytes:
    (total,) = struct.unpack(">I", await reader.readexactly(4))
    return await reader.readexactly(total - 4)
