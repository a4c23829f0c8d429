"""Access and erasure through the real stack: CLI → Temporal dev server → worker → systems."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import mailbox
import re
import time
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from simulators.billing import SeededCustomer
from stack import NEWSLETTER_LIST, Stack
from tests.e2e.conftest import Cli, archive_bytes, open_archive, request_id_from

pytestmark = pytest.mark.e2e

# Datasets of the administration system keyed by the table holding the subject's rows.
ACCOUNT_TABLES = ["domains", "certificates", "ip_assignments", "invoices", "orders", "consents",
                  "services", "support_tickets", "call_recordings"]  # fmt: skip


def admin_db(stack: Stack) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{stack.home / 'administration.sqlite3'}")


def expected_ids(stack: Stack, customer_id: int) -> dict[str, set[int]]:
    """The subject's rows, read straight from the administration database (the oracle)."""
    with admin_db(stack).connect() as conn:

        def ids(sql: str) -> set[int]:
            return {row[0] for row in conn.execute(sa.text(sql), {"c": customer_id})}

        found = {t: ids(f"SELECT id FROM {t} WHERE customer_id = :c") for t in ACCOUNT_TABLES}
        found["customer"] = ids("SELECT id FROM customers WHERE id = :c")
        found["contacts"] = ids("SELECT id FROM contacts WHERE customer_id = :c")
        found["payments"] = ids(
            "SELECT p.id FROM payments p JOIN invoices i ON p.invoice_id = i.id "
            "WHERE i.customer_id = :c"
        )
    return {name: rows for name, rows in found.items() if rows}


def submit(cli: Cli, kind: str, email: str, ref: str) -> str:
    return request_id_from(cli.ok("submit", kind, "--email", email, "--agent-ref", ref))


def access_subject(stack: Stack) -> SeededCustomer:
    """A newsletter customer other than the rich one, whom the erasure test erases."""
    assert stack.seed is not None
    return next(c for c in stack.seed.customers[1:] if c.newsletter)


@pytest.fixture(scope="module")
def access_request(stack: Stack, cli: Cli) -> Iterator[str]:
    subject = access_subject(stack)
    request_id = submit(cli, "access", subject.email, "E2E-ACCESS-1")
    cli.ok("verify", request_id, "--method", "called back on the number on file")
    out = cli.ok("wait", request_id, "--until", "completed")
    assert "completed" in out
    yield request_id


def test_access_archive_holds_every_record_of_the_subject_and_no_other(
    stack: Stack, access_request: str
) -> None:
    assert stack.seed is not None
    subject = access_subject(stack)
    datasets = open_archive(stack, access_request)
    for name, ids in expected_ids(stack, subject.customer_id).items():
        got = [r["id"] for r in datasets[f"billing/{name}"]]
        assert sorted(got) == sorted(ids), name
    subscriptions = datasets["newsletter/subscriptions"]
    assert [s["list_id"] for s in subscriptions] == [NEWSLETTER_LIST.replace("@", ".")]
    everything = archive_bytes(stack, access_request)
    assert subject.email.encode() in everything
    for other in stack.seed.customers:
        if other.customer_id != subject.customer_id:
            assert other.email.encode() not in everything, other.customer_number


def test_history_of_finished_request_has_no_email_or_name(
    stack: Stack, cli: Cli, access_request: str
) -> None:
    subject = access_subject(stack)
    history = cli.temporal("workflow", "show", "--workflow-id", f"dsr-{access_request}",
                           "--output", "json")  # fmt: skip
    events = json.loads(history)
    assert len(history) > 1000
    clear, payload_bytes = _texts_and_payloads(events)
    # Outside payload bytes, not even a part of the name or the mailbox name appears.
    for secret in [subject.email, subject.email.split("@")[0], *subject.name.split()]:
        assert secret not in clear, secret
    # Payloads are ciphertext: the full email and name are not in their decoded bytes.
    for secret in [subject.email, subject.name]:
        assert secret.encode() not in payload_bytes, secret


def _texts_and_payloads(node: object) -> tuple[str, bytes]:
    """All strings of the history JSON, and the decoded bytes of every payload `data` field.

    Random base64 ciphertext can contain any short word by chance, so payload data is
    checked as bytes for whole values instead of as text for name parts.
    """
    texts: list[str] = []
    payloads: list[bytes] = []

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                # Payload metadata values are base64 too (encoding, key id).
                walk(v, "data" if key == "metadata" else k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str):
            if key == "data":
                payloads.append(base64.b64decode(value))
            else:
                texts.append(value)

    walk(node)
    return "\n".join(texts), b"\n".join(payloads)


def test_visibility_query_finds_the_completed_access_request(cli: Cli, access_request: str) -> None:
    out = cli.temporal("workflow", "list", "--query", "DsrState='completed' AND DsrKind='access'")
    assert f"dsr-{access_request}" in out
    listed = cli.ok("list", "--state", "completed", "--kind", "access")
    assert access_request in listed


def test_erasure_reaches_every_system_and_the_proof_says_how_each_confirmed(
    stack: Stack, cli: Cli, access_request: str
) -> None:
    assert stack.seed is not None
    subject = stack.seed.rich_customer
    request_id = submit(cli, "erasure", subject.email, "E2E-ERASE-1")
    cli.ok("verify", request_id, "--method", "answered from the address on file")
    cli.ok("wait", request_id, "--until", "awaiting_approval")
    plan = cli.ok("status", request_id)
    assert "retain" in plan and "invoices" in plan
    refused = cli("approve", request_id)  # active services: the agent must choose
    assert refused.returncode != 0 and "--terminate" in refused.stderr
    cli.ok("approve", request_id, "--terminate")
    cli.ok("wait", request_id, "--until", "completed")
    with admin_db(stack).connect() as conn:
        customer = conn.execute(
            sa.text("SELECT email, name, anonymised_at FROM customers WHERE id = :c"),
            {"c": subject.customer_id},
        ).one()
        assert customer.email is None and subject.name not in customer.name
        assert customer.anonymised_at is not None
        kept = conn.execute(
            sa.text("SELECT restricted, delete_after FROM invoices WHERE customer_id = :c"),
            {"c": subject.customer_id},
        ).all()
        assert kept and all(row.restricted and row.delete_after for row in kept)
    address = httpx.get(
        f"http://127.0.0.1:{stack.ports.mailman}/3.1/addresses/{subject.email}",
        auth=("restadmin", stack.env["DSR_MAILMAN_PASSWORD"]),
    )
    assert address.status_code == 404
    proof = next((stack.home / "blobs" / "requests" / request_id / "delivery").glob("*.json"))
    systems = {s["system"]: s for s in json.loads(proof.read_text())["systems"]}
    assert {name: s["outcome"] for name, s in systems.items()} == {
        name: "done"
        for name in ["billing", "newsletter", "ripe", "arin", "registry-epp",
                     "registrar-openprovider", "certcentral"]
    }  # fmt: skip
    assert {r["category"] for r in systems["billing"]["retained"]} >= {"invoices"}
    # Each later confirmation came the way its system really confirms.
    assert systems["registry-epp"]["confirmed_by"].startswith("EPP poll message ")
    assert systems["registrar-openprovider"]["confirmed_by"].startswith(
        "registrar-openprovider webhook "
    )
    assert "approved" in systems["certcentral"]["confirmed_by"]
    letter = proof.with_suffix(".txt").read_text()
    assert "Certificate Transparency" in letter


def test_worker_killed_mid_request_completes_with_each_record_once(stack: Stack, cli: Cli) -> None:
    assert stack.seed is not None
    subject = stack.seed.customers[4]
    request_id = submit(cli, "access", subject.email, "E2E-KILL-1")
    stack.freeze_mailman(True)  # the newsletter system hangs mid-call...
    try:
        cli.ok("verify", request_id, "--method", "called back")
        _wait_for_started_activity(stack, cli, request_id)
        killed = stack.worker_pid
        assert killed is not None
        stack.kill_worker()  # ...and the worker dies while a call is in flight.
    finally:
        stack.freeze_mailman(False)
    # The stack starts a new worker by itself, which finishes the request.
    assert stack.wait_for_worker_restart(killed) != killed
    cli.ok("wait", request_id, "--until", "completed")
    datasets = open_archive(stack, request_id)
    for name, ids in expected_ids(stack, subject.customer_id).items():
        got = [r["id"] for r in datasets[f"billing/{name}"]]
        assert len(got) == len(set(got)) and set(got) == ids, name
    history = cli.temporal("workflow", "show", "--workflow-id", f"dsr-{request_id}",
                           "--output", "json")  # fmt: skip
    # The call in flight when the worker died ran again: a second attempt is on record.
    assert re.search(r'"attempt":\s*[2-9]', history)


def _wait_for_started_activity(stack: Stack, cli: Cli, request_id: str) -> None:
    """Poll until the workflow has a connector call running on the worker."""
    for _ in range(240):
        described = json.loads(cli.temporal("workflow", "describe", "--workflow-id",
                                            f"dsr-{request_id}", "--output", "json"))  # fmt: skip
        pending = described.get("pendingActivities") or []
        if any("STARTED" in str(p.get("state", "")).upper() for p in pending):
            return
        time.sleep(0.25)
    pytest.fail("no connector call was seen running")


def test_the_subject_is_emailed_a_link_and_no_attachment(stack: Stack, access_request: str) -> None:
    subject = access_subject(stack)
    letters = [m for m in mailbox.Maildir(stack.mailbox) if subject.email in str(m["To"])]
    assert len(letters) == 1
    letter = email.message_from_bytes(letters[0].as_bytes(), policy=email.policy.default)
    plain = letter.get_body(("plain",))
    assert plain is not None
    body = plain.get_content()
    assert access_request in body
    assert f"http://127.0.0.1:{stack.ports.api}/downloads/" in body
    assert not list(letter.iter_attachments())
    link = next(w for w in body.split() if "/downloads/" in w)
    download = httpx.get(link)
    assert download.status_code == 200
    assert download.content[:2] == b"PK"  # the ZIP archive itself
