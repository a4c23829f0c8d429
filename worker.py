"""Process entry: runs the Temporal worker with the request workflow and its activities."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import structlog
from temporalio import activity
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.worker import Worker

from activities.bookkeeping import BookkeepingActivities
from activities.connector_ops import ConnectorActivities
from activities.delivery import DeliveryActivities
from activities.identity import IdentityActivities, OnFile
from activities.notify import NotifyActivities
from activities.push import PushActivities
from connectors.base import Connector, PollQueueReading
from connectors.factory import build_connectors
from domain import names
from domain.datasets import Catalogue
from domain.messages import SweepInput
from domain.records import Phase
from domain.subject import Hints, SubjectIdentifiers
from runtime.keys import Keyring, keyring_from_settings
from runtime.links import sign_link
from runtime.logging import configure_logging
from runtime.mailer import Mailer, MailSettings
from runtime.policy import load_policy
from runtime.settings import Settings, get_settings
from runtime.temporal import connect
from services.poll_queue import PollQueueConsumer
from services.requests import RequestService
from store.audit import AuditTrail
from store.blobs import BlobStore, blob_store_from_url
from store.codes import VerificationCodes
from store.confirmations import PendingConfirmations
from store.db import make_engine, upgrade
from store.registry import RequestRegistry
from store.staging import StagingSink
from workflows.subject_request import SubjectRequestWorkflow
from workflows.sweep import RetentionSweepWorkflow

log = structlog.get_logger()


def download_link_maker(
    settings: Settings, blobs: BlobStore, keyring: Keyring
) -> Callable[[str], str]:
    """Expiring links: presigned for S3, signed API links for the local blob directory."""
    secret = keyring.derive("download-links")

    def make_link(key: str) -> str:
        direct = blobs.link(key, settings.link_ttl_seconds)
        if direct:
            return direct
        token = sign_link(secret, key, settings.link_ttl_seconds)
        return f"{settings.api_url}/downloads/{token}"

    return make_link


def on_file_checker(connectors: Mapping[str, Connector]) -> OnFile:
    """Whether a primary system (the administration) has the subject's email on file."""
    primaries = [c for c in connectors.values() if c.phase is Phase.PRIMARY]

    async def on_file(subject: SubjectIdentifiers) -> bool:
        # By the email alone: a customer number the requester typed proves nothing about it.
        probe = SubjectIdentifiers(email=subject.email, language=subject.language)
        for conn in primaries:
            if (await conn.locate(probe, Hints())).found:
                return True
        return False

    return on_file


def mail_settings(settings: Settings) -> MailSettings:
    return MailSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
    )


@asynccontextmanager
async def dsr_worker(client: Client, settings: Settings, keyring: Keyring) -> AsyncIterator[Worker]:
    """A worker with every activity wired to the configured systems; closes them on exit."""
    policy = load_policy(settings.policy_file)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    blobs = blob_store_from_url(
        settings.resolved_blob_url, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region
    )
    connectors = build_connectors(((c.name, c.factory) for c in policy.connectors), settings)
    catalogue = Catalogue({name: conn.datasets for name, conn in connectors.items()})
    policy.check_datasets(catalogue)
    connector_ops = ConnectorActivities(
        connectors,
        policy.retention,
        lambda request_id, name: StagingSink(blobs, keyring, request_id, name),
        {c.name: c.timing for c in policy.connectors},
    )
    bookkeeping = BookkeepingActivities(
        RequestRegistry(engine), AuditTrail(engine), PendingConfirmations(engine)
    )
    delivery = DeliveryActivities(
        blobs,
        keyring,
        policy.retention,
        catalogue,
        download_link_maker(settings, blobs, keyring),
        link_ttl=timedelta(seconds=settings.link_ttl_seconds),
    )
    push = PushActivities(blobs, settings.push_ca_file)
    identity = IdentityActivities(
        VerificationCodes(engine, keyring.derive("verification-codes")),
        Mailer(mail_settings(settings)),
        on_file_checker(connectors),
        controller_name=settings.controller_name,
        contact=settings.privacy_contact,
    )
    notify = NotifyActivities(
        Mailer(mail_settings(settings)),
        link_ttl_seconds=settings.link_ttl_seconds,
        controller_name=settings.controller_name,
        contact=settings.privacy_contact,
    )
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[SubjectRequestWorkflow, RetentionSweepWorkflow],
        activities=registered_activities(
            connector_ops, bookkeeping, delivery, push, identity, notify
        ),
    )
    try:
        yield worker
    finally:
        await connector_ops.aclose()
        engine.dispose()


def registered_activities(*holders: object) -> list[Callable[..., Any]]:
    """Every activity method of the holders (objects, or their classes): exactly the
    activities `domain.names` lists, or a RuntimeError that names the difference."""
    found = [
        method
        for holder in holders
        for attr in sorted(vars(holder if isinstance(holder, type) else type(holder)))
        if not attr.startswith("_") and activity_name(method := getattr(holder, attr)) is not None
    ]
    wanted = {a.name for a in names.ACTIVITIES}
    have = {activity_name(m) for m in found}
    if have != wanted:
        raise RuntimeError(
            "The worker's activities differ from domain.names: missing "
            f"{sorted(wanted - have)}, unknown {sorted(n for n in have - wanted if n)}."
        )
    return found


def activity_name(fn: object) -> str | None:
    """The name an activity function is registered under, or None for other callables."""
    defn = activity._Definition.from_callable(fn) if callable(fn) else None
    return defn.name if defn else None


async def serve(settings: Settings) -> None:
    keyring = keyring_from_settings(settings)
    client = await connect(settings, keyring)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await ensure_sweep_schedule(client, settings.task_queue)
    async with dsr_worker(client, settings, keyring) as worker:
        log.info("worker_started", task_queue=settings.task_queue)
        async with worker, poll_consumers(client, settings, keyring, stop):
            await stop.wait()
    log.info("worker_stopped")


async def ensure_sweep_schedule(client: Client, task_queue: str) -> None:
    """The daily retention sweep at 02:00 UTC; created once, left alone when it exists."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            names.SWEEP_WORKFLOW, SweepInput(), id=names.SWEEP_WORKFLOW_ID, task_queue=task_queue
        ),
        spec=ScheduleSpec(cron_expressions=["0 2 * * *"]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(names.SWEEP_WORKFLOW_ID, schedule)
        log.info("retention_sweep_scheduled")
    except ScheduleAlreadyRunningError:
        pass


@asynccontextmanager
async def poll_consumers(
    client: Client, settings: Settings, keyring: Keyring, stop: asyncio.Event
) -> AsyncIterator[None]:
    """Beside the worker, one consumer per configured system with a poll queue."""
    policy = load_policy(settings.policy_file)
    connectors = build_connectors(((c.name, c.factory) for c in policy.connectors), settings)
    queues = {
        c.name: c.poll_queue() for c in connectors.values() if isinstance(c, PollQueueReading)
    }
    engine = make_engine(settings.resolved_database_url)
    routes = PendingConfirmations(engine)
    service = RequestService(
        client,
        RequestRegistry(engine),
        task_queue=settings.task_queue,
        clock=policy.clock,
        hash_secret=keyring.derive("subject-hash"),
    )

    async def route(connector: str, ref: str) -> str | None:
        return await asyncio.to_thread(routes.request_for, connector, ref)

    tasks = [
        asyncio.create_task(
            PollQueueConsumer(name, queue, route, service.deliver_confirmation).run(stop)
        )
        for name, queue in queues.items()
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        for queue in queues.values():
            await queue.aclose()
        for conn in connectors.values():
            await conn.aclose()
        engine.dispose()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
