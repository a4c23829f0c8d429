"""Tables that never cut what they show.

Rich fits a table into the terminal by shrinking columns, and a cell that cannot wrap is
then cut with an ellipsis ("erase…", "push_archive…") or dropped altogether. A table here
is printed only when it fits with its names whole; otherwise the caller prints plain lines.
"""

from __future__ import annotations

from rich.console import Console, JustifyMethod
from rich.measure import Measurement
from rich.table import Table

# Wider than any terminal: a table measured at this width shows the room it really needs.
UNBOUNDED = 10_000


def name_column(
    table: Table, header: str, cells: list[str], justify: JustifyMethod = "left"
) -> None:
    """A column whose cells never wrap: as wide as its widest cell (and its header)."""
    width = max([len(header), *(len(c) for c in cells)])
    table.add_column(header, justify=justify, no_wrap=True, min_width=width)


def fits(console: Console, table: Table) -> bool:
    """Whether `table` shows every cell whole at the console's width."""
    unbounded = console.options.update_width(UNBOUNDED)
    return Measurement.get(console, unbounded, table).minimum <= console.width
