"""Tables of the in-house administration and billing system.

docs/systems.md, "Administration and billing", says what it holds.

The connector reads and erases through these tables; the simulator seeds them. Times are
naive UTC, because SQLite keeps no time zone and both backends must read back the same.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    false,
    func,
)
from sqlalchemy.engine import make_url

metadata = MetaData()

# Seconds a SQLite writer waits for another writer before giving up.
_SQLITE_BUSY_TIMEOUT = 30


def _restriction_columns() -> tuple[Column[Any], Column[Any]]:
    """Art. 18 marks on records kept after erasure: no processing, deleted after a date."""
    return (
        Column("restricted", Boolean, nullable=False, default=False, server_default=false()),
        Column("delete_after", Date, nullable=True),
    )


def _owner(nullable: bool = False) -> Column[Any]:
    """The customer a row belongs to; nullable where erasure detaches rows from the customer."""
    return Column("customer_id", Integer, ForeignKey("customers.id"), nullable=nullable)


customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_number", String(16), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    # Contact and address fields are nullable because an anonymised customer has none.
    Column("email", String(320)),
    Column("phone", String(40)),
    Column("street", String(200)),
    Column("postcode", String(20)),
    Column("city", String(100)),
    Column("country", String(2)),
    Column("company", String(200)),
    Column("language", String(2), nullable=False, default="en", server_default="en"),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("anonymised_at", DateTime),
    Column("processing_restricted", Boolean, nullable=False, default=False, server_default=false()),
    Column("marketing_opt_in", Boolean, nullable=False, default=False, server_default=false()),
    # Usage-based offers tailored to the customer; off when they object (Art. 21(2)-(3)).
    Column("profiling_opt_in", Boolean, nullable=False, default=False, server_default=false()),
)
Index("ix_customers_email_lower", func.lower(customers.c.email))

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("role", String(20), nullable=False),  # billing | technical | admin
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phone", String(40)),
    # Art. 18 restriction (or an upheld objection) of a contact person's own row.
    Column("processing_restricted", Boolean, nullable=False, default=False, server_default=false()),
)
Index("ix_contacts_email_lower", func.lower(contacts.c.email))

services = Table(
    "services",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("type", String(20), nullable=False),  # hosting | vps | email
    Column("plan", String(50), nullable=False),
    Column("status", String(20), nullable=False),  # active | ended
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date),
    # A contract is kept 7 years after it ends, also after an erasure (retention "contracts").
    *_restriction_columns(),
)

domains = Table(
    "domains",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(nullable=True),
    Column("name", String(253), nullable=False, unique=True),
    Column("registrar", String(30), nullable=False),  # openprovider | epp-registry
    Column("registrant_handle", String(64)),
    Column("status", String(20), nullable=False),  # active | cancelled
)

certificates = Table(
    "certificates",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(nullable=True),
    Column("common_name", String(253), nullable=False),
    Column("ca", String(30), nullable=False),  # certcentral
    Column("order_ref", String(40), nullable=False),
    Column("validation", String(2), nullable=False),  # DV | OV
    Column("organisation_ref", String(40)),
    Column("status", String(20), nullable=False),  # issued | expired
)

ip_assignments = Table(
    "ip_assignments",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(nullable=True),
    Column("prefix", String(43), nullable=False),
    Column("rir", String(5), nullable=False),  # ripe | arin
    Column("person_handle", String(64)),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("number", String(32), nullable=False, unique=True),
    Column("issued_on", Date, nullable=False),
    Column("total_cents", Integer, nullable=False),
    # As issued: tax law requires the invoice unchanged, so erasure keeps these.
    Column("billing_name", String(200), nullable=False),
    Column("billing_address", String(400), nullable=False),
    *_restriction_columns(),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("method", String(10), nullable=False),  # card | ideal | sepa
    # Never a full card number: holder, last four digits and expiry are all that is kept.
    Column("card_holder", String(200)),
    Column("card_last4", String(4)),
    Column("card_expiry", String(5)),  # MM/YY
    *_restriction_columns(),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("ordered_on", Date, nullable=False),
    Column("product", String(100), nullable=False),
    Column("amount_cents", Integer, nullable=False),
    *_restriction_columns(),
)

consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("purpose", String(50), nullable=False),
    Column("given_at", DateTime, nullable=False),
    Column("method", String(100), nullable=False),
    Column("source_ip", String(45)),
    Column("withdrawn_at", DateTime),
    *_restriction_columns(),
)

support_tickets = Table(
    "support_tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("opened_at", DateTime, nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
)

call_recordings = Table(
    "call_recordings",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("recorded_at", DateTime, nullable=False),
    Column("duration_s", Integer, nullable=False),
    Column("storage_ref", String(200), nullable=False),
)

# Traffic to the websites a customer hosts with us: their visitors' requests, kept 2 years
# for investigating security incidents (retention "web_logs"), then deleted by the sweep.
web_logs = Table(
    "web_logs",
    metadata,
    Column("id", Integer, primary_key=True),
    _owner(),
    Column("logged_at", DateTime, nullable=False),
    Column("site", String(253), nullable=False),
    Column("path", String(2000), nullable=False),
    Column("client_ip", String(45), nullable=False),
    Column("user_agent", String(400)),
)


def create_schema(engine: Engine) -> None:
    """Create every table that does not exist yet."""
    metadata.create_all(engine)


def create_admin_engine(url: str) -> Engine:
    """An engine on the administration database; SQLite gets foreign keys and real transactions."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # Bound parameters are personal data: keep them out of logs and exception texts.
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(
        parsed,
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": _SQLITE_BUSY_TIMEOUT},
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    """Enforce foreign keys, and take transaction control away from sqlite3."""
    # sqlite3 would start its deferred BEGIN only before the first write, leaving the
    # reads of a read-then-write transaction outside it; _begin_immediate emits ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    """Take the write lock up front, so a concurrent writer waits instead of failing."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
