"""Reading policy.toml: deadline period, retention rules, and the list of connectors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.datasets import Catalogue
from domain.deadlines import BasePeriod, ClockRules, parse_period
from domain.records import ConfirmationTiming
from domain.retention import (
    Period,
    RetentionKind,
    RetentionPolicy,
    RetentionRule,
    parse_retention_period,
)


class PolicyError(ValueError):
    """policy.toml is missing or malformed; the message says where."""


@dataclass(frozen=True)
class ConnectorEntry:
    name: str
    factory: str
    timing: ConfirmationTiming = field(default_factory=ConfirmationTiming)


@dataclass(frozen=True)
class Policy:
    deadline_months: int
    retention: RetentionPolicy
    connectors: tuple[ConnectorEntry, ...]
    clock: ClockRules = field(default_factory=ClockRules)

    def check_datasets(self, catalogue: Catalogue) -> None:
        """Every retention rule a connector's datasets name must be defined here."""
        defined = {rule.category for rule in self.retention.rules}
        if missing := sorted(catalogue.retention_rules() - defined):
            raise PolicyError(
                f"Datasets keep data under retention rules policy.toml does not define: "
                f"{', '.join(missing)}; add a [[retention]] entry for each."
            )


def parse_policy(data: dict[str, Any]) -> Policy:
    deadline = data.get("deadline", {})
    if not isinstance(deadline, dict):
        raise PolicyError("policy.toml: [deadline] must be a table with a `months` entry.")
    try:
        months = int(deadline.get("months", 1))
        rules = tuple(_retention_rule(r) for r in data.get("retention", []))
        connectors = tuple(_connector_entry(c) for c in data.get("connectors", []))
    except (KeyError, TypeError, ValueError) as err:
        raise PolicyError(
            f"policy.toml is malformed near {err}; compare with the example."
        ) from None
    if months != 1:
        raise PolicyError(
            "policy.toml: deadline.months can only be 1, the law's month (Art. 12(3)); use "
            'period = "14 days" to promise less.'
        )
    clock = _clock_rules(deadline)
    if not connectors:
        raise PolicyError("policy.toml lists no connectors; add at least one [[connectors]].")
    return Policy(months, RetentionPolicy(rules) if rules else RetentionPolicy(), connectors, clock)


def _retention_rule(r: dict[str, Any]) -> RetentionRule:
    """`period = "7 years"` (or `years = 7`), `basis`, and `kind` keep (default) or limit."""
    period = parse_retention_period(str(r["period"])) if "period" in r else None
    if period is None:
        period = Period(months=12 * int(r["years"]))
    return RetentionRule(
        str(r["category"]), period, str(r["basis"]), RetentionKind(r.get("kind", "keep"))
    )


def _clock_rules(deadline: dict[str, Any]) -> ClockRules:
    """`period` ("1 month", "14 days") wins over the older `months`; the rest has defaults."""
    defaults = ClockRules()
    try:
        period = (
            parse_period(str(deadline["period"]))
            if "period" in deadline
            else BasePeriod(months=int(deadline.get("months", 1)))
        )
        if period.months > 1 or period.days > 31:
            raise ValueError(
                "the base period can be at most the law's one month (Art. 12(3)); a longer "
                "time is an extension an officer decides per request"
            )
        reminders = tuple(int(d) for d in deadline.get("reminder_days_before", (7, 2)))
        return ClockRules(
            period=period,
            pause_while_unverified=bool(
                deadline.get("pause_while_unverified", defaults.pause_while_unverified)
            ),
            reminder_days_before=reminders,
            reject_unverified_after_days=int(deadline.get("reject_unverified_after_days", 0)),
        )
    except (TypeError, ValueError) as err:
        raise PolicyError(f"policy.toml [deadline]: {err}") from None


def _connector_entry(c: dict[str, Any]) -> ConnectorEntry:
    defaults = ConfirmationTiming()
    timing = ConfirmationTiming(
        confirm_within_hours=int(c.get("confirm_within_hours", defaults.confirm_within_hours)),
        remind_every_hours=int(c.get("remind_every_hours", defaults.remind_every_hours)),
        poll_every_seconds=int(c.get("poll_every_seconds", defaults.poll_every_seconds)),
    )
    if min(timing.confirm_within_hours, timing.remind_every_hours, timing.poll_every_seconds) < 1:
        raise PolicyError(f"policy.toml: the timings of connector {c['name']!r} must be positive.")
    return ConnectorEntry(str(c["name"]), str(c["factory"]), timing)


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise PolicyError(f"The policy file {path} does not exist; set DSR_POLICY_FILE.") from None
    except OSError as err:
        raise PolicyError(f"The policy file {path} cannot be read ({err.strerror}).") from None
    try:
        return parse_policy(tomllib.loads(text))
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{path} is not valid TOML: {err}.") from None
