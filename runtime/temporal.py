"""Connecting to Temporal with our codec, and registering our search attributes."""

from __future__ import annotations

from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

from domain.attributes import ALL
from runtime.codec import data_converter
from runtime.keys import Keyring, keyring_from_settings
from runtime.settings import Settings, get_settings


async def connect(settings: Settings | None = None, keyring: Keyring | None = None) -> Client:
    s = settings or get_settings()
    return await Client.connect(
        s.temporal_address,
        namespace=s.temporal_namespace,
        data_converter=data_converter(keyring or keyring_from_settings(s)),
    )


async def ensure_search_attributes(
    client: Client, keys: tuple[SearchAttributeKey[Any], ...] = ALL
) -> None:
    """Register our search attributes in the client's namespace (idempotent)."""
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        known = set(existing.custom_attributes)
    except RPCError as err:
        # The time-skipping test server can add search attributes but not list them.
        if err.status is not RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()
    missing = {
        k.name: IndexedValueType.ValueType(k.indexed_value_type.value)
        for k in keys
        if k.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
