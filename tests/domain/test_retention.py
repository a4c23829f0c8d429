"""What erasure must keep and until when (docs/law.md, "Retention that overrides erasure")."""

from __future__ import annotations

from datetime import date

import pytest

from domain.retention import DEFAULT_RULES, RetentionPolicy, RetentionRule

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


def test_default_rules_match_the_law() -> None:
    years = {r.category: r.years for r in DEFAULT_RULES}
    assert years == {"invoices": 7, "payments": 7, "orders": 7, "consent_records": 5}
    assert all(r.basis.endswith(".") for r in DEFAULT_RULES)


def test_custom_rules_replace_the_defaults() -> None:
    policy = RetentionPolicy((RetentionRule("phone_calls", 1, "Kept one year."),))
    assert policy.retained_until("phone_calls", date(2025, 1, 31)) == date(2026, 1, 31)
    assert policy.retained_until("invoices", date(2025, 1, 31)) is None
