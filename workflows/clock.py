"""The law's clock inside the workflow: pause, extension, reminders, overdue (Art. 12(3))."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import attributes
    from domain.deadlines import due_date, end_of_day, extended_due_date, may_extend
    from domain.messages import ExtendDeadline
    from workflows.calls import record
    from workflows.case import RequestCase


def identity_confirmed(case: RequestCase) -> None:
    """Where the policy pauses the clock until identity is confirmed, it starts now."""
    rules, clock = case.req.clock, case.deadline
    if not rules.pause_while_unverified or clock.extended:
        return
    clock.paused_days = max(0, (workflow.now().date() - case.req.receipt_date).days)
    set_due(
        case,
        due_date(case.req.receipt_date, period=rules.period, paused_days=clock.paused_days),
    )


def check_extension(case: RequestCase, action: ExtendDeadline) -> None:
    """Raise ValueError with a sentence for the officer when the extension is not allowed."""
    if not action.reason.strip():
        raise ValueError("Give the reason for the extension; the subject is told it.")
    if case.deadline.extended:
        raise ValueError("The deadline was already extended; the law allows it once.")
    received, period = case.req.receipt_date, case.req.clock.period
    paused = case.deadline.paused_days
    if not may_extend(received, workflow.now().date(), period=period, paused_days=paused):
        first_due = due_date(received, period=period, paused_days=paused)
        raise ValueError(
            f"The first period ended on {first_due:%Y-%m-%d}; an extension had to be "
            "decided before then."
        )


def extend(case: RequestCase) -> date:
    case.deadline.extended = True
    set_due(case, extended_due_date(case.req.receipt_date, paused_days=case.deadline.paused_days))
    return case.deadline.due_on


def set_due(case: RequestCase, due: date) -> None:
    case.deadline.due_on = due
    workflow.upsert_search_attributes([attributes.DSR_DEADLINE.value_set(end_of_day(due))])


async def watch_deadline(case: RequestCase) -> None:
    """Remind before the due date, flag overdue after it; follows every change of it."""
    clock = case.deadline
    reminded: set[tuple[date, int]] = set()
    while not case.state.is_final:
        due = clock.due_on
        now = workflow.now()
        reminders = _reminders(case, due, reminded, now)
        overdue_at = end_of_day(due)
        targets = [at for at, _ in reminders] + ([] if clock.overdue else [overdue_at])
        changed = await _sleep_until(case, min(targets) if targets else None, due)
        if changed:
            if clock.overdue and end_of_day(clock.due_on) > workflow.now():
                _flag_overdue(case, False)
            continue
        now = workflow.now()
        for at, days in reminders:
            if at <= now:
                reminded.add((due, days))
                await record(case, "system", "deadline_reminder", days_left=days,
                             due_on=due.isoformat())  # fmt: skip
        if not clock.overdue and now >= overdue_at:
            _flag_overdue(case, True)
            await record(case, "system", "deadline_passed", due_on=due.isoformat())


def _reminders(
    case: RequestCase, due: date, reminded: set[tuple[date, int]], now: datetime
) -> list[tuple[datetime, int]]:
    upcoming = []
    for days in case.req.clock.reminder_days_before:
        at = end_of_day(due) - timedelta(days=days)
        if (due, days) in reminded:
            continue
        if at <= now:  # already past when the clock started or moved: no late reminder
            reminded.add((due, days))
        else:
            upcoming.append((at, days))
    return upcoming


async def _sleep_until(case: RequestCase, target: datetime | None, due: date) -> bool:
    """Sleep until `target`; True if the due date changed or the request ended first."""
    timeout = None if target is None else max(target - workflow.now(), timedelta(0))
    try:
        await workflow.wait_condition(
            lambda: case.deadline.due_on != due or case.state.is_final, timeout=timeout
        )
    except TimeoutError:
        return False
    return True


def _flag_overdue(case: RequestCase, overdue: bool) -> None:
    case.deadline.overdue = overdue
    workflow.upsert_search_attributes([attributes.DSR_OVERDUE.value_set(overdue)])
