"""What must be kept despite erasure, for how long, and why (docs/law.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.deadlines import add_months


@dataclass(frozen=True)
class RetentionRule:
    category: str
    years: int
    basis: str


DEFAULT_RULES: tuple[RetentionRule, ...] = (
    RetentionRule("invoices", 7, "Tax law: invoices must be kept 7 years (Art. 17(3)(b) GDPR)."),
    RetentionRule("payments", 7, "Tax law: payments must be kept 7 years (Art. 17(3)(b) GDPR)."),
    RetentionRule("orders", 7, "Tax law: orders must be kept 7 years (Art. 17(3)(b) GDPR)."),
    RetentionRule(
        "consent_records", 5, "Proof of consent: consent records are kept 5 years (Art. 7(1) GDPR)."
    ),
)


@dataclass(frozen=True)
class RetentionPolicy:
    rules: tuple[RetentionRule, ...] = DEFAULT_RULES

    def rule_for(self, category: str) -> RetentionRule | None:
        return next((r for r in self.rules if r.category == category), None)

    def retained_until(self, category: str, dated: date) -> date | None:
        """When a record of `category` dated `dated` may be deleted; None if no rule applies."""
        rule = self.rule_for(category)
        return add_months(dated, 12 * rule.years) if rule else None

    def must_keep(self, category: str, dated: date, today: date) -> bool:
        until = self.retained_until(category, dated)
        return until is not None and until > today
