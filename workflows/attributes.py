"""Search attributes the privacy officer filters on in the Temporal UI; none holds PII."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

DSR_STATE = SearchAttributeKey.for_keyword("DsrState")
DSR_KIND = SearchAttributeKey.for_keyword("DsrKind")
DSR_DEADLINE = SearchAttributeKey.for_datetime("DsrDeadline")
# A keyed hash of the subject's email: finds repeat requests without storing the address.
DSR_SUBJECT = SearchAttributeKey.for_keyword("DsrSubject")

ALL = (DSR_STATE, DSR_KIND, DSR_DEADLINE, DSR_SUBJECT)
