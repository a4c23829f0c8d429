"""Portability's last step: send the archive to another controller and keep its receipt."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.messages import ConnectorProgress, DeliveryRef, PushInput, PushReceipt
    from workflows.plumbing import RequestPlumbing

# The push shows in progress like a system: people see it running, failing and done.
RECEIVER = "other-controller"


class Portability(RequestPlumbing):
    async def _push(self, archive: DeliveryRef, url: str) -> PushReceipt:
        """Art. 20(2): transmit directly; a refusal waits for an agent, then is tried again."""
        self._progress[RECEIVER] = ConnectorProgress(RECEIVER, "delivery", "waiting")
        receipt = await self._connector_call(
            RECEIVER, "push_archive", PushInput(self._req.request_id, archive, url), PushReceipt
        )
        self._step(RECEIVER, "delivered", archive.records)
        await self._record(
            "system", "archive_pushed", receipt=receipt.receipt, status=receipt.status,
            sha256_matches=receipt.sha256 == archive.sha256,
        )  # fmt: skip
        return receipt
