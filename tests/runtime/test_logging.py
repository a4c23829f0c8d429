"""The redaction net: personal data that slips into a log line is blanked before output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from runtime.logging import REDACTED, configure_logging, redact, redact_pii

EMAIL = "jan.de.vries@example.nl"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.mark.parametrize(
    "key",
    ["email", "name", "phone", "address", "street", "postcode", "display_name", "card_holder"],
)
def test_pii_named_key_is_blanked_whatever_its_value(key: str) -> None:
    for value in ("Jan de Vries", 31612345678, None, ["a", "b"]):
        event = redact_pii(None, "info", {"event": "located", key: value})
        assert event[key] == REDACTED
        assert event["event"] == "located"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"no customer for {EMAIL}", f"no customer for {REDACTED}"),
        (EMAIL, REDACTED),
        (f"{EMAIL},b@x.io", f"{REDACTED},{REDACTED}"),
        ("mailto:J.Doe+dsr@Sub.Example.COM;", f"mailto:{REDACTED};"),
        ("billing returned 503", "billing returned 503"),
        ("user@localhost", "user@localhost"),
        ("", ""),
    ],
)
def test_email_shaped_substring_is_blanked_in_any_value(value: str, expected: str) -> None:
    event = redact_pii(None, "info", {"event": "connector_failed", "error": value})
    assert event["error"] == expected
    assert redact(value) == expected


def test_event_name_itself_is_redacted() -> None:
    event = redact_pii(None, "info", {"event": f"failed for {EMAIL}"})
    assert event["event"] == f"failed for {REDACTED}"


def test_non_pii_values_are_left_alone() -> None:
    event = {"event": "connector_erased", "connector": "billing", "records": 3, "ok": True}
    assert redact_pii(None, "info", dict(event)) == event


def test_redaction_in_a_structlog_chain() -> None:
    with structlog.testing.capture_logs(processors=[redact_pii]) as logs:
        structlog.get_logger().info(
            "request_received", request_id="req-1", email=EMAIL, note=f"from {EMAIL}"
        )
    assert logs == [
        {
            "event": "request_received",
            "log_level": "info",
            "request_id": "req-1",
            "email": REDACTED,
            "note": f"from {REDACTED}",
        }
    ]


def _lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


def test_structlog_output_is_json_without_the_email(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    structlog.contextvars.bind_contextvars(request_id="req-42")
    try:
        structlog.get_logger("test").info("subject_located", email=EMAIL, detail=f"as {EMAIL}")
    finally:
        structlog.contextvars.clear_contextvars()
    (line,) = _lines(stream)
    assert EMAIL not in line
    record: dict[str, Any] = json.loads(line)
    assert record["event"] == "subject_located"
    assert record["request_id"] == "req-42"
    assert record["level"] == "info"
    assert record["email"] == REDACTED
    assert record["detail"] == f"as {REDACTED}"
    assert record["timestamp"].endswith("Z")


def test_stdlib_log_message_is_redacted(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    logging.getLogger("temporalio.activity").warning("Activity failed for %s", EMAIL)
    (line,) = _lines(stream)
    assert line == f"WARNING temporalio.activity Activity failed for {REDACTED}"


def test_stdlib_traceback_is_redacted(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        raise ValueError(f"no customer for {EMAIL}")
    except ValueError:
        logging.getLogger("temporalio.worker").exception("Failed activation")
    output = stream.getvalue()
    assert "Traceback" in output
    assert f"ValueError: no customer for {REDACTED}" in output
    assert EMAIL not in output


def test_stdlib_below_warning_is_dropped(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    logging.getLogger("temporalio.worker").info("polling")
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("level", "shown"), [("WARNING", False), ("info", True), ("nonsense", True)]
)
def test_structlog_level_filters_events(restore_logging: None, level: str, shown: bool) -> None:
    stream = io.StringIO()
    configure_logging(level, stream=stream)
    structlog.get_logger("test").info("worker_started")
    assert bool(_lines(stream)) is shown


def test_email_inside_a_nested_value_is_blanked() -> None:
    event = redact_pii(None, "info", {"event": "x", "subject": {"email": EMAIL}, "to": [EMAIL]})
    assert EMAIL not in json.dumps(event)
