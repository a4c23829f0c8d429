"""The archive: every staged record in JSON and CSV, a true manifest, and the Art. 15 letter."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import html
import io
import json
import os
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from activities.archive import (
    ArchiveResult,
    build_archive,
    build_archive_to_blob,
)
from activities.letters import (
    SECTION_TITLES,
    ArchiveRequest,
    cover_letter_html,
    cover_letter_text,
)
from domain.datasets import Basis, Catalogue, Category, Dataset, Source
from domain.records import ConnectorInfo, DatasetRef, Phase, Recipient
from domain.retention import DEFAULT_RULES
from runtime.keys import Keyring
from store.blobs import LocalBlobStore
from store.staging import StagingSink, read_dataset

CONTACTS: list[dict[str, Any]] = [
    {"id": 1, "name": "Jan Jansen", "email": "jan@example.nl", "born": date(1980, 2, 29)},
    {"id": 2, "name": "Éva <script>x</script>", "phones": ["+31 20"], "address": {"city": "Ede"}},
    {"id": 3, "email": None, "balance": Decimal("1.50"), "active": True},
]
PERSONS = [{"nic-hdl": f"JJ{i}-RIPE", "remarks": "r" * 200} for i in range(1500)]
BILLING = ConnectorInfo("billing", Phase.PRIMARY, Recipient("Hoster B.V.", "controller"))
RIPE = ConnectorInfo("ripe", Phase.DEPENDENT, Recipient("RIPE NCC", "regional internet registry"))
ARIN = ConnectorInfo(
    "arin", Phase.DEPENDENT, Recipient("ARIN", "regional internet registry", "US", True)
)


# What the systems declare about these datasets; the letter reads nothing from the names.
CATALOGUE = Catalogue(
    {
        "billing": (Dataset("contacts", Category.IDENTITY, Basis.CONTRACT, portable=True),),
        "ripe": (Dataset("persons", Category.IDENTITY, Basis.CONTRACT, Source.REGISTER),),
    }
)


def archive_request(
    language: str = "en", *connectors: ConnectorInfo, catalogue: Catalogue = CATALOGUE
) -> ArchiveRequest:
    return ArchiveRequest(
        request_id="dsr-test",
        kind="access",
        language=language,
        received_at=datetime(2025, 1, 31, 9, 0, tzinfo=UTC),
        completed_at=datetime(2025, 2, 20, 16, 30, tzinfo=UTC),
        connectors=connectors or (BILLING, RIPE, ARIN),
        retention=DEFAULT_RULES,
        catalogue=catalogue,
    )


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def keys() -> Keyring:
    return Keyring((("k1", os.urandom(32)),))


@pytest.fixture
async def staged(blobs: LocalBlobStore, keys: Keyring) -> list[DatasetRef]:
    contacts = await StagingSink(blobs, keys, "dsr-test", "billing").write("contacts", CONTACTS)
    persons = await StagingSink(blobs, keys, "dsr-test", "ripe").write("persons", PERSONS)
    return [contacts, persons]


@pytest.fixture
def result(blobs: LocalBlobStore, keys: Keyring, staged: list[DatasetRef]) -> ArchiveResult:
    return build_archive_to_blob(blobs, keys, archive_request(), staged)


@pytest.fixture
def archive(blobs: LocalBlobStore, result: ArchiveResult) -> Iterator[zipfile.ZipFile]:
    with zipfile.ZipFile(io.BytesIO(blobs.get_bytes(result.key))) as zf:
        yield zf


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_archive_is_uploaded_with_every_file(
    blobs: LocalBlobStore, result: ArchiveResult, archive: zipfile.ZipFile
) -> None:
    data = blobs.get_bytes(result.key)
    assert result.key == "requests/dsr-test/delivery/dsr-dsr-test-archive.zip"
    assert (result.sha256, result.size, result.records) == (sha256(data), len(data), 1503)
    assert archive.testzip() is None
    assert archive.namelist() == [
        "README.html",
        "README.txt",
        "data/billing/contacts.json",
        "data/billing/contacts.csv",
        "data/ripe/persons.json",
        "data/ripe/persons.csv",
        "manifest.json",
    ]
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.extract_version >= zipfile.ZIP64_VERSION


def test_manifest_hashes_and_counts_match_the_files(
    result: ArchiveResult, archive: zipfile.ZipFile
) -> None:
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["request_id"] == "dsr-test"
    assert manifest["systems"] == ["billing", "ripe", "arin"]
    assert manifest["records"] == 1503
    for entry in manifest["files"]:
        content = archive.read(entry["path"])
        assert entry["sha256"] == sha256(content)
        assert entry["bytes"] == len(content)
    counts = {f["path"]: f.get("records") for f in manifest["files"]}
    assert counts["data/billing/contacts.json"] == counts["data/billing/contacts.csv"] == 3
    assert counts["data/ripe/persons.csv"] == 1500
    assert [f.path for f in result.files] == list(counts)


def test_json_holds_every_record(archive: zipfile.ZipFile) -> None:
    contacts = json.loads(archive.read("data/billing/contacts.json"))
    assert contacts[0] == {
        "id": 1,
        "name": "Jan Jansen",
        "email": "jan@example.nl",
        "born": "1980-02-29",
    }
    assert contacts[2] == {"id": 3, "email": None, "balance": "1.50", "active": True}
    assert json.loads(archive.read("data/ripe/persons.json")) == PERSONS


def test_csv_holds_every_record_under_the_union_of_keys(archive: zipfile.ZipFile) -> None:
    text = archive.read("data/billing/contacts.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "name", "email", "born", "phones", "address", "balance", "active"]
    assert rows[1] == ["1", "Jan Jansen", "jan@example.nl", "1980-02-29", "", "", "", ""]
    assert rows[2] == [
        "2",
        "Éva <script>x</script>",
        "",
        "",
        '["+31 20"]',
        '{"city": "Ede"}',
        "",
        "",
    ]
    assert rows[3] == ["3", "", "", "", "", "", "1.50", "true"]
    persons = archive.read("data/ripe/persons.csv").decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(persons)))) == 1500


@pytest.mark.parametrize("language", ["en", "nl"])
def test_letter_has_every_art15_section(
    language: str, blobs: LocalBlobStore, keys: Keyring, staged: list[DatasetRef]
) -> None:
    result = build_archive_to_blob(blobs, keys, archive_request(language), staged)
    with zipfile.ZipFile(io.BytesIO(blobs.get_bytes(result.key))) as zf:
        text = zf.read("README.txt").decode()
        page = zf.read("README.html").decode()
    titles = SECTION_TITLES[language]
    assert set(titles) == set(SECTION_TITLES["en"])
    for title in titles.values():
        assert title in text
        assert f"<h2>{html.escape(title)}</h2>" in page
    assert "https://autoriteitpersoonsgegevens.nl" in text
    assert f'<html lang="{language}">' in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Invoices: 7 years", "Consent records: 5 years", "Autoriteit Persoonsgegevens"]),
        ("nl", ["Facturen: 7 jaar", "Toestemmingsregistraties: 5 jaar", "art. 52 Algemene wet"]),
    ],
)
def test_letter_names_retention_periods(
    language: str, expected: list[str], staged: list[DatasetRef]
) -> None:
    text = cover_letter_text(archive_request(language), staged)
    for phrase in expected:
        assert phrase in " ".join(text.split())


def test_letter_names_recipients_transfers_source_and_categories(
    staged: list[DatasetRef],
) -> None:
    text = " ".join(cover_letter_text(archive_request("en"), staged).split())
    assert "ARIN: regional internet registry, the United States (outside the EU)" in text
    assert "outside the European Union: ARIN" in text
    assert "standard contractual clauses" in text
    assert "RIPE NCC (regional internet registry): registration data" in text
    assert "Identity and contact details: billing, ripe" in text
    assert "Hoster B.V." not in text  # the controller is not its own recipient
    assert "data/ripe/persons (.json, .csv): 1500 records" in text


def test_categories_and_sources_come_from_what_the_systems_declared(
    staged: list[DatasetRef],
) -> None:
    """A dataset whose name says nothing is listed under the category its system declared,
    and a system counts as another source only when it says so."""
    odd = DatasetRef("billing", "zq7_tbl", "k/zq7", 4, "0" * 64)
    declared = Catalogue(
        {
            "billing": (Dataset("zq7_tbl", Category.NETWORK, Basis.CONTRACT),),
            "ripe": (Dataset("persons", Category.IDENTITY, Basis.CONTRACT),),
        }
    )
    text = " ".join(
        cover_letter_text(archive_request("en", catalogue=declared), [odd, staged[1]]).split()
    )
    assert "IP address and network registrations: billing" in text
    assert "Identity and contact details: ripe" in text
    # ripe declared its persons as given by the subject this time: no other source is named.
    assert "RIPE NCC (regional internet registry): registration data" not in text
    undeclared = " ".join(
        cover_letter_text(archive_request("en", catalogue=Catalogue({})), [odd]).split()
    )
    assert "Other data: billing" in undeclared


def test_letter_says_data_came_from_the_subject_without_registries(
    staged: list[DatasetRef],
) -> None:
    request = archive_request("nl", BILLING)
    text = " ".join(cover_letter_text(request, staged[:1]).split())
    assert "hebben wij van u zelf gekregen" in text
    assert "niet met andere organisaties" in text
    assert "niet door aan ontvangers buiten de Europese Unie" in text


def test_html_escapes_names_from_configuration(staged: list[DatasetRef]) -> None:
    evil = ConnectorInfo("ripe", Phase.DEPENDENT, Recipient('<script>alert("x")</script>', "x"))
    page = cover_letter_html(archive_request("en", BILLING, evil), staged)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.startswith("<!DOCTYPE html>")


def test_a_non_seekable_output_stream_works(
    blobs: LocalBlobStore, keys: Keyring, staged: list[DatasetRef]
) -> None:
    read_fd, write_fd = os.pipe()
    with ThreadPoolExecutor(1) as pool, open(read_fd, "rb") as reader:
        received = pool.submit(reader.read)
        with open(write_fd, "wb", buffering=0) as pipe:
            assert not pipe.seekable()
            manifest = build_archive(
                pipe, archive_request(), staged, lambda ref: read_dataset(blobs, keys, ref)
            )
        data = received.result(timeout=30)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert all(info.flag_bits & 0x08 for info in zf.infolist())  # sizes after the data
        assert json.loads(zf.read("data/ripe/persons.json")) == PERSONS
        assert json.loads(zf.read("manifest.json")) == json.loads(manifest.to_json())


def test_an_archive_without_data_still_holds_the_letter(
    blobs: LocalBlobStore, keys: Keyring
) -> None:
    result = build_archive_to_blob(blobs, keys, archive_request(), [])
    with zipfile.ZipFile(io.BytesIO(blobs.get_bytes(result.key))) as zf:
        assert zf.namelist() == ["README.html", "README.txt", "manifest.json"]
        assert "we found no personal data about you" in " ".join(
            zf.read("README.txt").decode().split()
        )
    assert result.records == 0


def test_a_dataset_that_changes_between_passes_is_refused(staged: list[DatasetRef]) -> None:
    calls = iter([PERSONS[:2], PERSONS[:3]])

    def shifting(ref: DatasetRef) -> Iterator[dict[str, Any]]:
        return iter(next(calls))

    with pytest.raises(ValueError, match="changed while the archive was built"):
        build_archive(io.BytesIO(), archive_request(), staged[:1], shifting)


def test_the_same_dataset_twice_is_refused(staged: list[DatasetRef]) -> None:
    twice = [staged[0], dataclasses.replace(staged[0])]
    with pytest.raises(ValueError, match="listed twice"):
        build_archive(io.BytesIO(), archive_request(), twice, lambda ref: iter([]))
