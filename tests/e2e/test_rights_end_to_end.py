"""Rectification, restriction, objection and portability through the real stack.

CLI → Temporal dev server → worker → the simulators and the real Mailman. Each test takes
its own seeded customer (never one the access/erasure tests use), chosen from the
administration database as the one with the most outside systems.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import mailbox
import re
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from simulators.billing import SeededCustomer
from stack import Stack
from tests.e2e.conftest import Cli, open_archive, request_id_from

pytestmark = pytest.mark.e2e

# Customers the other end-to-end tests use: the rich one and the next four.
TAKEN_BY_OTHER_TESTS = 5
_taken: set[int] = set()
SYSTEM_OF_REGISTRAR = {"openprovider": "registrar-openprovider", "epp-registry": "registry-epp"}


def admin(stack: Stack) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{stack.home / 'administration.sqlite3'}")


def systems_of(stack: Stack, customer: SeededCustomer) -> set[str]:
    """The systems that hold the customer, read from the administration (the oracle)."""
    with admin(stack).connect() as conn:
        c = {"c": customer.customer_id}
        registrars = conn.execute(
            sa.text("SELECT DISTINCT registrar FROM domains WHERE customer_id = :c"), c
        ).scalars()
        rirs = conn.execute(
            sa.text("SELECT DISTINCT rir FROM ip_assignments WHERE customer_id = :c"), c
        ).scalars()
        certs = conn.execute(
            sa.text("SELECT count(*) FROM certificates WHERE customer_id = :c"), c
        ).scalar_one()
    found = {"billing", *(SYSTEM_OF_REGISTRAR[r] for r in registrars), *rirs}
    if certs:
        found.add("certcentral")
    if customer.newsletter:
        found.add("newsletter")
    return found


def pick(stack: Stack, *, newsletter: bool = True) -> SeededCustomer:
    """An open customer no other test uses, with the most systems."""
    assert stack.seed is not None
    with admin(stack).connect() as conn:
        closed = set(
            conn.execute(sa.text("SELECT id FROM customers WHERE closed_at IS NOT NULL")).scalars()
        )
    candidates = [
        c
        for c in stack.seed.customers[TAKEN_BY_OTHER_TESTS:]
        if c.customer_id not in closed | _taken and (c.newsletter or not newsletter)
    ]
    chosen = max(candidates, key=lambda c: len(systems_of(stack, c)))
    _taken.add(chosen.customer_id)
    return chosen


def proof_of(stack: Stack, request_id: str) -> dict[str, Any]:
    path = stack.home / "blobs" / "requests" / request_id / "delivery"
    document: dict[str, Any] = json.loads(next(path.glob("*-proof.json")).read_text())
    return document


def outcomes(proof: dict[str, Any]) -> dict[str, str]:
    return {s["system"]: s["outcome"] for s in proof["systems"]}


def mailman(stack: Stack, path: str) -> httpx.Response:
    return httpx.get(
        f"http://127.0.0.1:{stack.ports.mailman}/3.1/{path}",
        auth=("restadmin", stack.env["DSR_MAILMAN_PASSWORD"]),
    )


def letters_to(stack: Stack, address: str) -> list[email.message.EmailMessage]:
    found = []
    for message in mailbox.Maildir(stack.mailbox):
        if address in str(message["To"]):
            parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
            assert isinstance(parsed, email.message.EmailMessage)
            found.append(parsed)
    return found


def body_of(letter: email.message.EmailMessage) -> str:
    plain = letter.get_body(("plain",))
    assert plain is not None
    content: str = plain.get_content()
    return content


def customer_row(stack: Stack, customer_id: int) -> Any:
    with admin(stack).connect() as conn:
        return conn.execute(
            sa.text("SELECT * FROM customers WHERE id = :c"), {"c": customer_id}
        ).one()


def test_rectification_corrects_every_system_after_a_code_from_the_address_on_file(
    stack: Stack, cli: Cli
) -> None:
    subject = pick(stack)
    held = systems_of(stack, subject)
    new_email = f"renamed-{subject.customer_id}@mail.example.org"
    request_id = request_id_from(
        cli.ok("submit", "rectification", "--email", subject.email, "--agent-ref", "E2E-RECT-1",
               "--set", f"email={new_email}", "--set", "phone=+31.612345678",
               "--set", "city=Utrecht")
    )  # fmt: skip
    # Identity by the one-time code: it arrives at the address on file, the agent enters it.
    assert "address on file" in cli.ok("send-code", request_id)
    (code_letter,) = [m for m in letters_to(stack, subject.email) if "code" in str(m["Subject"])]
    (code,) = re.findall(r"^\s+(\d{6})\s*$", body_of(code_letter), re.MULTILINE)
    wrong = cli("verify", request_id, "--code", "000000" if code != "000000" else "111111")
    assert wrong.returncode != 0 and "attempt" in wrong.stderr + wrong.stdout
    cli.ok("verify", request_id, "--code", code)
    cli.ok("wait", request_id, "--until", "completed")

    row = customer_row(stack, subject.customer_id)
    assert (row.email, row.phone, row.city) == (new_email, "+31.612345678", "Utrecht")
    # Mailman: the subscription moved to the corrected address; the old one is gone.
    assert mailman(stack, f"addresses/{subject.email}").status_code == 404
    members = mailman(stack, f"members/find?subscriber={new_email}").json()
    assert members.get("total_size", 0) == 1
    proof = proof_of(stack, request_id)
    assert proof["kind"] == "rectification"
    assert proof["fields"] == ["email", "phone", "city"]
    got = outcomes(proof)
    assert {name for name, status in got.items() if status != "not_found"} == held
    assert all(got[name] == "done" for name in held), got
    # Art. 19: every outside system that held the data was told; our own are not recipients.
    told = set(proof["recipients_told"])
    assert len(told) == len(held - {"billing", "newsletter"})
    assert not any("in house" in name for name in told)
    assert subject.email not in json.dumps(proof) and new_email not in json.dumps(proof)


def test_restriction_marks_the_data_and_says_where_it_cannot(stack: Stack, cli: Cli) -> None:
    subject = pick(stack)
    held = systems_of(stack, subject)
    request_id = request_id_from(
        cli.ok("submit", "restriction", "--email", subject.email, "--agent-ref", "E2E-RESTR-1")
    )
    cli.ok("verify", request_id, "--method", "called back on the number on file")
    cli.ok("wait", request_id, "--until", "completed")

    assert customer_row(stack, subject.customer_id).processing_restricted
    (member,) = mailman(stack, f"members/find?subscriber={subject.email}").json()["entries"]
    preferences = mailman(stack, f"members/{member['member_id']}/preferences").json()
    assert preferences["delivery_status"] == "by_user"  # stored, but nothing is sent
    got = outcomes(proof_of(stack, request_id))
    assert got["billing"] == "done" and got["newsletter"] == "done"
    for public in {"ripe", "arin", "certcentral"} & held:
        assert got[public] == "unsupported", public
    text = next((stack.home / "blobs" / "requests" / request_id / "delivery").glob("*.txt"))
    assert "not possible in this system" in text.read_text()
    (done,) = [m for m in letters_to(stack, subject.email) if "restricted" in str(m["Subject"])]
    assert "Article 18" in body_of(done)


def test_objection_stops_marketing_and_profiling_everywhere(stack: Stack, cli: Cli) -> None:
    subject = pick(stack)
    request_id = request_id_from(
        cli.ok("submit", "objection", "--email", subject.email, "--agent-ref", "E2E-OBJ-1",
               "--purpose", "direct_marketing", "--purpose", "profiling")
    )  # fmt: skip
    cli.ok("verify", request_id, "--method", "called back on the number on file")
    cli.ok("wait", request_id, "--until", "completed")

    row = customer_row(stack, subject.customer_id)
    assert not row.marketing_opt_in and not row.profiling_opt_in
    with admin(stack).connect() as conn:
        live = conn.execute(
            sa.text("SELECT purpose FROM consents WHERE customer_id = :c AND withdrawn_at IS NULL"),
            {"c": subject.customer_id},
        ).scalars()
        assert not {"newsletter", "marketing", "profiling"} & set(live)
    found = mailman(stack, f"members/find?subscriber={subject.email}").json()
    assert found.get("total_size", 0) == 0
    bans = mailman(stack, "bans").json().get("entries", [])
    assert subject.email in {b["email"] for b in bans}  # the suppression record
    got = outcomes(proof_of(stack, request_id))
    assert got["billing"] == "done" and got["newsletter"] == "done"
    assert {s for s in got.values()} <= {"done", "not_found", "not_processed"}


def test_portability_sends_only_the_art20_data_to_the_other_controller(
    stack: Stack, cli: Cli
) -> None:
    subject = pick(stack)
    request_id = request_id_from(
        cli.ok("submit", "portability", "--email", subject.email, "--agent-ref", "E2E-PORT-1",
               "--push-to", stack.push_url)
    )  # fmt: skip
    cli.ok("verify", request_id, "--method", "called back on the number on file")
    cli.ok("wait", request_id, "--until", "completed")

    datasets = open_archive(stack, request_id)
    assert "billing/customer" in datasets and "newsletter/subscriptions" in datasets
    assert not {"billing/invoices", "billing/payments", "billing/call_recordings"} & set(datasets)
    assert not [name for name in datasets if name.split("/")[0] in {"ripe", "arin", "certcentral"}]
    archive = next((stack.home / "blobs" / "requests" / request_id / "delivery").glob("*.zip"))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    ca = str(Path(stack.env["DSR_PUSH_CA_FILE"]))
    imports = httpx.get(
        f"https://127.0.0.1:{stack.ports.controller}/_sim/imports", verify=_context(ca)
    ).json()
    (received,) = [i for i in imports if i["key"] == request_id]
    assert received["sha256"] == digest
    status = cli.ok("status", request_id)
    assert received["receipt"] in status
    with zipfile.ZipFile(archive) as zf:
        letter = zf.read("README.txt").decode()
    assert "Article 20" in letter


def _context(ca_file: str) -> Any:
    import ssl

    return ssl.create_default_context(cafile=ca_file)
