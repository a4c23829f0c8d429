"""Rectification, restriction and objection in the real Mailman 3 core over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from connectors.errors import SystemUnavailable
from connectors.newsletter import MailmanConnector
from domain.datasets import portable_names
from domain.records import Located, Outcome, OutcomeStatus
from domain.rights import Changes, Field, Purpose
from domain.subject import Hints, SubjectIdentifiers
from simulators.newsletter import MailmanServer
from tests.connectors.memory_sink import MemorySink

NewList = Callable[[], str]


def new_email() -> str:
    return f"subject-{uuid.uuid4().hex[:10]}@example.net"


@pytest.fixture
async def connector(mailman_server: MailmanServer) -> AsyncIterator[MailmanConnector]:
    conn = MailmanConnector(mailman_server.rest_url, mailman_server.user, mailman_server.password)
    yield conn
    await conn.aclose()


async def locate(connector: MailmanConnector, email: str, *hints: str) -> Located:
    return await connector.locate(SubjectIdentifiers(email=email), Hints(emails=hints))


def found(server: MailmanServer, path: str) -> dict[str, Any] | None:
    response = server.get(path)
    assert response.status_code in (200, 404)
    return response.json() if response.status_code == 200 else None


def member(server: MailmanServer, member_id: str) -> dict[str, Any]:
    resource = found(server, f"members/{member_id}")
    assert resource is not None
    return resource


def emails_of_user(server: MailmanServer, user_id: str) -> list[str]:
    return [a["email"] for a in server.get(f"users/{user_id}/addresses").json().get("entries", [])]


def assert_no_personal_data(outcome: Outcome, *values: str) -> None:
    assert "@" not in outcome.detail
    for value in values:
        assert value not in outcome.detail


async def test_portable_names_the_datasets_export_writes(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    mailman_server.subscribe(new_mailman_list(), email, "Ann Example")
    sink = MemorySink()

    await connector.export(await locate(connector, email), sink)

    assert (
        portable_names(connector.datasets)
        == set(sink.datasets)
        == {"subscriptions", "newsletter_user"}
    )


async def test_rectify_email_moves_memberships_and_removes_the_old_address(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    old, new = new_email(), new_email()
    member_ids = [mailman_server.subscribe(new_mailman_list(), old, "Ann") for _ in range(2)]
    user_id = mailman_server.user_id(old)
    located = await locate(connector, old)

    outcome = await connector.rectify(located, Changes({Field.EMAIL: new}))
    # After the change `located` still holds the ids from before: ids, not emails.
    again = await connector.rectify(located, Changes({Field.EMAIL: new}))

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail == "Corrected in the newsletter system: email."
    assert again == outcome
    assert_no_personal_data(outcome, old, new)
    assert emails_of_user(mailman_server, user_id) == [new]
    address = found(mailman_server, f"addresses/{new}")
    assert address is not None
    assert address["verified_on"]
    assert address["display_name"] == "Ann"
    for member_id in member_ids:
        assert member(mailman_server, member_id)["email"] == new
    assert found(mailman_server, f"addresses/{old}") is None
    assert not (await locate(connector, old)).found


async def test_rectify_name_renames_the_user_and_its_addresses(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    member_id = mailman_server.subscribe(new_mailman_list(), email, "Ann Example")
    user_id = mailman_server.user_id(email)
    changes = Changes({Field.NAME: "Ann Newname", Field.PHONE: "+31.201234567"})
    located = await locate(connector, email)

    outcome = await connector.rectify(located, changes)
    again = await connector.rectify(located, changes)

    assert outcome == again
    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail == "Corrected in the newsletter system: name."
    assert_no_personal_data(outcome, "Ann")
    user = found(mailman_server, f"users/{user_id}")
    assert user is not None
    assert user["display_name"] == "Ann Newname"
    address = found(mailman_server, f"addresses/{email}")
    assert address is not None
    assert address["display_name"] == "Ann Newname"
    assert member(mailman_server, member_id)["display_name"] == "Ann Newname"


async def test_rectify_name_and_email_gives_the_new_address_the_new_name(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    old, new = new_email(), new_email()
    member_id = mailman_server.subscribe(new_mailman_list(), old, "Ann Example")
    changes = Changes({Field.EMAIL: new, Field.NAME: "Ann Newname"})

    outcome = await connector.rectify(await locate(connector, old), changes)

    assert outcome.detail == "Corrected in the newsletter system: name, email."
    assert member(mailman_server, member_id)["email"] == new
    assert member(mailman_server, member_id)["display_name"] == "Ann Newname"


async def test_rectify_of_fields_mailman_does_not_hold_changes_nothing(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    member_id = mailman_server.subscribe(new_mailman_list(), email, "Ann Example")
    before = member(mailman_server, member_id)

    outcome = await connector.rectify(
        await locate(connector, email), Changes({Field.CITY: "Utrecht"})
    )

    assert outcome.status is OutcomeStatus.DONE
    assert "nothing was changed" in outcome.detail
    assert member(mailman_server, member_id) == before


async def test_rectify_email_to_another_users_address_is_refused_and_changes_nothing(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    old, taken = new_email(), new_email()
    member_id = mailman_server.subscribe(new_mailman_list(), old, "Ann")
    mailman_server.subscribe(new_mailman_list(), taken, "Someone Else")
    other_user = mailman_server.user_id(taken)

    outcome = await connector.rectify(await locate(connector, old), Changes({Field.EMAIL: taken}))

    assert outcome.status is OutcomeStatus.REFUSED
    assert "another newsletter account" in outcome.detail
    assert_no_personal_data(outcome, old, taken)
    assert member(mailman_server, member_id)["email"] == old
    assert emails_of_user(mailman_server, other_user) == [taken]


async def test_rectify_email_merges_the_subjects_users_without_duplicate_memberships(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    old, hinted, new = new_email(), new_email(), new_email()
    both, only_old, only_hinted = new_mailman_list(), new_mailman_list(), new_mailman_list()
    for list_id in (both, only_old):
        mailman_server.subscribe(list_id, old, "Ann")
    for list_id in (both, only_hinted):
        mailman_server.subscribe(list_id, hinted, "Ann")
    located = await locate(connector, old, hinted)
    assert located.record_counts == {"subscriptions": 4, "user": 2}

    outcome = await connector.rectify(located, Changes({Field.EMAIL: new}))
    again = await connector.rectify(located, Changes({Field.EMAIL: new}))

    assert outcome.status is again.status is OutcomeStatus.DONE
    user_id = mailman_server.user_id(new)
    assert emails_of_user(mailman_server, user_id) == [new]
    memberships = mailman_server.get(f"addresses/{new}/memberships").json()["entries"]
    assert sorted(m["list_id"] for m in memberships) == sorted([both, only_old, only_hinted])
    assert found(mailman_server, f"addresses/{hinted}") is None


async def test_rectify_email_moves_the_preferred_address_of_a_user_subscription(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    old, new = new_email(), new_email()
    mailman_server.subscribe(new_mailman_list(), old, "Ann")
    user_id = mailman_server.prefer_address(old)
    as_user = mailman_server.subscribe(new_mailman_list(), user_id)
    assert member(mailman_server, as_user)["subscription_mode"] == "as_user"

    outcome = await connector.rectify(await locate(connector, old), Changes({Field.EMAIL: new}))

    assert outcome.status is OutcomeStatus.DONE
    preferred = found(mailman_server, f"users/{user_id}/preferred_address")
    assert preferred is not None
    assert preferred["email"] == new
    assert member(mailman_server, as_user)["email"] == new


async def test_restrict_keeps_subscriptions_but_disables_delivery(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    member_ids = [mailman_server.subscribe(new_mailman_list(), email, "Ann") for _ in range(2)]
    located = await locate(connector, email)

    outcome = await connector.restrict(located)
    again = await connector.restrict(located)

    assert outcome.status is OutcomeStatus.DONE
    assert again == outcome
    assert outcome.detail.startswith("Delivery of 2 subscription(s) is switched off")
    assert "stay stored" in outcome.detail
    for member_id in member_ids:
        assert member(mailman_server, member_id)["email"] == email
        preferences = found(mailman_server, f"members/{member_id}/preferences")
        assert preferences is not None
        assert preferences["delivery_status"] == "by_user"


async def test_object_to_direct_marketing_unsubscribes_and_bans_idempotently(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    list_id = new_mailman_list()
    member_ids = [mailman_server.subscribe(list_id, email, "Ann")]
    member_ids.append(mailman_server.subscribe(new_mailman_list(), email, "Ann"))
    user_id = mailman_server.user_id(email)
    located = await locate(connector, email)

    outcome = await connector.object_to(located, (Purpose.DIRECT_MARKETING,))
    again = await connector.object_to(located, (Purpose.DIRECT_MARKETING,))

    assert outcome.status is OutcomeStatus.DONE
    assert again == outcome
    assert outcome.detail == (
        "2 subscription(s) ended and 1 email address(es) barred from subscribing again, "
        "so no newsletter is sent to the subject any more."
    )
    for member_id in member_ids:
        assert found(mailman_server, f"members/{member_id}") is None
    assert found(mailman_server, f"bans/{email}") is not None
    assert emails_of_user(mailman_server, user_id) == [email]
    # The suppression holds: Mailman itself refuses to subscribe the address again.
    with pytest.raises(RuntimeError, match="answered 400"):
        mailman_server.subscribe(list_id, email, "Ann")


async def test_object_to_unsubscribes_at_once_where_unsubscribing_is_moderated(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    list_id = new_mailman_list()
    mailman_server.configure_list(list_id, unsubscription_policy="moderate")
    member_id = mailman_server.subscribe(list_id, email, "Ann")

    outcome = await connector.object_to(await locate(connector, email), (Purpose.DIRECT_MARKETING,))

    assert outcome.status is OutcomeStatus.DONE
    assert found(mailman_server, f"members/{member_id}") is None


async def test_object_to_profiling_alone_changes_nothing(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    member_id = mailman_server.subscribe(new_mailman_list(), email, "Ann")

    outcome = await connector.object_to(await locate(connector, email), (Purpose.PROFILING,))

    assert outcome.status is OutcomeStatus.NOT_PROCESSED
    assert outcome.detail == "This system does not process data for: profiling."
    assert member(mailman_server, member_id)["email"] == email
    assert found(mailman_server, f"bans/{email}") is None


async def test_object_to_marketing_and_profiling_says_profiling_is_not_done_here(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    email = new_email()
    member_id = mailman_server.subscribe(new_mailman_list(), email, "Ann")
    purposes = (Purpose.DIRECT_MARKETING, Purpose.PROFILING)

    outcome = await connector.object_to(await locate(connector, email), purposes)

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail.endswith("This system does not process data for: profiling.")
    assert found(mailman_server, f"members/{member_id}") is None
    assert found(mailman_server, f"bans/{email}") is not None


async def test_rectify_email_after_an_objection_moves_the_ban_too(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: NewList
) -> None:
    old, new = new_email(), new_email()
    mailman_server.subscribe(new_mailman_list(), old, "Ann")
    located = await locate(connector, old)
    await connector.object_to(located, (Purpose.DIRECT_MARKETING,))

    outcome = await connector.rectify(located, Changes({Field.EMAIL: new}))

    assert outcome.status is OutcomeStatus.DONE
    assert found(mailman_server, f"bans/{new}") is not None
    assert found(mailman_server, f"bans/{old}") is None
    assert emails_of_user(mailman_server, mailman_server.user_id(new)) == [new]


async def test_rights_for_a_subject_not_in_mailman_are_not_found(
    connector: MailmanConnector,
) -> None:
    located = await locate(connector, new_email())

    outcomes = [
        await connector.rectify(located, Changes({Field.EMAIL: new_email()})),
        await connector.restrict(located),
        await connector.object_to(located, (Purpose.DIRECT_MARKETING,)),
    ]

    assert {o.status for o in outcomes} == {OutcomeStatus.NOT_FOUND}


async def test_a_failing_server_is_unavailable_without_personal_data() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    conn = MailmanConnector(
        "http://mailman.test/3.1", "restadmin", "x", transport=httpx.MockTransport(fail)
    )
    located = Located(connector="newsletter", found=True, refs=("member:m1", "user:u1"))
    try:
        with pytest.raises(SystemUnavailable) as raised:
            await conn.object_to(located, (Purpose.DIRECT_MARKETING,))
    finally:
        await conn.aclose()

    assert "@" not in str(raised.value)
