"""A deterministic synthetic administration: customers with eight years of history.

Every email is `first.last<n>@example.<nl|com>` with a number no other person has, so no
email is a substring of another: a test can search an archive for one customer's email
without hitting someone else's. Customer 1 (`SeedSummary.rich_customer`) has everything.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from connectors.billing import wire as schema
from simulators.billing.people import DUTCH, ENGLISH, Address, People, Person

WORDS = ("noord", "zuid", "blauw", "zon", "river", "oak", "maple", "harbour", "polder", "dijk")
TRADES = ("studio", "bakery", "bikes", "design", "garden", "consult", "media", "travel")
PLANS = {  # service type -> (plan, monthly price in cents)
    "hosting": (("Starter", 499), ("Pro", 999), ("Business", 1999)),
    "vps": (("VPS S", 1500), ("VPS M", 3000), ("VPS L", 6000)),
    "email": (("Mail Basic", 299), ("Mail Plus", 599)),
}
TICKETS = ("Website unreachable", "Question about my invoice", "Move my domain", "Mailbox full")
TLD_REGISTRAR = {"nl": "epp-registry", "com": "openprovider", "eu": "openprovider"}
UNRESTRICTED = {"restricted": False, "delete_after": None}


@dataclass(frozen=True)
class SeededCustomer:
    customer_id: int
    customer_number: str
    email: str
    name: str
    newsletter: bool
    language: str
    # Profiled for usage-based offers: customer 1 by legitimate interest, some by consent.
    profiling: bool = False


@dataclass(frozen=True)
class SeededContact:
    """A contact person who is not the account holder: a data subject of their own."""

    contact_id: int
    customer_id: int
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class SeedSummary:
    customers: tuple[SeededCustomer, ...]
    contacts: tuple[SeededContact, ...] = ()

    @property
    def rich_customer(self) -> SeededCustomer:
        """Customer 1: invoices over 8 years, domains at both registrars, DV and OV
        certificates, RIPE and ARIN handles, a 6-year-old newsletter consent and a
        1-year-old webinar consent, a ticket, a call recording and a second contact person."""
        return self.customers[0]


def customer_number(customer_id: int) -> str:
    """The number a customer quotes, e.g. C100042 for customer 42."""
    return f"C{100000 + customer_id}"


@dataclass
class _Account:
    """What one customer's rows are generated from."""

    cid: int
    holder: Person
    created: date
    closed: date | None
    company: str | None
    rich: bool
    domains: list[str] = field(default_factory=list)
    prices: list[tuple[str, int]] = field(default_factory=list)


class _Generator:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today = rng, today
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.people = People(rng)
        self.customers: list[SeededCustomer] = []
        self.contacts: list[SeededContact] = []

    def add(self, table: str, **row: Any) -> int:
        """Queue a row with the next id of its table; returns that id."""
        rows = self.tables.setdefault(table, [])
        row["id"] = len(rows) + 1
        rows.append(row)
        return len(rows)

    def moment(self, day: date) -> datetime:
        return datetime.combine(day, time(self.rng.randint(8, 18), self.rng.randint(0, 59)))

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def customer(self, cid: int) -> None:
        rich = cid == 1
        locale = DUTCH if rich or self.rng.random() < 0.6 else ENGLISH
        holder = self.people.person(locale)
        created = self.days_ago(8 * 365 + 30, 8 * 365 + 40) if rich else self.days_ago(60, 2920)
        closed = None
        if not rich and self.rng.random() < 0.1:
            closed = self.days_ago(1, (self.today - created).days - 30)
        trade = f"{self.rng.choice(WORDS)} {self.rng.choice(TRADES)}".title()
        company = f"{trade} {locale.company_suffix}" if rich or self.rng.random() < 0.4 else None
        account = _Account(cid, holder, created, closed, company, rich)
        address = self.add_customer_row(account)
        self.add_contacts(account)
        self.add_domains(account)
        self.add_services(account)
        self.add_certificates(account)
        self.add_ips(account)
        self.add_invoices(account, address)
        newsletter = self.add_consents(account)
        profiling = self.add_profiling(account, newsletter)
        self.add_tickets(account)
        self.add_recordings(account)
        number = customer_number(cid)
        seeded = SeededCustomer(
            cid, number, holder.email, holder.name, newsletter, locale.language, profiling
        )
        self.customers.append(seeded)

    def add_customer_row(self, account: _Account) -> Address:
        """The customer row; returns the postal address, as invoices print it."""
        holder, locale = account.holder, account.holder.locale
        address = self.people.address(locale)
        self.add(
            "customers", customer_number=customer_number(account.cid), name=holder.name,
            email=holder.email, phone=holder.phone, street=address.street,
            postcode=address.postcode, city=address.city, country=address.country,
            company=account.company, language=locale.language,
            created_at=self.moment(account.created),
            closed_at=self.moment(account.closed) if account.closed else None,
            anonymised_at=None, processing_restricted=False, marketing_opt_in=False,
            profiling_opt_in=False,
        )  # fmt: skip
        return address

    def add_contacts(self, account: _Account) -> None:
        """The holder is the billing contact; technical/admin contacts may be other people."""
        holder = account.holder
        self.contact(account.cid, "billing", holder, own=True)
        for role in ("technical", "admin")[: 1 if account.rich else self.rng.randint(0, 2)]:
            other = account.rich or self.rng.random() < 0.5
            self.contact(
                account.cid, role, self.people.person(holder.locale) if other else holder, not other
            )

    def contact(self, cid: int, role: str, who: Person, own: bool) -> None:
        contact_id = self.add(
            "contacts", customer_id=cid, role=role, name=who.name, email=who.email, phone=who.phone
        )
        if not own:
            self.contacts.append(SeededContact(contact_id, cid, who.email, who.name, role))

    def add_domains(self, account: _Account) -> None:
        tlds = ["nl", "com", "eu"]
        if not account.rich:
            tlds = self.rng.sample(tlds, self.rng.randint(1, 3))
        for tld in tlds:
            registrar, cid = TLD_REGISTRAR[tld], account.cid
            handle = f"{account.holder.initials}{cid:06d}-NL"
            if registrar == "epp-registry":
                handle = f"HST{cid:06d}"
            name = f"{self.rng.choice(WORDS)}-{self.rng.choice(TRADES)}-{cid}.{tld}"
            status = "cancelled" if account.closed else "active"
            self.add(
                "domains", customer_id=cid, name=name, registrar=registrar,
                registrant_handle=handle, status=status,
            )  # fmt: skip
            account.domains.append(name)

    def add_services(self, account: _Account) -> None:
        kinds = ["hosting", "vps", "email"]
        if not account.rich:
            kinds = self.rng.sample(kinds, self.rng.randint(1, 2))
        for kind in kinds:
            plan, price = self.rng.choice(PLANS[kind])
            status = "ended" if account.closed else "active"
            self.add(
                "services", customer_id=account.cid, type=kind, plan=plan, status=status,
                started_on=account.created, ended_on=account.closed,
            )  # fmt: skip
            self.add(
                "orders", customer_id=account.cid, ordered_on=account.created,
                product=f"{kind} {plan}", amount_cents=3 * price, **UNRESTRICTED,
            )  # fmt: skip
            account.prices.append((kind, price))

    def add_certificates(self, account: _Account) -> None:
        if not account.rich and self.rng.random() < 0.5:
            return
        validations = ["DV", "OV"]
        if not account.rich:
            validations = ["OV" if account.company and self.rng.random() < 0.5 else "DV"]
        for n, validation in enumerate(validations):
            cid = account.cid
            self.add(
                "certificates", customer_id=cid,
                common_name=f"www.{account.domains[n % len(account.domains)]}",
                ca="certcentral", order_ref=str(40000000 + 10 * cid + n), validation=validation,
                organisation_ref=str(700000 + cid) if validation == "OV" else None,
                status="expired" if account.closed else "issued",
            )  # fmt: skip
            recent = max(account.created, self.days_ago(1, 365))
            ordered = min(recent, account.closed or self.today)
            self.add(
                "orders", customer_id=cid, ordered_on=ordered, product=f"certificate {validation}",
                amount_cents=4900 if validation == "DV" else 14900, **UNRESTRICTED,
            )  # fmt: skip

    def add_ips(self, account: _Account) -> None:
        rirs = ["ripe", "arin"]
        if not account.rich:
            has_vps = any(kind == "vps" for kind, _ in account.prices)
            dutch = account.holder.locale.language == "nl"
            rirs = (["ripe"] if dutch else ["arin"]) if has_vps else []
        for rir in rirs:
            cid = account.cid
            first_octets = "185.231" if rir == "ripe" else "104.207"
            handle = f"{account.holder.initials}{cid}-{rir.upper()}"
            prefix = f"{first_octets}.{cid % 256}.0/29"
            self.add(
                "ip_assignments", customer_id=cid, prefix=prefix, rir=rir, person_handle=handle
            )

    def add_invoices(self, account: _Account, address: Address) -> None:
        """One invoice a quarter from the first day to closing (or today), each paid."""
        issued, end = account.created, account.closed or self.today
        total = 3 * sum(price for _, price in account.prices)
        while issued <= end:
            number = f"INV-{issued.year}-{len(self.tables.get('invoices', ())) + 1:06d}"
            invoice_id = self.add(
                "invoices", customer_id=account.cid, number=number, issued_on=issued,
                total_cents=total, billing_name=account.company or account.holder.name,
                billing_address=str(address), **UNRESTRICTED,
            )  # fmt: skip
            self.add_payment(invoice_id, issued, total, account.holder)
            issued += timedelta(days=91)

    def add_payment(self, invoice_id: int, issued: date, total: int, holder: Person) -> None:
        method = self.rng.choice(("card", "ideal", "sepa"))
        paid = min(issued + timedelta(days=self.rng.randint(0, 14)), self.today)
        card: dict[str, Any] = {"card_holder": None, "card_last4": None, "card_expiry": None}
        if method == "card":
            card = {
                "card_holder": holder.name,
                "card_last4": f"{self.rng.randint(0, 9999):04d}",
                "card_expiry": f"{self.rng.randint(1, 12):02d}/{(paid.year + 3) % 100:02d}",
            }
        self.add(
            "payments", invoice_id=invoice_id, paid_on=paid, amount_cents=total, method=method,
            **card, **UNRESTRICTED,
        )  # fmt: skip

    def add_consents(self, account: _Account) -> bool:
        """Newsletter consents for some customers; returns whether one is still active."""
        if account.rich:
            self.consent(account.cid, "newsletter", self.today - timedelta(days=6 * 365), None)
            self.consent(account.cid, "webinars", self.today - timedelta(days=400), None)
        elif self.rng.random() < 0.4:
            given = account.created + timedelta(days=self.rng.randint(0, 30))
            withdrawn = given + timedelta(days=20) if self.rng.random() < 0.2 else None
            self.consent(account.cid, "newsletter", given, withdrawn)
        else:
            return False
        active = self.tables["consents"][-1]["withdrawn_at"] is None and not account.closed
        self.tables["customers"][-1]["marketing_opt_in"] = active
        return active

    def add_profiling(self, account: _Account, newsletter: bool) -> bool:
        """Customer 1 is profiled by legitimate interest; every third newsletter reader agreed
        to it in the customer portal. Draws nothing from the generator, so the rest stays put."""
        profiled = account.rich or (newsletter and account.cid % 3 == 0)
        self.tables["customers"][-1]["profiling_opt_in"] = profiled
        if profiled and not account.rich:
            newsletter_consent = self.tables["consents"][-1]
            self.add(
                "consents", customer_id=account.cid, purpose="profiling",
                given_at=newsletter_consent["given_at"], method="customer portal preference",
                source_ip=newsletter_consent["source_ip"], withdrawn_at=None, **UNRESTRICTED,
            )  # fmt: skip
        return profiled

    def consent(self, cid: int, purpose: str, given: date, withdrawn: date | None) -> None:
        self.add(
            "consents", customer_id=cid, purpose=purpose, given_at=self.moment(given),
            method="double opt-in web form", source_ip=f"198.51.100.{self.rng.randint(1, 254)}",
            withdrawn_at=self.moment(withdrawn) if withdrawn else None, **UNRESTRICTED,
        )  # fmt: skip

    def add_tickets(self, account: _Account) -> None:
        end = account.closed or self.today
        for _ in range(1 if account.rich else self.rng.randint(0, 3)):
            opened = account.created + timedelta(
                days=self.rng.randint(0, (end - account.created).days)
            )
            domain = self.rng.choice(account.domains)
            body = f"Hello, this is about {domain}. Kind regards, {account.holder.first}"
            self.add(
                "support_tickets", customer_id=account.cid, opened_at=self.moment(opened),
                subject=self.rng.choice(TICKETS), body=body,
            )  # fmt: skip

    def add_recordings(self, account: _Account) -> None:
        # Calls are kept 30 days, so only recent calls of open accounts still exist.
        count = 1 if account.rich else 0 if account.closed else self.rng.randint(0, 2)
        for _ in range(count):
            recorded = self.moment(self.days_ago(0, 29))
            ref = f"recordings/{recorded:%Y/%m}/{self.rng.getrandbits(64):016x}.ogg"
            duration = self.rng.randint(30, 1200)
            self.add(
                "call_recordings", customer_id=account.cid, recorded_at=recorded,
                duration_s=duration, storage_ref=ref,
            )  # fmt: skip

    def add_freelancer(self) -> None:
        """A web developer is the technical contact of customers 2 and 3: one person, two rows."""
        if len(self.customers) >= 3:
            developer = self.people.person(DUTCH)
            for cid in (2, 3):
                self.contact(cid, "technical", developer, own=False)


def seed(engine: Engine, *, customers: int = 60, today: date, rng_seed: int = 42) -> SeedSummary:
    """Fill an empty administration schema; the same arguments always give the same rows."""
    generator = _Generator(random.Random(rng_seed), today)
    for cid in range(1, customers + 1):
        generator.customer(cid)
    generator.add_freelancer()
    with engine.begin() as conn:
        for table in schema.metadata.sorted_tables:
            if rows := generator.tables.get(table.name):
                conn.execute(insert(table), rows)
    return SeedSummary(tuple(generator.customers), tuple(generator.contacts))


def create_and_seed(
    url: str, *, customers: int = 60, today: date, rng_seed: int = 42
) -> SeedSummary:
    """Create the schema in the database at `url` and seed it."""
    engine = schema.create_admin_engine(url)
    try:
        schema.create_schema(engine)
        return seed(engine, customers=customers, today=today, rng_seed=rng_seed)
    finally:
        engine.dispose()
