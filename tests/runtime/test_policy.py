"""Reading policy.toml: the shipped file parses, and a broken one fails with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.deadlines import BasePeriod
from domain.records import ConfirmationTiming
from domain.retention import DEFAULT_RULES
from runtime.policy import PolicyError, load_policy, parse_policy

SHIPPED = Path(__file__).resolve().parents[2] / "policy.toml"

CONNECTORS = """
[[connectors]]
name = "billing"
factory = "connectors.billing:create"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


def test_shipped_policy_parses() -> None:
    policy = load_policy(SHIPPED)
    assert policy.deadline_months == 1
    assert [(c.name, c.factory) for c in policy.connectors] == [
        ("billing", "connectors.billing:create"),
        ("newsletter", "connectors.newsletter:create"),
        ("ripe", "connectors.ripe:create"),
        ("arin", "connectors.arin:create"),
        ("registry-epp", "connectors.epp:create"),
        ("registrar-openprovider", "connectors.registrar:create"),
        ("certcentral", "connectors.certcentral:create"),
    ]
    timings = {c.name: c.timing for c in policy.connectors}
    assert timings["billing"] == ConfirmationTiming()
    assert timings["certcentral"] == ConfirmationTiming(120, 24, 10)
    assert timings["registry-epp"].confirm_within_hours == 120
    assert {r.category: r.period.years for r in policy.retention.rules} == {
        "invoices": 7,
        "payments": 7,
        "orders": 7,
        "contracts": 7,
        "consent_records": 5,
        "call_recordings": None,  # 30 days
        "web_logs": 2,
        "inactive_accounts": 7,
    }


def test_shipped_retention_rules_match_the_defaults() -> None:
    assert load_policy(SHIPPED).retention.rules == DEFAULT_RULES


def test_deadline_months_of_one_is_accepted(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, f"[deadline]\nmonths = 1\n{CONNECTORS}"))
    assert policy.deadline_months == 1


def test_missing_deadline_and_retention_fall_back_to_defaults(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, CONNECTORS))
    assert policy.deadline_months == 1
    assert policy.retention.rules == DEFAULT_RULES


@pytest.mark.parametrize("months", [0, 2, 3, 4, -1, 12])
def test_deadline_months_other_than_the_law_s_one_are_refused(tmp_path: Path, months: int) -> None:
    with pytest.raises(PolicyError, match=r"deadline\.months can only be 1"):
        load_policy(_write(tmp_path, f"[deadline]\nmonths = {months}\n{CONNECTORS}"))


@pytest.mark.parametrize("period", ["6 months", "2 maanden", "45 dagen", "32 days"])
def test_a_base_period_longer_than_the_law_s_month_is_refused(tmp_path: Path, period: str) -> None:
    """Issue: the policy accepted "6 months" and "45 dagen"; only an extension may be longer."""
    with pytest.raises(PolicyError, match="at most the law's one month"):
        load_policy(_write(tmp_path, f'[deadline]\nperiod = "{period}"\n{CONNECTORS}'))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[deadline]\nmonths = 1\n",
        "connectors = []\n",
    ],
)
def test_policy_without_connectors_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(PolicyError) as err:
        load_policy(_write(tmp_path, text))
    assert str(err.value) == "policy.toml lists no connectors; add at least one [[connectors]]."


@pytest.mark.parametrize(
    "text",
    [
        "[deadline\nmonths = 1\n",
        "[deadline]\nmonths = \n",
        "[[connectors]]\nname = billing\n",
        'name = "a"\nname = "b"\n',
    ],
)
def test_invalid_toml_is_refused_naming_the_file(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    message = str(err.value)
    assert message.startswith(f"{path} is not valid TOML: ")
    assert "line" in message
    assert message.endswith(".")


@pytest.mark.parametrize(
    ("text", "near"),
    [
        ('[[connectors]]\nname = "billing"\n', "'factory'"),
        ('[[connectors]]\nfactory = "connectors.billing:create"\n', "'name'"),
        (f'[[retention]]\ncategory = "invoices"\nyears = 7\n{CONNECTORS}', "'basis'"),
        (f'[[retention]]\ncategory = "x"\nyears = "seven"\nbasis = "b"\n{CONNECTORS}', "seven"),
        (f'[deadline]\nmonths = "one"\n{CONNECTORS}', "one"),
    ],
)
def test_missing_or_mistyped_field_is_refused(tmp_path: Path, text: str, near: str) -> None:
    with pytest.raises(PolicyError) as err:
        load_policy(_write(tmp_path, text))
    message = str(err.value)
    assert message.startswith("policy.toml is malformed near ")
    assert near in message
    assert message.endswith("compare with the example.")


def test_missing_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    assert str(err.value) == f"The policy file {path} does not exist; set DSR_POLICY_FILE."


def test_policy_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_policy({})


@pytest.mark.parametrize("deadline", ["deadline = 1", 'deadline = "one month"'])
def test_deadline_that_is_not_a_table_is_refused(tmp_path: Path, deadline: str) -> None:
    with pytest.raises(PolicyError):
        load_policy(_write(tmp_path, f"{deadline}\n{CONNECTORS}"))


def test_shipped_policy_keeps_the_clock_rules_of_the_law() -> None:
    clock = load_policy(SHIPPED).clock
    assert clock.period == BasePeriod(months=1)
    assert clock.pause_while_unverified is True
    assert clock.reminder_days_before == (7, 2)


def test_a_fourteen_day_policy_is_read_as_days(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[deadline]\nperiod = "14 dagen"\n\n[[connectors]]\nname = "billing"\n'
        'factory = "connectors.billing:create"\n'
    )
    assert load_policy(path).clock.period == BasePeriod(days=14)


def test_an_unreadable_period_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[deadline]\nperiod = "two weeks"\n\n[[connectors]]\nname = "billing"\n'
        'factory = "connectors.billing:create"\n'
    )
    with pytest.raises(PolicyError, match=r"\[deadline\]"):
        load_policy(path)
