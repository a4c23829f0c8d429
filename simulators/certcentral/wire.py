"""The CertCentral simulator's JSON shapes: orders, organisations and requests as the Services
API v2 renders them."""

from __future__ import annotations

from typing import Any

import simulators.certcentral.data as data
from simulators.certcentral.data import CertCentralState

CONTAINER = {"id": 1, "name": "Example Hosting B.V."}


def order_summary(state: CertCentralState, order: data.Order) -> dict[str, Any]:
    """An order as List orders shows it."""
    summary: dict[str, Any] = {
        "id": order.id,
        "certificate": {
            "id": order.certificate_id,
            "common_name": order.common_name,
            "dns_names": order.dns_names,
            "valid_till": order.valid_till.isoformat(),
            "days_remaining": max(0, (order.valid_till - state.today).days),
            "signature_hash": "sha256",
        },
        "status": order.status,
        "is_renewed": False,
        "date_created": data.as_timestamp(order.valid_from),
        "container": CONTAINER,
        "product": dict(data.PRODUCTS[order.validation]),
    }
    if order.organization_id is not None:
        found = state.organizations.get(order.organization_id)
        # A deleted organisation leaves only its id on the orders that used it.
        summary["organization"] = {"id": order.organization_id} | _named(found)
    return summary


def order_info(state: CertCentralState, order: data.Order) -> dict[str, Any]:
    """An order as Order info shows it: organisation, contacts, requester and requests."""
    info = order_summary(state, order)
    info["certificate"] |= {
        "serial_number": f"{order.certificate_id:032X}",
        "valid_from": order.valid_from.isoformat(),
        "cert_validity": {"days": data.VALIDITY_DAYS},
    }
    info["product"] |= {
        "validation_type": order.validation,
        "validation_name": order.validation.upper(),
    }
    found = state.organizations.get(order.organization_id or 0)
    if found is not None:
        info["organization"] = _organization_address(found)
    # A DV order has no organisation, so no order-level organisation contact.
    contacts = {"organization_contact": order.organization_contact}
    contacts["technical_contact"] = order.technical_contact
    return (
        info
        | {"order_validity": {"days": data.VALIDITY_DAYS}}
        | {kind: person.view() for kind, person in contacts.items() if person is not None}
        | {
            "requester": order.requester.view(),
            "requests": [_request_brief(state.requests[r]) for r in order.request_ids],
        }
    )


def organization_info(organization: data.Organization) -> dict[str, Any]:
    return (
        _organization_address(organization)
        | {
            "status": "active",
            "assumed_name": "",
            "display_name": organization.name,
            "is_active": True,
            "container": CONTAINER,
            "organization_contact": organization.contact.view(),
            "validations": [{"type": "ov", "name": "OV", "status": "active"}],
        }
        | ({"technical_contact": organization.technical.view()} if organization.technical else {})
    )


def revoke_request(state: CertCentralState, filed: data.RevokeRequest) -> dict[str, Any]:
    return _request_brief(filed) | {"requester": _user(state.api_user)}


def request_info(state: CertCentralState, filed: data.RevokeRequest) -> dict[str, Any]:
    info = revoke_request(state, filed) | {
        "order": order_summary(state, state.orders[filed.order_id])
    }
    if filed.date_processed is not None:
        info |= {
            "date_processed": filed.date_processed.isoformat(),
            "processor": _user(data.STAFF),
            "processor_comment": filed.processor_comment,
        }
    return info


def _request_brief(filed: data.RevokeRequest) -> dict[str, Any]:
    brief = {"id": filed.id, "date": filed.date.isoformat(), "type": "revoke"}
    return brief | {"status": filed.status, "comments": filed.comments}


def _organization_address(org: data.Organization) -> dict[str, Any]:
    named = {"id": org.id, "name": org.name, "address": org.address, "address2": "", "zip": org.zip}
    return named | {
        "city": org.city,
        "state": "",
        "country": org.country,
        "telephone": org.telephone,
    }


def _named(organization: data.Organization | None) -> dict[str, Any]:
    return {"name": organization.name} if organization is not None else {}


def _user(p: data.Person) -> dict[str, Any]:
    return {"id": p.id, "first_name": p.first_name, "last_name": p.last_name, "email": p.email}
