"""Errors a person sees: each message is one sentence that says what to do next."""

from __future__ import annotations


class InvalidRequestInput(ValueError):
    """Input an agent gave is not usable; the message is shown to them as it is."""
