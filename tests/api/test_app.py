"""The agent API over a double of RequestService: auth, errors, downloads, codec, real HTTP."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest.mock import NonCallableMagicMock, create_autospec

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from api.app import create_app
from domain.errors import InvalidRequestInput
from domain.kinds import RequestKind, RequestState
from domain.messages import ActionResult, ConnectorProgress
from domain.records import ConnectorPlan, PlanAction, PlanItem
from runtime.keys import Keyring, generate_key_entry
from runtime.links import sign_link
from runtime.settings import Settings
from services.errors import ActionQueued, WorkerUnavailable
from services.requests import (
    ActionRefused,
    ListedRequest,
    RequestNotFound,
    RequestService,
    RequestStatus,
    SubmitForm,
    Submitted,
    TemporalUnavailable,
)
from services.updates import NOT_APPLIED, SENT_NOT_ACCEPTED
from store.blobs import LocalBlobStore
from store.registry import DuplicateAgentReference

UI = "http://localhost:8233"
EMAIL = "subject@example.com"
TOKENS = "t-agent:agent:Anna,t-officer:officer:Olaf,t-auditor:auditor:Aude"
AUTH = {role: {"Authorization": f"Bearer t-{role}"} for role in ("agent", "officer", "auditor")}
SUBMIT = {"kind": "access", "agent_ref": "T-1", "email": EMAIL, "received_on": "2026-01-15"}
DUE = date(2026, 2, 15)
PLAN = ConnectorPlan(
    "billing", (PlanItem("invoices", PlanAction.RETAIN, 3, "tax law", date(2033, 1, 1)),), ("vps",)
)
PROGRESS = RequestStatus(
    "r1",
    RequestKind.ERASURE,
    RequestState.AWAITING_APPROVAL,
    DUE,
    connectors=(ConnectorProgress("billing", "primary", "planned", records=3),),
    plans=(PLAN,),
    agent_ref="T-1",
)
STARTED = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def make_service() -> NonCallableMagicMock:
    """A double of RequestService; autospec checks every call against the real signatures."""
    double: NonCallableMagicMock = create_autospec(RequestService, instance=True)
    double.submit.return_value = Submitted("r1", "dsr-r1", RequestKind.ACCESS, DUE)
    double.status.return_value = PROGRESS
    double.list.return_value = [ListedRequest("r1", "access", "verifying", None, STARTED)]
    for action in ("verify", "approve", "cancel", "retry"):
        result = ActionResult(RequestState.EXECUTING, f"{action} done.")
        getattr(double, action).return_value = result
    return double


def make_app(
    home: Path, service: RequestService, blobs: LocalBlobStore, keyring: Keyring
) -> FastAPI:
    @asynccontextmanager
    async def serving(_: Settings) -> AsyncIterator[RequestService]:
        yield service

    settings = Settings(home=home, agent_tokens=TOKENS, temporal_ui_url=UI)
    return create_app(settings, service_factory=serving, blobs=blobs, keyring=keyring)


@asynccontextmanager
async def in_memory(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client talking ASGI to `app`, with its lifespan running."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api.test") as http,
    ):
        yield http


@pytest.fixture
def service() -> NonCallableMagicMock:
    return make_service()


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.parse(generate_key_entry("k1"))


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def app(
    tmp_path: Path, service: NonCallableMagicMock, blobs: LocalBlobStore, keyring: Keyring
) -> FastAPI:
    return make_app(tmp_path, service, blobs, keyring)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with in_memory(app) as http:
        yield http


def assert_one_sentence(response: httpx.Response, status: int) -> str:
    assert response.status_code == status
    assert set(response.json()) == {"error"}
    error: str = response.json()["error"]
    assert error.endswith(".") and "\n" not in error and "Traceback" not in error
    return error


# --- requests ---


async def test_submit_answers_201(client: httpx.AsyncClient, service: NonCallableMagicMock) -> None:
    response = await client.post("/requests", json=SUBMIT, headers=AUTH["agent"])
    assert response.status_code == 201
    assert response.json() == {
        "request_id": "r1",
        "workflow_id": "dsr-r1",
        "kind": "access",
        "due_on": "2026-02-15",
    }
    form = SubmitForm("access", "T-1", email=EMAIL, received_on=date(2026, 1, 15))
    service.submit.assert_awaited_once_with(form)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidRequestInput("The email address is malformed; check it."), 400),
        (DuplicateAgentReference("T-1", "r0"), 409),
        (TemporalUnavailable("Temporal could not answer (UNAVAILABLE); try again."), 503),
    ],
)
async def test_submit_errors_map_to_status(
    client: httpx.AsyncClient, service: NonCallableMagicMock, error: Exception, status: int
) -> None:
    service.submit.side_effect = error
    response = await client.post("/requests", json=SUBMIT, headers=AUTH["agent"])
    assert assert_one_sentence(response, status) == str(error)


@pytest.mark.parametrize(
    "content",
    [
        b'{"kind": "access", "agent_ref": "T-1", "email": "subject@example.com"',
        b'{"kind": "access", "agent_ref": "T-1", "emial": "subject@example.com"}',
        b'{"kind": "access", "agent_ref": "T-1", "email": ["subject@example.com"]}',
        b'{"kind": "access", "agent_ref": "T-1", "received_on": "subject@example.com"}',
        b'{"kind": "access", "email": "subject@example.com"}',
        b'["subject@example.com"]',
        b"",
    ],
    ids=["malformed", "unknown-field", "wrong-type", "bad-date", "missing", "array", "empty"],
)
async def test_bad_bodies_are_400_without_echoing_them(
    client: httpx.AsyncClient, service: NonCallableMagicMock, content: bytes
) -> None:
    headers = {**AUTH["agent"], "Content-Type": "application/json"}
    response = await client.post("/requests", content=content, headers=headers)
    error = assert_one_sentence(response, 400)
    assert "example" not in response.text
    assert service.mock_calls == []
    if b"emial" in content:
        assert error.startswith("Unknown field 'emial'")  # the field is named, its value is not


async def test_list_passes_filters(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    query: dict[str, str | int] = {"state": "verifying", "kind": "access", "limit": 5}
    response = await client.get("/requests", params=query, headers=AUTH["auditor"])
    listed = response.json()
    assert [(r["request_id"], r["state"], r["started"]) for r in listed] == [
        ("r1", "verifying", "2026-01-15T09:30:00Z")
    ]
    service.list.assert_awaited_once_with(state="verifying", kind="access", limit=5)


@pytest.mark.parametrize(
    "params", [{"state": "lost"}, {"kind": "gossip"}, {"limit": 0}, {"limit": "many"}]
)
async def test_list_rejects_bad_filters(
    client: httpx.AsyncClient, service: NonCallableMagicMock, params: dict[str, Any]
) -> None:
    response = await client.get("/requests", params=params, headers=AUTH["agent"])
    assert_one_sentence(response, 400)
    assert service.mock_calls == []


async def test_progress_is_json_with_iso_dates(client: httpx.AsyncClient) -> None:
    response = await client.get("/requests/T-1", headers=AUTH["auditor"])
    body = response.json()
    assert body["state"] == "awaiting_approval" and body["due_on"] == "2026-02-15"
    assert body["connectors"][0]["records"] == 3 and body["archive"] is None
    assert body["plans"][0]["items"][0]["until"] == "2033-01-01"
    assert body["plans"][0]["active_services"] == ["vps"]
    assert body["agent_ref"] == "T-1" and body["live"] is True and body["retrying"] == []


async def test_status_without_a_worker_is_the_last_known_state(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    unreachable = "The worker is unreachable: this is the last state recorded."
    last = RequestStatus(
        "r1", RequestKind.ACCESS, RequestState.VERIFYING, DUE, live=False, worker=unreachable
    )
    service.status.return_value = last
    body = (await client.get("/requests/r1", headers=AUTH["agent"])).json()
    assert (body["state"], body["live"], body["worker"]) == ("verifying", False, last.worker)


async def test_an_action_the_worker_could_not_take_is_503_and_was_not_sent(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    service.verify.side_effect = WorkerUnavailable(NOT_APPLIED)
    response = await client.post("/requests/r1/verify", json={"method": "called back"},
                                 headers=AUTH["agent"])  # fmt: skip
    assert assert_one_sentence(response, 503).startswith("Not applied")


async def test_a_queued_action_is_202_with_its_sentence(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    service.retry.side_effect = ActionQueued(SENT_NOT_ACCEPTED)
    response = await client.post("/requests/r1/retry", headers=AUTH["agent"])
    assert response.status_code == 202
    assert response.json() == {"status": "queued", "message": SENT_NOT_ACCEPTED}


async def test_unknown_ref_is_404(client: httpx.AsyncClient, service: NonCallableMagicMock) -> None:
    missing = RequestNotFound("No request matches 'T-9'; check the id or agent reference.")
    service.status.side_effect = service.retry.side_effect = missing
    assert_one_sentence(await client.get("/requests/T-9", headers=AUTH["agent"]), 404)
    assert_one_sentence(await client.post("/requests/T-9/retry", headers=AUTH["agent"]), 404)


async def test_refused_action_is_409(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    service.approve.side_effect = ActionRefused("There is no plan to approve yet; wait.")
    response = await client.post("/requests/r1/approve", headers=AUTH["officer"])
    assert assert_one_sentence(response, 409) == "There is no plan to approve yet; wait."


async def test_healthz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


# --- downloads ---


def link_token(keyring: Keyring, key: str, expires_in: int = 60, now: float | None = None) -> str:
    return sign_link(keyring.derive("download-links"), key, expires_in, now=now)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("archive.zip", "application/zip"),
        ("proof.txt", "text/plain; charset=utf-8"),
        ("manifest.json", "application/json"),
    ],
)
async def test_download_streams_the_blob(
    client: httpx.AsyncClient, blobs: LocalBlobStore, keyring: Keyring, name: str, content_type: str
) -> None:
    data = bytes(range(256)) * 1024  # several chunks
    blobs.put_bytes(f"requests/r1/{name}", data)
    response = await client.get(f"/downloads/{link_token(keyring, f'requests/r1/{name}')}")
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == content_type
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["cache-control"] == "no-store"


def forged(token: str) -> list[str]:
    body, mac = token.split(".")
    other = base64.urlsafe_b64encode(b"9999999999:requests/r2/archive.zip").decode().rstrip("=")
    flipped = ("B" if mac[0] == "A" else "A") + mac[1:]  # the first character is all MAC bits
    return [f"{body}.{flipped}", f"{other}.{mac}", "not-a-token"]


async def test_bad_links_are_refused(
    client: httpx.AsyncClient, blobs: LocalBlobStore, keyring: Keyring
) -> None:
    blobs.put_bytes("requests/r1/archive.zip", b"zip")
    for token in forged(link_token(keyring, "requests/r1/archive.zip")):
        assert_one_sentence(await client.get(f"/downloads/{token}"), 403)
    expired = link_token(keyring, "requests/r1/archive.zip", 60, now=time.time() - 120)
    assert "expired" in assert_one_sentence(await client.get(f"/downloads/{expired}"), 410)
    missing = link_token(keyring, "requests/r1/gone.zip")
    assert_one_sentence(await client.get(f"/downloads/{missing}"), 404)


# --- codec ---


def payloads_json(metadata: dict[str, bytes], data: bytes) -> dict[str, Any]:
    return json_format.MessageToDict(Payloads(payloads=[Payload(metadata=metadata, data=data)]))


async def test_codec_round_trip_hides_the_plaintext(client: httpx.AsyncClient) -> None:
    original = payloads_json({"encoding": b"json/plain"}, f'{{"email": "{EMAIL}"}}'.encode())
    encoded = await client.post("/codec/encode", json=original, headers=AUTH["agent"])
    assert encoded.status_code == 200
    assert EMAIL not in encoded.text
    assert original["payloads"][0]["data"] not in encoded.text
    decoded = await client.post("/codec/decode", json=encoded.json(), headers=AUTH["auditor"])
    assert decoded.status_code == 200
    assert decoded.json() == original


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        payloads_json({"encoding": b"binary/encrypted", "encryption-key-id": b"k1"}, b"0" * 40),
        payloads_json({"encoding": b"binary/encrypted", "encryption-key-id": b"old"}, b"0" * 40),
    ],
    ids=["not-payloads", "wrong-ciphertext", "unknown-key"],
)
async def test_codec_refuses_what_it_cannot_decode(client: httpx.AsyncClient, body: Any) -> None:
    assert_one_sentence(await client.post("/codec/decode", json=body, headers=AUTH["agent"]), 400)


async def test_cors_preflight_answers_the_temporal_ui(client: httpx.AsyncClient) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    response = await client.options("/codec/decode", headers={"Origin": UI, **asked})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI
    allowed = response.headers["access-control-allow-headers"].lower().replace(" ", "")
    assert {"authorization", "content-type", "x-namespace"} <= set(allowed.split(","))
    other = await client.options("/codec/decode", headers={"Origin": "http://evil.test", **asked})
    assert "access-control-allow-origin" not in other.headers


# --- real HTTP ---


@pytest.mark.server
def test_served_by_uvicorn_over_real_http(
    app: FastAPI, blobs: LocalBlobStore, keyring: Keyring
) -> None:
    blobs.put_bytes("requests/r1/proof.txt", b"Proof of erasure\n")
    token = link_token(keyring, "requests/r1/proof.txt")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            assert http.get("/healthz").json() == {"status": "ok"}
            download = http.get(f"/downloads/{token}")
            assert download.status_code == 200
            assert download.content == b"Proof of erasure\n"
            assert http.get("/requests").status_code == 401
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


async def test_push_address_is_corrected_by_an_agent(
    client: httpx.AsyncClient, service: NonCallableMagicMock
) -> None:
    url = "https://new-host.example/dsr/v1/imports"
    service.change_push_address.return_value = ActionResult(
        RequestState.NEEDS_ATTENTION, "Push address corrected; the archive is sent there now."
    )
    response = await client.post(
        "/requests/r1/push-address", json={"url": url}, headers=AUTH["agent"]
    )
    assert response.status_code == 200
    service.change_push_address.assert_awaited_once_with("r1", "Anna", url)
    refused = await client.post(
        "/requests/r1/push-address", json={"url": url}, headers=AUTH["auditor"]
    )
    assert refused.status_code == 403
