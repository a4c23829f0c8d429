"""Builds the configured connectors: a system is added by a line in policy.toml, not in code."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from connectors.base import Connector


class ConnectorConfigError(ValueError):
    """A configured connector cannot be built."""


def build_connectors(entries: Iterable[tuple[str, str]], settings: Any) -> dict[str, Connector]:
    """Import each 'module:function' factory and call it with the settings."""
    built: dict[str, Connector] = {}
    for name, factory_path in entries:
        factory = _load_factory(name, factory_path)
        connector = factory(settings)
        if not isinstance(connector, Connector) or connector.name != name:
            raise ConnectorConfigError(
                f"Connector {name!r}: {factory_path} did not build a connector named {name!r}."
            )
        built[name] = connector
    return built


def _load_factory(name: str, path: str) -> Callable[[Any], object]:
    module_name, _, attr = path.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        raise ConnectorConfigError(
            f"Connector {name!r}: cannot import factory {path!r}; check policy.toml."
        ) from None
    if not callable(factory):
        raise ConnectorConfigError(f"Connector {name!r}: {path!r} is not callable.")
    return factory  # type: ignore[no-any-return]
