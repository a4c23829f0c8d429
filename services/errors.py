"""What can go wrong when an agent acts on a request, each with the sentence the agent reads.

The CLI turns each into an exit status, the API into an HTTP status; the message is always
one sentence that says what happened to the action and what to do next.
"""

from __future__ import annotations


class RequestNotFound(LookupError):
    """No request matches what the agent typed."""


class ActionRefused(ValueError):
    """The workflow refused an agent action; the message says why. Nothing was changed."""


class TemporalUnavailable(RuntimeError):
    """Temporal could not be reached; nothing was started or changed."""


class WorkerUnavailable(TemporalUnavailable):
    """Temporal is up but no worker answered for the request: the action was not sent.

    Nothing is applied later either; the agent acts again once the worker is back.
    """


class ActionQueued(Exception):
    """The action reached the request but is not carried out yet; the message says when.

    Either the worker accepted it and is still at work, or it stopped answering after the
    action was sent: then the action is applied when the worker is back, if the request
    still allows it. The audit trail shows it once it is applied.
    """
