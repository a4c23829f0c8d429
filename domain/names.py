"""Every name that crosses a process boundary, defined once: workflows, activities, updates.

A worker registers activities and handlers under these names, the workflow calls them by
these names, and the services send updates by them; a typo is a NameError at import time,
not a surprise at run time. Each name travels with the types of its argument and result,
so the caller and the callee cannot disagree about them either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.messages import (
    ActionResult,
    ApprovePlan,
    CancelRequest,
    ChangePushAddress,
    CheckCodeInput,
    CheckPendingInput,
    CodeVerdict,
    CompileArchiveInput,
    CompileProofInput,
    Decision,
    DeliveryRef,
    EnterCode,
    EraseInput,
    ExportInput,
    ExtendDeadline,
    IssueCodeInput,
    IssuedCode,
    ListConnectorsInput,
    LocateInput,
    NotifyInput,
    PendingCheck,
    PlanInput,
    Progress,
    PushInput,
    PushReceipt,
    RecordEventInput,
    RegisterPendingInput,
    RetryFailed,
    RightInput,
    SendCode,
    SweepInput,
    SweepResult,
    VerifyIdentity,
)
from domain.records import (
    Confirmation,
    ConnectorInfo,
    ConnectorPlan,
    ExportSummary,
    Located,
    Outcome,
)

A = TypeVar("A")
R = TypeVar("R")

REQUEST_WORKFLOW = "SubjectRequestWorkflow"
SWEEP_WORKFLOW = "RetentionSweepWorkflow"
# The schedule that starts the sweep daily, and the id of the runs it starts.
SWEEP_WORKFLOW_ID = "dsr-retention-sweep"


@dataclass(frozen=True)
class Activity(Generic[A, R]):
    """An activity: its registered name, what it takes and what it returns."""

    name: str
    arg: type[A]
    result: type[R]


@dataclass(frozen=True)
class Update(Generic[A]):
    """An agent's action on a request; every update answers with an ActionResult."""

    name: str
    arg: type[A]
    result: type[ActionResult] = ActionResult


@dataclass(frozen=True)
class Query(Generic[R]):
    name: str
    result: type[R]


# --- activities: one per connector operation ---
LIST_CONNECTORS: Activity[ListConnectorsInput, list[ConnectorInfo]] = Activity(
    "list_connectors", ListConnectorsInput, list[ConnectorInfo]
)
LOCATE: Activity[LocateInput, Located] = Activity("locate", LocateInput, Located)
EXPORT: Activity[ExportInput, ExportSummary] = Activity("export", ExportInput, ExportSummary)
PLAN_ERASURE: Activity[PlanInput, ConnectorPlan] = Activity(
    "plan_erasure", PlanInput, ConnectorPlan
)
ERASE: Activity[EraseInput, Outcome] = Activity("erase", EraseInput, Outcome)
RECTIFY: Activity[RightInput, Outcome] = Activity("rectify", RightInput, Outcome)
RESTRICT: Activity[RightInput, Outcome] = Activity("restrict", RightInput, Outcome)
OBJECT_TO: Activity[RightInput, Outcome] = Activity("object_to", RightInput, Outcome)
CHECK_PENDING: Activity[CheckPendingInput, PendingCheck] = Activity(
    "check_pending", CheckPendingInput, PendingCheck
)
DELETE_EXPIRED: Activity[SweepInput, SweepResult] = Activity(
    "delete_expired", SweepInput, SweepResult
)

# --- activities: bookkeeping, documents, the subject ---
RECORD_EVENT: Activity[RecordEventInput, None] = Activity(
    "record_event", RecordEventInput, type(None)
)
REGISTER_PENDING: Activity[RegisterPendingInput, None] = Activity(
    "register_pending", RegisterPendingInput, type(None)
)
COMPILE_ARCHIVE: Activity[CompileArchiveInput, DeliveryRef] = Activity(
    "compile_archive", CompileArchiveInput, DeliveryRef
)
COMPILE_PROOF: Activity[CompileProofInput, DeliveryRef] = Activity(
    "compile_proof", CompileProofInput, DeliveryRef
)
PUSH_ARCHIVE: Activity[PushInput, PushReceipt] = Activity("push_archive", PushInput, PushReceipt)
ISSUE_VERIFICATION_CODE: Activity[IssueCodeInput, IssuedCode] = Activity(
    "issue_verification_code", IssueCodeInput, IssuedCode
)
CHECK_VERIFICATION_CODE: Activity[CheckCodeInput, CodeVerdict] = Activity(
    "check_verification_code", CheckCodeInput, CodeVerdict
)
NOTIFY_SUBJECT: Activity[NotifyInput, str] = Activity("notify_subject", NotifyInput, str)

ACTIVITIES: tuple[Activity[Any, Any], ...] = (
    LIST_CONNECTORS,
    LOCATE,
    EXPORT,
    PLAN_ERASURE,
    ERASE,
    RECTIFY,
    RESTRICT,
    OBJECT_TO,
    CHECK_PENDING,
    DELETE_EXPIRED,
    RECORD_EVENT,
    REGISTER_PENDING,
    COMPILE_ARCHIVE,
    COMPILE_PROOF,
    PUSH_ARCHIVE,
    ISSUE_VERIFICATION_CODE,
    CHECK_VERIFICATION_CODE,
    NOTIFY_SUBJECT,
)

# --- updates: what agents do to a request ---
VERIFY_IDENTITY = Update("verify_identity", VerifyIdentity)
SEND_CODE = Update("send_code", SendCode)
ENTER_CODE = Update("enter_code", EnterCode)
APPROVE_PLAN = Update("approve_plan", ApprovePlan)
CANCEL = Update("cancel", CancelRequest)
CONFIRM = Update("confirm", Confirmation)
EXTEND_DEADLINE = Update("extend_deadline", ExtendDeadline)
DECIDE = Update("decide", Decision)
RETRY_FAILED = Update("retry_failed", RetryFailed)
CHANGE_PUSH_ADDRESS = Update("change_push_address", ChangePushAddress)

UPDATES: tuple[Update[Any], ...] = (
    VERIFY_IDENTITY,
    SEND_CODE,
    ENTER_CODE,
    APPROVE_PLAN,
    CANCEL,
    CONFIRM,
    EXTEND_DEADLINE,
    DECIDE,
    RETRY_FAILED,
    CHANGE_PUSH_ADDRESS,
)

# --- queries ---
PROGRESS = Query("progress", Progress)
QUERIES: tuple[Query[Any], ...] = (PROGRESS,)
