"""The law's clock (Art. 12(3)): calendar-month arithmetic for due dates."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta


def add_months(start: date, months: int) -> date:
    """Same-numbered day `months` later, or the last day of that month when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def next_working_day(day: date) -> date:
    """A period ending on a Saturday or Sunday ends on the next Monday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def due_date(received: date, months: int = 1) -> date:
    """The last day to answer a request received on `received`."""
    return next_working_day(add_months(received, months))


def end_of_day(day: date) -> datetime:
    """The deadline as an instant: the end of the due day, in UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
