"""The law's clock inside the workflow: pause, extension, reminders, overdue (Art. 12(3))."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import attributes
    from domain.deadlines import due_date, end_of_day, extended_due_date, may_extend
    from domain.messages import ExtendDeadline
    from workflows.plumbing import RequestPlumbing


class DeadlineKeeping(RequestPlumbing):
    """Keeps `_due_on` right and tells the officer before and after it passes."""

    _due_on: date
    _paused_days: int
    _extended: bool
    _overdue: bool

    def _start_clock(self) -> None:
        self._due_on = self._req.due_on
        self._paused_days = 0
        self._extended = False
        self._overdue = False

    def _identity_confirmed(self) -> None:
        """Where the policy pauses the clock until identity is confirmed, it starts now."""
        if not self._req.clock.pause_while_unverified or self._extended:
            return
        self._paused_days = max(0, (workflow.now().date() - self._req.receipt_date).days)
        self._set_due(
            due_date(
                self._req.receipt_date,
                period=self._req.clock.period,
                paused_days=self._paused_days,
            )
        )

    def _check_extension(self, action: ExtendDeadline) -> None:
        if not action.reason.strip():
            raise ValueError("Give the reason for the extension; the subject is told it.")
        if self._extended:
            raise ValueError("The deadline was already extended; the law allows it once.")
        first_due = due_date(
            self._req.receipt_date, period=self._req.clock.period, paused_days=self._paused_days
        )
        if not may_extend(
            self._req.receipt_date,
            workflow.now().date(),
            period=self._req.clock.period,
            paused_days=self._paused_days,
        ):
            raise ValueError(
                f"The first period ended on {first_due:%Y-%m-%d}; an extension had to be "
                "decided before then."
            )

    def _extend(self) -> date:
        self._extended = True
        self._set_due(extended_due_date(self._req.receipt_date, paused_days=self._paused_days))
        return self._due_on

    def _set_due(self, due: date) -> None:
        self._due_on = due
        workflow.upsert_search_attributes([attributes.DSR_DEADLINE.value_set(end_of_day(due))])

    async def _watch_deadline(self) -> None:
        """Remind before the due date, flag overdue after it; follows every change of it."""
        reminded: set[tuple[date, int]] = set()
        while not self._state.is_final:
            due = self._due_on
            now = workflow.now()
            reminders = self._reminders(due, reminded, now)
            overdue_at = end_of_day(due)
            targets = [at for at, _ in reminders] + ([] if self._overdue else [overdue_at])
            changed = await self._sleep_until(min(targets) if targets else None, due)
            if changed:
                if self._overdue and end_of_day(self._due_on) > workflow.now():
                    self._flag_overdue(False)
                continue
            now = workflow.now()
            for at, days in reminders:
                if at <= now:
                    reminded.add((due, days))
                    await self._record("system", "deadline_reminder", days_left=days,
                                       due_on=due.isoformat())  # fmt: skip
            if not self._overdue and now >= overdue_at:
                self._flag_overdue(True)
                await self._record("system", "deadline_passed", due_on=due.isoformat())

    def _reminders(
        self, due: date, reminded: set[tuple[date, int]], now: datetime
    ) -> list[tuple[datetime, int]]:
        upcoming = []
        for days in self._req.clock.reminder_days_before:
            at = end_of_day(due) - timedelta(days=days)
            if (due, days) in reminded:
                continue
            if at <= now:  # already past when the clock started or moved: no late reminder
                reminded.add((due, days))
            else:
                upcoming.append((at, days))
        return upcoming

    async def _sleep_until(self, target: datetime | None, due: date) -> bool:
        """Sleep until `target`; True if the due date changed or the request ended first."""
        timeout = None if target is None else max(target - workflow.now(), timedelta(0))
        try:
            await workflow.wait_condition(
                lambda: self._due_on != due or self._state.is_final, timeout=timeout
            )
        except TimeoutError:
            return False
        return True

    def _flag_overdue(self, overdue: bool) -> None:
        self._overdue = overdue
        workflow.upsert_search_attributes([attributes.DSR_OVERDUE.value_set(overdue)])
