"""The newsletter connector against the real Mailman 3 core over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date

import httpx
import pytest

from connectors.base import Connector
from connectors.errors import AuthenticationFailed, RateLimited, SystemUnavailable
from connectors.newsletter import MailmanConnector
from domain.records import Located, OutcomeStatus, PlanAction
from domain.retention import RetentionPolicy
from domain.subject import Hints, SubjectIdentifiers
from runtime.settings import Settings
from simulators.newsletter import MailmanServer
from simulators.serving import free_port
from tests.connectors.memory_sink import MemorySink

TODAY = date(2026, 11, 22)


def new_email() -> str:
    return f"subject-{uuid.uuid4().hex[:10]}@example.net"


@pytest.fixture
async def connector(mailman_server: MailmanServer) -> AsyncIterator[MailmanConnector]:
    conn = MailmanConnector(mailman_server.rest_url, mailman_server.user, mailman_server.password)
    yield conn
    await conn.aclose()


def rest(server: MailmanServer, path: str) -> httpx.Response:
    return httpx.get(f"{server.rest_url}/{path}", auth=(server.user, server.password))


async def erase_all(connector: MailmanConnector, located: Located) -> OutcomeStatus:
    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)
    return (await connector.erase(located, plan)).status


def test_implements_the_connector_contract() -> None:
    conn = MailmanConnector.create(Settings(mailman_url="http://127.0.0.1:1/3.1"))
    assert isinstance(conn, Connector)


async def test_locate_finds_a_subscriber(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: Callable[[], str]
) -> None:
    email = new_email()
    member_id = mailman_server.subscribe(new_mailman_list(), email, "Ann Example")

    located = await connector.locate(SubjectIdentifiers(email=email), Hints())

    assert located.found
    assert located.record_counts == {"subscriptions": 1, "user": 1}
    assert f"member:{member_id}" in located.refs
    assert all("@" not in ref for ref in located.refs)


async def test_locate_reports_an_unknown_address_as_not_found(connector: MailmanConnector) -> None:
    located = await connector.locate(SubjectIdentifiers(email=new_email()), Hints())

    assert not located.found
    assert located.refs == ()
    assert located.record_counts == {"subscriptions": 0, "user": 0}


async def test_locate_searches_the_emails_of_hints_too(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: Callable[[], str]
) -> None:
    hinted = new_email().replace("subject-", "Hinted+news-")
    mailman_server.subscribe(new_mailman_list(), hinted, "Ann Example")

    located = await connector.locate(SubjectIdentifiers(email=new_email()), Hints(emails=(hinted,)))

    assert located.record_counts == {"subscriptions": 1, "user": 1}


async def test_subscriber_on_two_lists_is_exported_with_both_datasets(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: Callable[[], str]
) -> None:
    email = new_email()
    lists = {new_mailman_list(), new_mailman_list()}
    for list_id in lists:
        mailman_server.subscribe(list_id, email, "Ann Example")
    located = await connector.locate(SubjectIdentifiers(email=email), Hints())
    sink = MemorySink()

    summary = await connector.export(located, sink)

    assert located.record_counts == {"subscriptions": 2, "user": 1}
    assert summary.records == 3
    subscriptions = sink.datasets["subscriptions"]
    assert {s["list_id"] for s in subscriptions} == lists
    assert {(s["role"], s["delivery_mode"], s["address"]) for s in subscriptions} == {
        ("member", "regular", email)
    }
    [user] = sink.datasets["newsletter_user"]
    assert user["display_name"] == "Ann Example"
    assert user["created_on"]
    [address] = user["addresses"]
    assert address["email"] == email
    assert address["verified_on"]


async def test_plan_acts_on_subscriptions_and_the_user(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: Callable[[], str]
) -> None:
    email = new_email()
    mailman_server.subscribe(new_mailman_list(), email, "Ann Example")
    located = await connector.locate(SubjectIdentifiers(email=email), Hints())

    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)

    assert [(i.category, i.action, i.records) for i in plan.items] == [
        ("subscriptions", PlanAction.ACT, 1),
        ("newsletter_user", PlanAction.ACT, 1),
    ]


async def test_erase_ends_memberships_and_deletes_the_user_idempotently(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: Callable[[], str]
) -> None:
    email = new_email()
    member_ids = [mailman_server.subscribe(new_mailman_list(), email, "Ann") for _ in range(2)]
    located = await connector.locate(SubjectIdentifiers(email=email), Hints())
    plan = await connector.plan_erasure(located, RetentionPolicy(), TODAY)

    outcome = await connector.erase(located, plan)
    again = await connector.erase(located, plan)

    assert outcome.status is OutcomeStatus.DONE
    assert outcome.detail == "2 subscription(s) ended; Mailman user deleted"
    assert again == outcome
    for member_id in member_ids:
        assert rest(mailman_server, f"members/{member_id}").status_code == 404
    assert rest(mailman_server, f"addresses/{email}").status_code == 404
    assert not (await connector.locate(SubjectIdentifiers(email=email), Hints())).found


async def test_erase_where_unsubscribing_is_moderated_leaves_no_held_request(
    connector: MailmanConnector, mailman_server: MailmanServer, new_mailman_list: Callable[[], str]
) -> None:
    email = new_email()
    list_id = new_mailman_list()
    mailman_server.configure_list(list_id, unsubscription_policy="moderate")
    member_id = mailman_server.subscribe(list_id, email, "Ann")

    assert await erase_all(connector, await locate_email(connector, email)) is OutcomeStatus.DONE

    assert rest(mailman_server, f"members/{member_id}").status_code == 404
    # A held unsubscription would keep the address and name in Mailman's pending requests.
    held = rest(mailman_server, f"lists/{list_id}/requests?request_type=unsubscription").json()
    assert held["total_size"] == 0


async def locate_email(connector: MailmanConnector, email: str) -> Located:
    return await connector.locate(SubjectIdentifiers(email=email), Hints())


async def test_erase_of_nothing_found_is_not_found(connector: MailmanConnector) -> None:
    located = await connector.locate(SubjectIdentifiers(email=new_email()), Hints())

    assert await erase_all(connector, located) is OutcomeStatus.NOT_FOUND


async def test_wrong_password_is_authentication_failed_without_personal_data(
    mailman_server: MailmanServer,
) -> None:
    email = new_email()
    conn = MailmanConnector(mailman_server.rest_url, mailman_server.user, "wrong")
    try:
        with pytest.raises(AuthenticationFailed) as raised:
            await conn.locate(SubjectIdentifiers(email=email), Hints())
    finally:
        await conn.aclose()

    assert "DSR_MAILMAN_PASSWORD" in str(raised.value)
    assert email not in str(raised.value)
    assert "@" not in str(raised.value)


async def test_a_server_that_is_down_is_unavailable() -> None:
    conn = MailmanConnector(f"http://127.0.0.1:{free_port()}/3.1", "restadmin", "x")
    try:
        with pytest.raises(SystemUnavailable) as raised:
            await conn.locate(SubjectIdentifiers(email=new_email()), Hints())
    finally:
        await conn.aclose()

    assert "@" not in str(raised.value)


@pytest.mark.parametrize(
    ("status", "headers", "error"),
    [
        (429, {"Retry-After": "17"}, RateLimited),
        (503, {}, SystemUnavailable),
        (401, {}, AuthenticationFailed),
        (403, {}, AuthenticationFailed),
    ],
)
async def test_http_errors_map_onto_connector_errors(
    status: int, headers: dict[str, str], error: type[Exception]
) -> None:
    seen: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(status, headers=headers)

    conn = MailmanConnector(
        "http://mailman.test/3.1", "restadmin", "x", transport=httpx.MockTransport(refuse)
    )
    try:
        with pytest.raises(error) as raised:
            await conn.locate(SubjectIdentifiers(email="a+b@example.net"), Hints())
    finally:
        await conn.aclose()

    assert seen == ["/3.1/addresses/a%2Bb@example.net"]
    assert "example.net" not in str(raised.value)
    if isinstance(raised.value, RateLimited):
        assert raised.value.retry_after == 17.0
