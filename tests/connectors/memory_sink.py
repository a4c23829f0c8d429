"""An in-memory RecordSink for connector tests: a unit-level double of our own staging."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterable, Iterable
from typing import Any

from connectors.base import Record
from domain.records import DatasetRef


class MemorySink:
    """Keeps each dataset in memory, replacing an earlier copy like the real sink."""

    def __init__(self, connector: str = "test") -> None:
        self.connector = connector
        self.datasets: dict[str, list[dict[str, Any]]] = {}

    async def write(
        self, dataset: str, records: Iterable[Record] | AsyncIterable[Record]
    ) -> DatasetRef:
        if isinstance(records, AsyncIterable):
            rows = [dict(r) async for r in records]
        else:
            rows = [dict(r) for r in records]
        self.datasets[dataset] = rows
        digest = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
        return DatasetRef(self.connector, dataset, f"memory/{dataset}", len(rows), digest)
