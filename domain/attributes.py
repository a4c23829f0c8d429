"""Search attributes the privacy officer filters on in the Temporal UI; none holds PII."""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

DSR_STATE = SearchAttributeKey.for_keyword("DsrState")
DSR_KIND = SearchAttributeKey.for_keyword("DsrKind")
DSR_DEADLINE = SearchAttributeKey.for_datetime("DsrDeadline")
# A keyed hash of the subject's email: finds repeat requests without storing the address.
DSR_SUBJECT = SearchAttributeKey.for_keyword("DsrSubject")
DSR_OVERDUE = SearchAttributeKey.for_bool("DsrOverdue")

ALL = (DSR_STATE, DSR_KIND, DSR_DEADLINE, DSR_SUBJECT, DSR_OVERDUE)


def cli_type(key: SearchAttributeKey[Any]) -> str:
    """The type name `temporal server start-dev --search-attribute` expects."""
    name = key.indexed_value_type.name.removeprefix("INDEXED_VALUE_TYPE_")
    return {"KEYWORD": "Keyword", "DATETIME": "Datetime", "BOOL": "Bool"}[name]
