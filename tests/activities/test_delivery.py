"""A delivered document's link carries the moment it stops working."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from activities.delivery import DeliveryActivities
from domain.datasets import Catalogue
from domain.retention import RetentionPolicy
from runtime.keys import Keyring, generate_key_entry
from store.blobs import LocalBlobStore
from tests.activities.test_proof import proof_input

WEEK = timedelta(days=7)


async def test_the_proof_link_records_when_it_expires(tmp_path: Path) -> None:
    delivery = DeliveryActivities(
        LocalBlobStore(tmp_path / "blobs"),
        Keyring.parse(generate_key_entry("k1")),
        RetentionPolicy(),
        Catalogue({}),
        lambda key: f"https://dsr.example/downloads/{key}",
        link_ttl=WEEK,
    )
    before = datetime.now(UTC).replace(microsecond=0)
    proof = await delivery.compile_proof(proof_input("en"))
    after = datetime.now(UTC)
    assert proof.link == f"https://dsr.example/downloads/{proof.key.removesuffix('.json')}.txt"
    assert proof.expires_at is not None
    assert before + WEEK <= proof.expires_at <= after + WEEK
