"""The argument and option that many `dsr` commands take, declared once."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

__all__ = ["AgentOption", "RefArgument", "agent_name"]

RefArgument = Annotated[str, typer.Argument(help="Request id or agent reference.")]

AgentOption = Annotated[
    str,
    typer.Option(
        "--agent",
        envvar="DSR_AGENT",
        help="Your name, for the audit trail (default: your login name).",
    ),
]


def agent_name(agent: str) -> str:
    """The name given with --agent, else DSR_AGENT, else the login name."""
    return agent or os.environ.get("DSR_AGENT") or getpass.getuser()
