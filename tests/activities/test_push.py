"""The portability push (Art. 20(2)) over real HTTPS to the receiving controller's simulator."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import ssl
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.push import PushActivities
from domain.messages import DeliveryRef, PushInput, PushReceipt
from simulators.controller import IMPORT_PATH, ControllerSimulator
from store.blobs import LocalBlobStore

REQUEST_ID = "dsr-push-1"
KEY = f"{REQUEST_ID}/portability/archive.zip"
HOST = "127.0.0.1"


def _zip(payload: bytes, name: str = "data/billing/contacts.json") -> bytes:
    """A real ZIP; stored, not deflated, so random payloads keep it over one read chunk."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("README.txt", "Your data, to take with you.\n")
        archive.writestr(name, payload)
    return buffer.getvalue()


# Over 2 MiB: the activity streams it in several 1 MiB chunks.
ARCHIVE = _zip(os.urandom(2 * 1024 * 1024 + 12345))


@pytest.fixture
def controller(tmp_path: Path) -> Iterator[ControllerSimulator]:
    with ControllerSimulator(tmp_path / "controller-tls") as simulator:
        yield simulator


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def pusher(blobs: LocalBlobStore, controller: ControllerSimulator) -> PushActivities:
    return PushActivities(blobs, controller.tls.ca_file)


def _store(blobs: LocalBlobStore, data: bytes = ARCHIVE, key: str = KEY) -> DeliveryRef:
    blobs.put_bytes(key, data)
    return DeliveryRef(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


async def _push(
    activities: PushActivities, archive: DeliveryRef, url: str, request_id: str = REQUEST_ID
) -> PushReceipt:
    env = ActivityEnvironment()
    return await env.run(activities.push_archive, PushInput(request_id, archive, url))


async def _push_fails(
    activities: PushActivities, archive: DeliveryRef, url: str, request_id: str = REQUEST_ID
) -> ApplicationError:
    with pytest.raises(ApplicationError) as err:
        await _push(activities, archive, url, request_id)
    return err.value


def _imports(controller: ControllerSimulator) -> list[dict[str, object]]:
    """What the receiving side says it holds, asked over HTTPS like any client would."""
    trust = ssl.create_default_context(cafile=str(controller.tls.ca_file))
    response = httpx.get(f"{controller.base_url}/_sim/imports", verify=trust, timeout=30)
    response.raise_for_status()
    imports: list[dict[str, object]] = response.json()
    return imports


def _assert_names_host_only(error: ApplicationError, *secrets: str) -> None:
    message = str(error)
    assert error.message in message
    assert HOST in message
    assert IMPORT_PATH not in message
    assert "/dsr/" not in message
    for secret in secrets:
        assert secret not in message


async def test_the_push_returns_the_receipt_and_the_controller_holds_the_same_bytes(
    blobs: LocalBlobStore, pusher: PushActivities, controller: ControllerSimulator
) -> None:
    archive = _store(blobs)
    before = datetime.now(UTC)

    receipt = await _push(pusher, archive, controller.url)

    received = controller.state.by_key[REQUEST_ID]
    assert received.body == ARCHIVE
    assert received.size == len(ARCHIVE)
    assert receipt.receipt == received.receipt
    assert receipt.receipt.startswith("imp-")
    assert receipt.sha256 == archive.sha256 == hashlib.sha256(ARCHIVE).hexdigest()
    assert receipt.status == 201
    assert receipt.at.tzinfo is not None and receipt.at >= before
    assert _imports(controller) == [
        {
            "key": REQUEST_ID,
            "receipt": receipt.receipt,
            "sha256": archive.sha256,
            "received_at": received.received_at,
            "size": len(ARCHIVE),
        }
    ]


async def test_a_second_push_of_the_same_request_gets_the_same_receipt(
    blobs: LocalBlobStore, pusher: PushActivities, controller: ControllerSimulator
) -> None:
    archive = _store(blobs)

    first = await _push(pusher, archive, controller.url)
    again = await _push(pusher, archive, controller.url)

    assert first.status == 201
    assert again.status == 200
    assert again.receipt == first.receipt
    assert again.sha256 == first.sha256
    assert len(_imports(controller)) == 1


async def test_another_request_is_imported_separately(
    blobs: LocalBlobStore, pusher: PushActivities, controller: ControllerSimulator
) -> None:
    archive = _store(blobs)

    first = await _push(pusher, archive, controller.url)
    other = await _push(pusher, archive, controller.url, request_id="dsr-push-2")

    assert other.status == 201
    assert other.receipt != first.receipt
    assert {i["key"] for i in _imports(controller)} == {REQUEST_ID, "dsr-push-2"}


async def test_rate_limiting_is_retried_after_the_delay_the_controller_asks(
    blobs: LocalBlobStore, pusher: PushActivities, controller: ControllerSimulator
) -> None:
    archive = _store(blobs)
    controller.state.rate_limited = 1

    error = await _push_fails(pusher, archive, controller.url)

    assert error.type == "PushDeferred"
    assert not error.non_retryable
    assert error.next_retry_delay == timedelta(seconds=1)
    assert "429" in error.message
    _assert_names_host_only(error)
    assert controller.state.by_key == {}
    # The retry the error asks for goes through.
    receipt = await _push(pusher, archive, controller.url)
    assert receipt.status == 201
    assert controller.state.by_key[REQUEST_ID].body == ARCHIVE


async def test_an_address_the_controller_does_not_know_is_refused_for_good(
    blobs: LocalBlobStore, pusher: PushActivities, controller: ControllerSimulator
) -> None:
    archive = _store(blobs)
    url = f"{controller.base_url}/dsr/v1/imports-for/anna.de.wit?token=t0ps3cret"

    error = await _push_fails(pusher, archive, url)

    assert error.type == "PushRefused"
    assert error.non_retryable
    assert "refused" in error.message
    assert "404" in error.message
    _assert_names_host_only(error, "anna.de.wit", "t0ps3cret")
    assert controller.state.by_key == {}


async def test_the_same_request_id_with_another_archive_is_refused_for_good(
    blobs: LocalBlobStore, pusher: PushActivities, controller: ControllerSimulator
) -> None:
    await _push(pusher, _store(blobs), controller.url)
    changed = _store(blobs, _zip(b'{"name": "Anna de Wit"}'), key=f"{REQUEST_ID}/other.zip")

    error = await _push_fails(pusher, changed, controller.url)

    assert error.type == "PushRefused"
    assert error.non_retryable
    assert "409" in error.message
    _assert_names_host_only(error)
    assert controller.state.by_key[REQUEST_ID].body == ARCHIVE


async def test_an_untrusted_certificate_is_final_and_names_the_correction(
    blobs: LocalBlobStore, controller: ControllerSimulator
) -> None:
    archive = _store(blobs)
    system_trust_only = PushActivities(blobs)

    error = await _push_fails(system_trust_only, archive, f"{controller.url}?token=t0ps3cret")

    # Retrying cannot make the certificate trusted: a person checks the address at once.
    assert error.type == "PushAddressInvalid"
    assert error.non_retryable
    assert "certificate we do not trust" in error.message
    assert "dsr push-address" in error.message
    _assert_names_host_only(error, "t0ps3cret")
    assert controller.state.by_key == {}


@pytest.mark.parametrize(("errno", "final"), [(socket.EAI_NONAME, True), (socket.EAI_AGAIN, False)])
async def test_a_host_that_does_not_exist_is_final_a_silent_resolver_is_retried(
    blobs: LocalBlobStore, monkeypatch: pytest.MonkeyPatch, errno: int, final: bool
) -> None:
    async def resolving(*_: object, **__: object) -> httpx.Response:
        try:
            raise socket.gaierror(errno, "name resolution")
        except socket.gaierror as gaierror:
            raise httpx.ConnectError(str(gaierror)) from gaierror

    monkeypatch.setattr(httpx.AsyncClient, "post", resolving)
    url = "https://receiver.example/dsr/v1/imports?token=t0ps3cret"

    error = await _push_fails(PushActivities(blobs), _store(blobs), url)

    assert error.non_retryable is final
    assert error.type == ("PushAddressInvalid" if final else "PushUnreachable")
    assert "receiver.example" in error.message and "t0ps3cret" not in error.message


async def test_a_closed_port_is_retried_as_unreachable(
    blobs: LocalBlobStore, pusher: PushActivities, tmp_path: Path
) -> None:
    archive = _store(blobs)
    with ControllerSimulator(tmp_path / "gone-tls") as gone:
        url = gone.url
    # The simulator is stopped: nothing listens on its port now.

    error = await _push_fails(pusher, archive, url)

    assert error.type == "PushUnreachable"
    assert not error.non_retryable
    _assert_names_host_only(error)


async def test_an_archive_changed_since_it_was_compiled_is_not_sent(
    blobs: LocalBlobStore, pusher: PushActivities, controller: ControllerSimulator
) -> None:
    compiled = _store(blobs)
    blobs.put_bytes(KEY, _zip(b"something else"))

    error = await _push_fails(pusher, compiled, controller.url)

    assert error.type == "ArchiveChanged"
    assert error.non_retryable
    assert error.message == "The archive changed since it was compiled; compile it again."
    assert controller.state.by_key == {}
    assert _imports(controller) == []
