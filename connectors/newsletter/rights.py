"""The newsletter's part in rectification, restriction and objection (Art. 16, 18, 21).

Mailman holds one user per subscriber, with a display name and addresses; each address holds
memberships (one per list and role). Everything here works from the user and member ids that
`locate` put into `Located`: ids survive an email change, emails would not (and must not
travel there anyway).
"""

from __future__ import annotations

from connectors.base import not_processed_for
from connectors.newsletter.client import MEMBER, USER, MailmanRest, ids, last_segment, quote_email
from domain.records import Located, Outcome, OutcomeStatus
from domain.rights import Changes, Field, Purpose

CONNECTOR = "newsletter"
_NOTHING = "No data of the subject was found."


async def rectify_newsletter(rest: MailmanRest, located: Located, changes: Changes) -> Outcome:
    """Move the subject to the corrected email and name; other fields Mailman does not hold."""
    if not located.found:
        return Outcome(CONNECTOR, OutcomeStatus.NOT_FOUND, _NOTHING)
    new_name, new_email = changes.get(Field.NAME), changes.get(Field.EMAIL)
    if new_name is None and new_email is None:
        return Outcome(
            CONNECTOR,
            OutcomeStatus.DONE,
            "The newsletter system holds only a name and email addresses, and neither was "
            "corrected; nothing was changed.",
        )
    users = [u for u in ids(located, USER) if await rest.exists(f"users/{u}", "user lookup")]
    if not users:
        return Outcome(CONNECTOR, OutcomeStatus.NOT_FOUND, _NOTHING)
    changed: list[Field] = []
    refused = ""
    if new_email is not None:
        moved = await _move_to_email(rest, users, new_email, new_name)
        if moved is None:
            refused = (
                "The email address was not changed: the corrected address belongs to another "
                "newsletter account, which is never merged without a person checking it."
            )
        else:
            users = moved
            changed.append(Field.EMAIL)
    if new_name is not None:
        for user_id in users:
            await _rename(rest, user_id, new_name)
        changed.insert(0, Field.NAME)
    if not changed:
        return Outcome(CONNECTOR, OutcomeStatus.REFUSED, refused)
    names = ", ".join(f.value for f in changed)
    detail = f"Corrected in the newsletter system: {names}."
    return Outcome(CONNECTOR, OutcomeStatus.DONE, f"{detail} {refused}".strip())


async def restrict_newsletter(rest: MailmanRest, located: Located) -> Outcome:
    """Keep every membership but switch its delivery off, as the subscriber could do."""
    if not located.found:
        return Outcome(CONNECTOR, OutcomeStatus.NOT_FOUND, _NOTHING)
    restricted = 0
    for member_id in await _member_ids(rest, located):
        # The member's own preference wins over the address's, the user's and the list's.
        response = await rest.patch(
            f"members/{member_id}/preferences", "delivery stop", {"delivery_status": "by_user"}
        )
        if response.status_code != 404:
            restricted += 1
    if not restricted:
        detail = (
            "The subject has no subscription; the newsletter account stays stored and no "
            "newsletter is sent to it."
        )
    else:
        detail = (
            f"Delivery of {restricted} subscription(s) is switched off: they stay stored, "
            "and no newsletter is sent to the subject."
        )
    return Outcome(CONNECTOR, OutcomeStatus.DONE, detail)


async def object_to_newsletter(
    rest: MailmanRest, located: Located, purposes: tuple[Purpose, ...]
) -> Outcome:
    """Direct marketing: end every membership and ban the addresses; nothing else is done here.

    The newsletter is the only processing in Mailman, and it is direct marketing: Mailman
    profiles no one and processes for no other purpose.
    """
    others = tuple(p for p in purposes if p is not Purpose.DIRECT_MARKETING)
    if len(others) == len(purposes):
        return not_processed_for(CONNECTOR, purposes)
    if not located.found:
        return Outcome(CONNECTOR, OutcomeStatus.NOT_FOUND, _NOTHING)
    emails = [
        address["email"]
        for user_id in ids(located, USER)
        for address in await rest.user_addresses(user_id)
    ]
    # The ban is the suppression record Art. 21(3) needs: it keeps the addresses off every
    # list, so a later sign-up or import cannot undo the objection. It is a global ban (the
    # site-wide `/bans`, not `/lists/{id}/bans`), so it covers lists created later too.
    # Banned first: no subscription can slip in between the unsubscriptions and the ban.
    for email in emails:
        await _ban(rest, email)
    members = await _member_ids(rest, located)
    for member_id in members:
        await rest.unsubscribe(member_id)
    detail = (
        f"{len(members)} subscription(s) ended and {len(emails)} email address(es) barred from "
        "subscribing again, so no newsletter is sent to the subject any more."
    )
    if others:
        detail += " " + not_processed_for(CONNECTOR, others).detail
    return Outcome(CONNECTOR, OutcomeStatus.DONE, detail)


async def _move_to_email(
    rest: MailmanRest, users: list[str], email: str, name: str | None
) -> list[str] | None:
    """Give the subject's user the corrected address and move everything onto it.

    Returns the one user left, or None when the address is another user's: that may be
    someone else, so their accounts are not merged on the strength of this request.
    """
    address = await rest.get(f"addresses/{quote_email(email)}", "address lookup")
    owner = last_segment(address["user"]) if address and "user" in address else None
    if owner is not None and owner not in users:
        return None
    user_id = owner or users[0]
    # Several users found for the subject (by email and by hints): one address can belong
    # to one user only, so the others are merged into it; Mailman relinks their addresses
    # and memberships and deletes them (their refs then answer 404, which is fine).
    for other in users:
        if other != user_id:
            await _absorb(rest, user_id, other)
    addresses = await rest.user_addresses(user_id)
    if owner is None:
        # An existing address without a user (seen only as a poster) is linked, not created.
        display_name = name or next(
            (a["display_name"] for a in addresses if a.get("display_name")), ""
        )
        form = {"email": email} | ({"display_name": display_name} if display_name else {})
        await rest.post(f"users/{user_id}/addresses", "address addition", form)
    # Verified by us: the subject's identity was verified before the request was carried out.
    await rest.post(f"addresses/{quote_email(email)}/verify", "address verification", {})
    old = [a["email"] for a in addresses if a["email"] != email]
    await _prefer(rest, user_id, email)
    await _move_memberships(rest, old, email)
    for old_email in old:
        await _carry_ban(rest, old_email, email)
        # Mailman unsubscribes what is left on an address it deletes; nothing is left by now.
        await rest.delete(f"addresses/{quote_email(old_email)}", "address removal")
    return [user_id]


async def _absorb(rest: MailmanRest, user_id: str, other: str) -> None:
    addresses = await rest.user_addresses(other)
    if addresses:
        form = {"email": addresses[0]["email"], "absorb_existing": "true"}
        await rest.post(f"users/{user_id}/addresses", "account merge", form)


async def _prefer(rest: MailmanRest, user_id: str, email: str) -> None:
    """A user's preferred address moves too: memberships `as_user` follow it."""
    preferred = await rest.get(f"users/{user_id}/preferred_address", "preferred address")
    if preferred is not None and preferred["email"] != email:
        await rest.post(
            f"users/{user_id}/preferred_address", "preferred address change", {"email": email}
        )


async def _move_memberships(rest: MailmanRest, old: list[str], email: str) -> None:
    """Point each membership of the old addresses at the new one; member ids stay."""
    held = {(m["list_id"], m["role"]) for m in await rest.memberships(email)}
    for old_email in old:
        for member in await rest.memberships(old_email):
            if member.get("subscription_mode") == "as_user":
                continue  # it follows the preferred address, moved already
            key = (member["list_id"], member["role"])
            if key in held:
                # Mailman would let both stand: two copies of every newsletter to one address.
                await rest.unsubscribe(member["member_id"])
                continue
            await rest.patch(
                f"members/{member['member_id']}", "membership move", {"address": email}
            )
            held.add(key)


async def _carry_ban(rest: MailmanRest, old: str, new: str) -> None:
    """An earlier objection (Art. 21(3)) follows the subject to the corrected address."""
    if await rest.exists(f"bans/{quote_email(old)}", "ban lookup"):
        await _ban(rest, new)
        await rest.delete(f"bans/{quote_email(old)}", "ban removal")


async def _rename(rest: MailmanRest, user_id: str, name: str) -> None:
    """The user's display name and each address's: memberships show the address's first."""
    await rest.patch(f"users/{user_id}", "name change", {"display_name": name})
    for address in await rest.user_addresses(user_id):
        path = f"addresses/{quote_email(address['email'])}"
        await rest.patch(path, "name change", {"display_name": name})


async def _ban(rest: MailmanRest, email: str) -> None:
    # Mailman refuses a second ban with 400, so look first: a retry must not fail.
    if not await rest.exists(f"bans/{quote_email(email)}", "ban lookup"):
        await rest.post("bans", "ban", {"email": email})


async def _member_ids(rest: MailmanRest, located: Located) -> list[str]:
    """The memberships found by locate and any the subject's users gained since."""
    found = dict.fromkeys(ids(located, MEMBER))
    for user_id in ids(located, USER):
        found.update(dict.fromkeys(await rest.member_ids(user_id)))
    return list(found)
