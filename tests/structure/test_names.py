"""Names that cross a process boundary are defined once, in domain/names.py, and they agree:
the worker registers every activity the workflows call, and every update the services send
is a handler on the workflow."""

from __future__ import annotations

import ast
from collections import Counter
from typing import Any

import pytest
from temporalio import workflow

from activities.bookkeeping import BookkeepingActivities
from activities.connector_ops import ConnectorActivities
from activities.delivery import DeliveryActivities
from activities.identity import IdentityActivities
from activities.notify import NotifyActivities
from activities.push import PushActivities
from domain import names
from tests.structure.imports import REPO, product_files
from worker import activity_name, registered_activities
from workflows.subject_request import SubjectRequestWorkflow
from workflows.sweep import RetentionSweepWorkflow

HOLDERS = (
    ConnectorActivities,
    BookkeepingActivities,
    DeliveryActivities,
    PushActivities,
    IdentityActivities,
    NotifyActivities,
)
ALL_NAMES = {
    *(a.name for a in names.ACTIVITIES),
    *(u.name for u in names.UPDATES),
    *(q.name for q in names.QUERIES),
    names.REQUEST_WORKFLOW,
    names.SWEEP_WORKFLOW,
}


def names_used_in(
    folder: str, kind: type[names.Activity[Any, Any] | names.Update[Any]]
) -> set[str]:
    """The names of the `names.X` definitions of a kind that the folder's code refers to."""
    used = set()
    for path in (REPO / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "names"
                and isinstance(spec := getattr(names, node.attr, None), kind)
            ):
                used.add(spec.name)
    return used


def test_the_worker_registers_every_activity_the_workflows_call() -> None:
    registered = {activity_name(fn) for fn in registered_activities(*HOLDERS)}
    called = names_used_in("workflows", names.Activity)
    assert called, "the workflows call no activity through domain.names"
    assert called <= registered, f"not registered: {sorted(called - registered)}"
    assert registered == {a.name for a in names.ACTIVITIES}


def test_a_missing_activity_stops_the_worker_with_its_name() -> None:
    with pytest.raises(RuntimeError, match="notify_subject"):
        registered_activities(*HOLDERS[:-1])


def test_every_update_the_services_send_is_a_handler_on_the_workflow() -> None:
    defn = workflow._Definition.must_from_class(SubjectRequestWorkflow)
    handlers = {name: update.arg_types for name, update in defn.updates.items()}
    sent = names_used_in("services", names.Update)
    assert sent, "the services send no update through domain.names"
    assert sent <= set(handlers), f"no such update: {sorted(sent - set(handlers))}"
    assert set(handlers) == {u.name for u in names.UPDATES}
    for update in names.UPDATES:
        assert handlers[update.name] == [update.arg], update.name
    assert set(defn.queries) == {q.name for q in names.QUERIES}
    assert defn.name == names.REQUEST_WORKFLOW
    assert workflow._Definition.must_from_class(RetentionSweepWorkflow).name == (
        names.SWEEP_WORKFLOW
    )


# Calls that name a workflow, activity, update or query of ours at the Temporal boundary.
BOUNDARY_CALLS = {
    "execute_activity", "start_activity", "execute_update", "start_update", "query",
    "start_workflow", "execute_workflow", "ScheduleActionStartWorkflow", "defn", "update",
}  # fmt: skip


def literals_at_the_boundary() -> list[str]:
    """String literals passed to a boundary call: they must be `domain.names` definitions."""
    found = []
    for path in product_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called not in BOUNDARY_CALLS:
                continue
            values = [*node.args, *(k.value for k in node.keywords)]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} {value.value!r}")
    return found


def literal_counts() -> Counter[str]:
    """How often each compound boundary name (`approve_plan`, not `cancel`, which is also an
    ordinary word) is written as a string literal anywhere in the product's code."""
    counts: Counter[str] = Counter()
    for path in product_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in COMPOUND:
                counts[node.value] += 1
    return counts


COMPOUND = {name for name in ALL_NAMES if "_" in name or name[0].isupper()}


def test_boundary_calls_name_things_through_domain_names() -> None:
    found = literals_at_the_boundary()
    assert not found, "use domain.names instead of these literals:\n" + "\n".join(found)


def test_no_boundary_name_is_written_twice() -> None:
    counts = literal_counts()
    twice = {name: n for name, n in counts.items() if n > 1}
    assert not twice, f"written as literals more than once: {twice}"
    assert set(counts) == COMPOUND  # each is written once, in domain/names.py
