"""What erasure must keep and until when (docs/law.md, "Retention that overrides erasure")."""

from __future__ import annotations

from datetime import date

import pytest

from domain.retention import (
    DEFAULT_RULES,
    Period,
    RetentionKind,
    RetentionPolicy,
    RetentionRule,
    parse_retention_period,
)

POLICY = RetentionPolicy()
INVOICE_DATE = date(2018, 3, 15)
INVOICE_END = date(2025, 3, 15)


@pytest.mark.parametrize(
    ("category", "dated", "until"),
    [
        ("invoices", INVOICE_DATE, INVOICE_END),
        ("payments", date(2019, 12, 31), date(2026, 12, 31)),
        ("orders", date(2020, 2, 29), date(2027, 2, 28)),
        ("consent_records", date(2021, 6, 1), date(2026, 6, 1)),
        ("consent_records", date(2020, 2, 29), date(2025, 2, 28)),
    ],
)
def test_retained_until_adds_the_rule_years(category: str, dated: date, until: date) -> None:
    assert POLICY.retained_until(category, dated) == until


@pytest.mark.parametrize(
    ("today", "keep"),
    [
        (date(2025, 3, 14), True),  # day before the 7-year boundary
        (INVOICE_END, False),  # the boundary itself: may be deleted
        (date(2025, 3, 16), False),  # day after
        (INVOICE_DATE, True),
    ],
)
def test_invoice_is_kept_seven_years(today: date, keep: bool) -> None:
    assert POLICY.must_keep("invoices", INVOICE_DATE, today) is keep


@pytest.mark.parametrize(
    ("today", "keep"),
    [(date(2026, 5, 31), True), (date(2026, 6, 1), False), (date(2026, 6, 2), False)],
)
def test_consent_record_is_kept_five_years(today: date, keep: bool) -> None:
    assert POLICY.must_keep("consent_records", date(2021, 6, 1), today) is keep


@pytest.mark.parametrize("category", ["phone_calls", "", "Invoices", "newsletter"])
def test_unknown_category_has_no_retention(category: str) -> None:
    assert POLICY.rule_for(category) is None
    assert POLICY.retained_until(category, INVOICE_DATE) is None
    assert POLICY.must_keep(category, INVOICE_DATE, date(2018, 3, 16)) is False


def test_default_rules_match_the_policies() -> None:
    periods = {r.category: (r.period, r.kind) for r in DEFAULT_RULES}
    assert periods == {
        "invoices": (Period(months=84), RetentionKind.KEEP),
        "payments": (Period(months=84), RetentionKind.KEEP),
        "orders": (Period(months=84), RetentionKind.KEEP),
        "contracts": (Period(months=84), RetentionKind.KEEP),
        "consent_records": (Period(months=60), RetentionKind.KEEP),
        "call_recordings": (Period(days=30), RetentionKind.LIMIT),
        "web_logs": (Period(months=24), RetentionKind.LIMIT),
        "inactive_accounts": (Period(months=84), RetentionKind.LIMIT),
    }
    assert all(r.basis.endswith(".") for r in DEFAULT_RULES)
    assert "art. 52 Algemene wet inzake rijksbelastingen" in POLICY.rule_for("invoices").basis  # type: ignore[union-attr]


def test_a_limit_rule_never_keeps_data_past_an_erasure() -> None:
    recorded = date(2025, 3, 1)
    assert POLICY.retained_until("call_recordings", recorded) == date(2025, 3, 31)
    assert not POLICY.must_keep("call_recordings", recorded, date(2025, 3, 2))
    assert not POLICY.expired("call_recordings", recorded, date(2025, 3, 30))
    assert POLICY.expired("call_recordings", recorded, date(2025, 3, 31))


@pytest.mark.parametrize(
    ("text", "period"),
    [("7 years", Period(months=84)), ("30 days", Period(days=30)), ("1 maand", Period(months=1)),
     ("2 jaar", Period(months=24))],
)  # fmt: skip
def test_retention_periods_are_read_in_years_months_or_days(text: str, period: Period) -> None:
    assert parse_retention_period(text) == period


@pytest.mark.parametrize("text", ["", "0 years", "seven years", "7 weeks", "-1 days"])
def test_a_period_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="retention period"):
        parse_retention_period(text)


def test_custom_rules_replace_the_defaults() -> None:
    policy = RetentionPolicy((RetentionRule("phone_calls", Period(months=12), "Kept one year."),))
    assert policy.retained_until("phone_calls", date(2025, 1, 31)) == date(2026, 1, 31)
    assert policy.retained_until("invoices", date(2025, 1, 31)) is None
