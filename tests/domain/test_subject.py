"""Who a request is about: validating what an agent typed, and merging discovery hints."""

from __future__ import annotations

import pytest

from domain.errors import InvalidRequestInput
from domain.subject import Hints, SubjectIdentifiers, parse_agent_ref, parse_subject


def _assert_one_sentence(message: str) -> None:
    assert message.endswith(".")
    assert ". " not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("email", "customer_number"),
    [(None, None), ("", ""), ("   ", "  "), (None, "\t")],
)
def test_subject_needs_an_email_or_a_customer_number(
    email: str | None, customer_number: str | None
) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_subject(email=email, name="Jan de Vries", customer_number=customer_number)
    message = str(err.value)
    _assert_one_sentence(message)
    assert "email address or a customer number" in message


@pytest.mark.parametrize(
    "email",
    ["a@@b", "a b@c.nl", "a@b", "@b.nl", "jan@", "jan.example.nl", "jan@exa mple.nl", "j@b..nl"],
)
def test_malformed_email_is_refused_without_echoing_it(email: str) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_subject(email=email, name=None, customer_number="C-1001")
    message = str(err.value)
    _assert_one_sentence(message)
    assert "malformed" in message
    assert email.strip() not in message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jan.De.Vries@Example.NL", "jan.de.vries@example.nl"),
        ("  jan@example.nl  ", "jan@example.nl"),
        ("JAN+DSR@MAIL.EXAMPLE.COM", "jan+dsr@mail.example.com"),
    ],
)
def test_email_is_trimmed_and_lower_cased(typed: str, stored: str) -> None:
    subject = parse_subject(email=typed, name=None, customer_number=None)
    assert subject.email == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Jan   de\tVries ", "Jan de Vries"),
        ("Jan\nde Vries", "Jan de Vries"),
        ("Jan de Vries", "Jan de Vries"),
        ("   ", None),
        (None, None),
    ],
)
def test_name_whitespace_is_collapsed(typed: str | None, stored: str | None) -> None:
    subject = parse_subject(email="jan@example.nl", name=typed, customer_number=None)
    assert subject.name == stored


def test_customer_number_alone_is_enough_and_is_trimmed() -> None:
    subject = parse_subject(email=None, name=None, customer_number="  C-1001 ")
    assert subject == SubjectIdentifiers(email=None, name=None, customer_number="C-1001")


def test_blank_email_with_customer_number_becomes_none() -> None:
    subject = parse_subject(email="  ", name=None, customer_number="C-1001")
    assert subject.email is None


@pytest.mark.parametrize("language", ["en", "nl"])
def test_supported_language_is_kept(language: str) -> None:
    subject = parse_subject(
        email="jan@example.nl", name=None, customer_number=None, language=language
    )
    assert subject.language == language


def test_language_defaults_to_english() -> None:
    assert parse_subject(email="jan@example.nl", name=None, customer_number=None).language == "en"


@pytest.mark.parametrize("language", ["de", "fr", "", "english"])
def test_unknown_language_is_refused(language: str) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_subject(email="jan@example.nl", name=None, customer_number=None, language=language)
    message = str(err.value)
    _assert_one_sentence(message)
    assert "en, nl" in message


@pytest.mark.parametrize(
    ("typed", "ref"),
    [
        ("ZD-4711", "ZD-4711"),
        ("  ticket/2025/0042 ", "ticket/2025/0042"),
        ("jira:DSR-12", "jira:DSR-12"),
        ("a", "a"),
        ("7", "7"),
        ("x" * 64, "x" * 64),
        ("v1.2_3", "v1.2_3"),
    ],
)
def test_valid_agent_ref_is_trimmed_and_kept(typed: str, ref: str) -> None:
    assert parse_agent_ref(typed) == ref


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "x" * 65,
        "ticket 42",
        "-leading-dash",
        ".leading-dot",
        "ticket#42",
        "jan@example.nl",
        "tïcket",
        "a\nb",
    ],
)
def test_invalid_agent_ref_is_refused(typed: str) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_agent_ref(typed)
    message = str(err.value)
    # The message lists the allowed punctuation (". _ : / -"), so no sentence-split check here.
    assert message.startswith("The agent reference must be 1-64 letters")
    assert message.endswith(".")
    assert "\n" not in message


def test_hints_merge_keeps_order_and_drops_duplicates() -> None:
    first = Hints(customer_ids=("c1", "c2"), emails=("a@x.nl",), domains=("x.nl", "y.nl"))
    second = Hints(customer_ids=("c2", "c3", "c1"), emails=("b@x.nl", "a@x.nl"), domains=("z.nl",))
    merged = first.merge(second)
    assert merged.customer_ids == ("c1", "c2", "c3")
    assert merged.emails == ("a@x.nl", "b@x.nl")
    assert merged.domains == ("x.nl", "y.nl", "z.nl")


def test_hints_merge_unions_handles_per_system() -> None:
    first = Hints(handles={"ripe": ("JDV1-RIPE",), "sidn": ("JDV001",)})
    second = Hints(handles={"ripe": ("JDV2-RIPE", "JDV1-RIPE"), "arin": ("JDV-ARIN",)})
    merged = first.merge(second)
    assert merged.handles == {
        "ripe": ("JDV1-RIPE", "JDV2-RIPE"),
        "sidn": ("JDV001",),
        "arin": ("JDV-ARIN",),
    }


def test_hints_merge_does_not_change_either_side() -> None:
    first = Hints(customer_ids=("c1",), handles={"ripe": ("H1",)})
    second = Hints(customer_ids=("c2",), handles={"ripe": ("H2",)})
    first.merge(second)
    assert first == Hints(customer_ids=("c1",), handles={"ripe": ("H1",)})
    assert second == Hints(customer_ids=("c2",), handles={"ripe": ("H2",)})


@pytest.mark.parametrize(
    "hints",
    [Hints(), Hints(customer_ids=("c1",), emails=("a@x.nl",), handles={"ripe": ("H1",)})],
)
def test_hints_merge_with_empty_is_identity(hints: Hints) -> None:
    assert hints.merge(Hints()) == hints
    assert Hints().merge(hints) == hints
