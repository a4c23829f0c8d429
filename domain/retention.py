"""How long data is kept, and why: what erasure must keep, and what is deleted regardless.

Two kinds of rule come out of the company's policies (docs/law.md):

- KEEP: the law requires keeping the data for a period (tax law for invoices, proof of
  consent). Erasure keeps it, restricted, until the period ends (Art. 17(3)(b)).
- LIMIT: the longest the company stores the data at all (call recordings 30 days, web
  traffic logs 2 years, accounts inactive for 7 years). The daily sweep deletes it when the
  period ends, whether or not anyone asked.

Either way, the daily sweep deletes a record on the day its period ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.deadlines import add_months

_PERIOD = re.compile(r"([0-9]+)\s*([a-z]+)")
_UNITS = {
    "year": 12, "years": 12, "jaar": 12,
    "month": 1, "months": 1, "maand": 1, "maanden": 1,
}  # fmt: skip
_DAY_UNITS = frozenset({"day", "days", "dag", "dagen"})


class RetentionKind(StrEnum):
    KEEP = "keep"  # kept at least this long, even after an erasure request
    LIMIT = "limit"  # kept at most this long, then deleted


@dataclass(frozen=True)
class Period:
    """A retention period: whole months (years count as twelve) or days."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0 or (self.months > 0) == (self.days > 0):
            raise ValueError("A retention period is a number of years, months or days above 0.")

    def end(self, dated: date) -> date:
        """The day a record dated `dated` may be deleted."""
        return add_months(dated, self.months) if self.months else dated + timedelta(self.days)

    @property
    def years(self) -> int | None:
        """The period in whole years, if it is one."""
        return self.months // 12 if self.months and not self.months % 12 else None


def parse_retention_period(text: str) -> Period:
    """ "7 years", "30 days", "18 months" (or "7 jaar", "30 dagen")."""
    match = _PERIOD.fullmatch(text.strip().lower())
    count, unit = (int(match.group(1)), match.group(2)) if match else (0, "")
    if count > 0 and unit in _UNITS:
        return Period(months=count * _UNITS[unit])
    if count > 0 and unit in _DAY_UNITS:
        return Period(days=count)
    raise ValueError(
        f'A retention period is a whole number of years, months or days, such as "7 years" '
        f'or "30 days", not {text!r}.'
    )


@dataclass(frozen=True)
class RetentionRule:
    category: str
    period: Period
    basis: str
    kind: RetentionKind = RetentionKind.KEEP

    @property
    def keeps_after_erasure(self) -> bool:
        return self.kind is RetentionKind.KEEP

    def ends(self, dated: date) -> date:
        return self.period.end(dated)


_TAX = (
    "Dutch tax law (art. 52 Algemene wet inzake rijksbelastingen) requires keeping them 7 "
    "years: a legal obligation (Art. 17(3)(b) GDPR)."
)
DEFAULT_RULES: tuple[RetentionRule, ...] = (
    RetentionRule("invoices", Period(months=84), _TAX),
    RetentionRule("payments", Period(months=84), _TAX),
    RetentionRule("orders", Period(months=84), _TAX),
    RetentionRule(
        "contracts",
        Period(months=84),
        "Contracts and subscriptions are kept 7 years after they end: a legal obligation "
        "(Art. 17(3)(b) GDPR).",
    ),
    RetentionRule(
        "consent_records",
        Period(months=60),
        "Proof of consent is kept 5 years after the consent ends (Art. 7(1) GDPR).",
    ),
    RetentionRule(
        "call_recordings",
        Period(days=30),
        "Recorded phone calls are deleted after 30 days, unless a legal obligation requires "
        "keeping one longer.",
        RetentionKind.LIMIT,
    ),
    RetentionRule(
        "web_logs",
        Period(months=24),
        "Traffic logs of hosted websites are kept 2 years to investigate security incidents, "
        "then deleted.",
        RetentionKind.LIMIT,
    ),
    RetentionRule(
        "inactive_accounts",
        Period(months=84),
        "A customer account that has been inactive for 7 years is deleted.",
        RetentionKind.LIMIT,
    ),
)


@dataclass(frozen=True)
class Deletion:
    """What a system's sweep deleted under one rule: opaque ids such as `invoices:12`."""

    category: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class RetentionPolicy:
    rules: tuple[RetentionRule, ...] = DEFAULT_RULES

    def rule_for(self, category: str) -> RetentionRule | None:
        return next((r for r in self.rules if r.category == category), None)

    def retained_until(self, category: str, dated: date) -> date | None:
        """When a record of `category` dated `dated` may be deleted; None if no rule applies."""
        rule = self.rule_for(category)
        return rule.ends(dated) if rule else None

    def must_keep(self, category: str, dated: date, today: date) -> bool:
        """Whether erasure must keep the record today (a KEEP rule whose period runs)."""
        rule = self.rule_for(category)
        return rule is not None and rule.keeps_after_erasure and rule.ends(dated) > today

    def expired(self, category: str, dated: date, today: date) -> bool:
        """Whether the record's period has ended, so the sweep deletes it."""
        until = self.retained_until(category, dated)
        return until is not None and until <= today
