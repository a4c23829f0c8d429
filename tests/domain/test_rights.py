"""What rectification, objection and portability requests carry: validating what an agent typed."""

from __future__ import annotations

import pytest

from domain.errors import InvalidRequestInput
from domain.rights import (
    Changes,
    Field,
    Purpose,
    parse_changes,
    parse_purposes,
    parse_push_target,
)

ALLOWED_FIELDS = "name, email, phone, street, postcode, city, country, company"


def _assert_one_sentence(message: str) -> None:
    assert message.endswith(".")
    assert ". " not in message
    assert "\n" not in message


def _refusal(assignments: list[str]) -> str:
    with pytest.raises(InvalidRequestInput) as err:
        parse_changes(assignments)
    message = str(err.value)
    _assert_one_sentence(message)
    return message


# --- parse_changes: accepted values ---


@pytest.mark.parametrize(
    ("typed", "field", "stored"),
    [
        ("name=Anna de Wit", Field.NAME, "Anna de Wit"),
        ("email=anna@example.nl", Field.EMAIL, "anna@example.nl"),
        ("phone=+31.201234567", Field.PHONE, "+31.201234567"),
        ("street=Markt 1", Field.STREET, "Markt 1"),
        ("postcode=1011 AB", Field.POSTCODE, "1011 AB"),
        ("city=Łódź", Field.CITY, "Łódź"),
        ("country=NL", Field.COUNTRY, "NL"),
        ("company=Wit Hosting B.V.", Field.COMPANY, "Wit Hosting B.V."),
    ],
)
def test_each_field_is_accepted_with_its_value(typed: str, field: Field, stored: str) -> None:
    changes = parse_changes([typed])
    assert changes.values == {field: stored}
    assert changes.get(field) == stored
    assert changes.fields == (field,)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("email=Anna.De.Wit@Example.NL", "anna.de.wit@example.nl"),
        ("email=  ANNA+DSR@MAIL.EXAMPLE.COM ", "anna+dsr@mail.example.com"),
    ],
)
def test_email_is_trimmed_and_lower_cased(typed: str, stored: str) -> None:
    assert parse_changes([typed]).get(Field.EMAIL) == stored


@pytest.mark.parametrize(("typed", "stored"), [("nl", "NL"), (" be ", "BE"), ("De", "DE")])
def test_country_is_upper_cased(typed: str, stored: str) -> None:
    assert parse_changes([f"country={typed}"]).get(Field.COUNTRY) == stored


def test_field_names_are_trimmed_and_case_insensitive() -> None:
    changes = parse_changes(["  EMAIL =anna@example.nl", "City=Delft"])
    assert changes.values == {Field.EMAIL: "anna@example.nl", Field.CITY: "Delft"}


def test_whitespace_inside_a_value_is_collapsed() -> None:
    changes = parse_changes(["name=  Anna \t de\nWit  "])
    assert changes.get(Field.NAME) == "Anna de Wit"


def test_only_the_first_equals_sign_separates_field_and_value() -> None:
    assert parse_changes(["company=A=B Hosting"]).get(Field.COMPANY) == "A=B Hosting"


@pytest.mark.parametrize("phone", ["+31.201234567", "+1.2025550123", "+353.1234567"])
def test_international_phone_numbers_are_accepted_as_typed(phone: str) -> None:
    assert parse_changes([f"phone={phone}"]).get(Field.PHONE) == phone


def test_spaces_in_a_phone_number_are_dropped() -> None:
    assert parse_changes(["phone=+31.20 123 4567"]).get(Field.PHONE) == "+31.201234567"


@pytest.mark.parametrize("phone", ["+31 20 123 4567", "+3120123456", "+12345"])
def test_a_phone_number_without_the_country_code_dot_is_refused(phone: str) -> None:
    with pytest.raises(InvalidRequestInput):
        parse_changes([f"phone={phone}"])


def test_a_value_of_exactly_the_limit_is_accepted() -> None:
    assert parse_changes(["street=" + "s" * 200]).get(Field.STREET) == "s" * 200


# --- parse_changes: refusals ---


@pytest.mark.parametrize(
    "phone",
    ["0201234567", "0031201234567", "+0.201234567", "+31.20-1234567", "+31.20x1234567",
     "+31.123", "+31.123456789012345", "+31..201234567"],
)  # fmt: skip
def test_phone_not_in_international_form_is_refused_without_echoing_it(phone: str) -> None:
    message = _refusal([f"phone={phone}"])
    assert "international form" in message
    assert "+31.201234567" in message  # the example, not the value typed
    assert phone not in message


@pytest.mark.parametrize(
    "email", ["anna@@example.nl", "anna@example", "@example.nl", "anna", "anna@exa mple.nl"]
)
def test_malformed_email_is_refused_without_echoing_it(email: str) -> None:
    message = _refusal([f"email={email}"])
    assert message == "The new email address is malformed; check it."
    assert email not in message


@pytest.mark.parametrize("country", ["NLD", "N", "1A", "N L", "ñl"])
def test_country_must_be_a_two_letter_code(country: str) -> None:
    message = _refusal([f"country={country}"])
    assert message == "Give the new country as a two-letter code, like NL."


@pytest.mark.parametrize("field", list(Field))
@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_an_empty_value_is_refused(field: Field, value: str) -> None:
    message = _refusal([f"{field.value}={value}"])
    assert message == f"The new {field.value} is empty; give the corrected value."


@pytest.mark.parametrize("field", list(Field))
def test_a_value_over_200_characters_is_refused_without_echoing_it(field: Field) -> None:
    value = "a" * 190 + "@example.nl" if field is Field.EMAIL else "x" * 201
    message = _refusal([f"{field.value}={value}"])
    assert message == f"The new {field.value} is longer than 200 characters."
    assert value not in message


def test_an_unknown_field_names_the_allowed_ones() -> None:
    message = _refusal(["adress=Markt 1"])
    assert message == f"Unknown field 'adress' to correct; use one of: {ALLOWED_FIELDS}."
    assert "Markt 1" not in message


def test_a_field_corrected_twice_is_refused_without_echoing_either_value() -> None:
    message = _refusal(["email=anna@example.nl", "EMAIL=wit@example.nl"])
    assert message == "The field 'email' is corrected twice; give it once."
    assert "anna@" not in message and "wit@" not in message


@pytest.mark.parametrize("typed", ["anna@example.nl", "phone +31.201234567", "name: Anna"])
def test_a_correction_without_equals_sign_is_refused_without_echoing_it(typed: str) -> None:
    message = _refusal(["city=Delft", typed])
    assert message == f"Write each correction as field=value; fields: {ALLOWED_FIELDS}."
    assert typed not in message


@pytest.mark.parametrize("assignments", [[], ()])
def test_a_rectification_needs_at_least_one_correction(assignments: list[str]) -> None:
    message = _refusal(list(assignments))
    assert message == (
        f"A rectification needs at least one correction as field=value; fields: {ALLOWED_FIELDS}."
    )


def test_the_first_problem_is_reported_and_nothing_is_half_parsed() -> None:
    with pytest.raises(InvalidRequestInput, match="email address is malformed"):
        parse_changes(["city=Delft", "email=nope", "phone=0201234567"])


# --- Changes ---


def test_fields_follow_the_declared_order_not_the_typed_order() -> None:
    changes = parse_changes(
        ["company=Wit B.V.", "country=nl", "name=Anna de Wit", "phone=+31.201234567"]
    )
    assert changes.fields == (Field.NAME, Field.PHONE, Field.COUNTRY, Field.COMPANY)


def test_changes_answer_none_for_fields_not_corrected() -> None:
    changes = parse_changes(["city=Delft"])
    assert changes.get(Field.EMAIL) is None
    assert changes.get(Field.CITY) == "Delft"


def test_empty_changes_are_false_and_parsed_changes_true() -> None:
    assert not Changes()
    assert Changes().fields == ()
    assert parse_changes(["city=Delft"])


# --- parse_purposes ---


def test_no_purpose_named_means_direct_marketing() -> None:
    assert parse_purposes([]) == (Purpose.DIRECT_MARKETING,)


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        (["direct_marketing"], (Purpose.DIRECT_MARKETING,)),
        (["Direct-Marketing"], (Purpose.DIRECT_MARKETING,)),
        ([" PROFILING "], (Purpose.PROFILING,)),
        (["other"], (Purpose.OTHER,)),
        (["profiling", "direct-marketing"], (Purpose.PROFILING, Purpose.DIRECT_MARKETING)),
    ],
)
def test_purposes_are_parsed_in_the_order_given(
    typed: list[str], parsed: tuple[Purpose, ...]
) -> None:
    assert parse_purposes(typed) == parsed


def test_a_purpose_named_twice_counts_once() -> None:
    parsed = parse_purposes(["direct-marketing", "profiling", "DIRECT_MARKETING", "profiling"])
    assert parsed == (Purpose.DIRECT_MARKETING, Purpose.PROFILING)


@pytest.mark.parametrize("typed", ["spam", "marketing", "direct marketing"])
def test_an_unknown_purpose_names_the_allowed_ones(typed: str) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_purposes(["profiling", typed])
    message = str(err.value)
    _assert_one_sentence(message)
    assert message == (
        f"Unknown purpose {typed!r} to object to; use one of: direct_marketing, profiling, other."
    )


@pytest.mark.parametrize(
    ("purpose", "absolute"),
    [(Purpose.DIRECT_MARKETING, True), (Purpose.PROFILING, True), (Purpose.OTHER, False)],
)
def test_only_direct_marketing_and_its_profiling_stop_without_weighing(
    purpose: Purpose, absolute: bool
) -> None:
    assert purpose.absolute is absolute


# --- parse_push_target ---

HOST_NEEDED = "The other controller's endpoint must be an https:// address with a host name."


@pytest.mark.parametrize("url", [None, "", "   ", "\t\n"])
def test_no_push_target_is_none(url: str | None) -> None:
    assert parse_push_target(url) is None


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://controller.example/dsr/v1/imports", "https://controller.example/dsr/v1/imports"),
        ("  https://127.0.0.1:8110/dsr/v1/imports \n", "https://127.0.0.1:8110/dsr/v1/imports"),
        ("https://controller.example", "https://controller.example"),
    ],
)
def test_an_https_endpoint_is_kept_trimmed(typed: str, kept: str) -> None:
    assert parse_push_target(typed) == kept


@pytest.mark.parametrize(
    "url",
    [
        "http://controller.example/dsr/v1/imports",
        "ftp://controller.example/imports",
        "controller.example/dsr/v1/imports",
        "//controller.example/imports",
        "https:///dsr/v1/imports",
        "https://",
        "https://:8443/imports",
    ],
)
def test_the_endpoint_must_be_https_with_a_host(url: str) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_push_target(url)
    assert str(err.value) == HOST_NEEDED
    _assert_one_sentence(str(err.value))


@pytest.mark.parametrize(
    "url",
    [
        "https://agent:s3cret@controller.example/imports",
        "https://agent@controller.example/imports",
        "https://:s3cret@controller.example/imports",
    ],
)
def test_the_endpoint_carries_no_credentials_and_they_are_not_echoed(url: str) -> None:
    with pytest.raises(InvalidRequestInput) as err:
        parse_push_target(url)
    message = str(err.value)
    _assert_one_sentence(message)
    assert "no credentials" in message
    assert "s3cret" not in message and "agent" not in message


def test_an_unparseable_endpoint_is_refused_as_invalid_input() -> None:
    with pytest.raises(InvalidRequestInput):
        parse_push_target("https://[::1/dsr/v1/imports")


def test_an_endpoint_with_a_malformed_port_is_refused() -> None:
    with pytest.raises(InvalidRequestInput):
        parse_push_target("https://controller.example:abc/dsr/v1/imports")
