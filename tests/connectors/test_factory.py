"""Building connectors from policy.toml lines: a bad line fails with a message naming it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from connectors.base import Connector, RecordSink
from connectors.factory import ConnectorConfigError, build_connectors
from domain.datasets import Dataset
from domain.records import ConnectorPlan, ExportSummary, Located, Outcome, Phase, Recipient
from domain.retention import RetentionPolicy
from domain.rights import Changes, Purpose
from domain.subject import Hints, SubjectIdentifiers

HERE = "tests.connectors.test_factory"
NOT_CALLABLE = "a string, not a factory"


class FakeConnector:
    """The smallest object that satisfies the Connector protocol."""

    phase = Phase.PRIMARY
    recipient = Recipient(name="Fake system", role="test double")
    datasets: tuple[Dataset, ...] = ()

    def __init__(self, name: str, settings: Any) -> None:
        self.name = name
        self.settings = settings

    async def locate(self, subject: SubjectIdentifiers, hints: Hints) -> Located:
        return Located(connector=self.name, found=False)

    async def export(self, located: Located, sink: RecordSink) -> ExportSummary:
        raise NotImplementedError

    async def plan_erasure(
        self, located: Located, policy: RetentionPolicy, today: date
    ) -> ConnectorPlan:
        return ConnectorPlan(connector=self.name)

    async def erase(self, located: Located, plan: ConnectorPlan) -> Outcome:
        raise NotImplementedError

    async def rectify(self, located: Located, changes: Changes) -> Outcome:
        raise NotImplementedError

    async def restrict(self, located: Located) -> Outcome:
        raise NotImplementedError

    async def object_to(self, located: Located, purposes: tuple[Purpose, ...]) -> Outcome:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


def make_fake(settings: Any) -> FakeConnector:
    return FakeConnector("fake", settings)


def make_misnamed(settings: Any) -> FakeConnector:
    return FakeConnector("other", settings)


def make_nothing(settings: Any) -> object:
    return object()


def test_good_factory_builds_a_connector_with_the_settings() -> None:
    settings = object()
    built = build_connectors([("fake", f"{HERE}:make_fake")], settings)
    assert list(built) == ["fake"]
    connector = built["fake"]
    assert isinstance(connector, FakeConnector)
    assert isinstance(connector, Connector)
    assert connector.settings is settings


def test_connectors_are_built_in_policy_order() -> None:
    built = build_connectors(
        [("fake", f"{HERE}:make_fake"), ("other", f"{HERE}:make_misnamed")], None
    )
    assert list(built) == ["fake", "other"]


def test_no_entries_build_nothing() -> None:
    assert build_connectors([], None) == {}


@pytest.mark.parametrize(
    "path",
    [
        "tests.connectors.no_such_module:create",
        "no_such_package.billing:create",
        f"{HERE}:no_such_factory",
        f"{HERE}",  # no ':function' part
        f"{HERE}:",
    ],
)
def test_factory_that_cannot_be_imported_is_refused(path: str) -> None:
    with pytest.raises(ConnectorConfigError) as err:
        build_connectors([("fake", path)], None)
    assert str(err.value) == f"Connector 'fake': cannot import factory {path!r}; check policy.toml."


def test_factory_that_is_not_callable_is_refused() -> None:
    path = f"{HERE}:NOT_CALLABLE"
    with pytest.raises(ConnectorConfigError) as err:
        build_connectors([("fake", path)], None)
    assert str(err.value) == f"Connector 'fake': {path!r} is not callable."


@pytest.mark.parametrize("factory", ["make_misnamed", "make_nothing"])
def test_factory_building_something_else_is_refused(factory: str) -> None:
    path = f"{HERE}:{factory}"
    with pytest.raises(ConnectorConfigError) as err:
        build_connectors([("fake", path)], None)
    assert str(err.value) == f"Connector 'fake': {path} did not build a connector named 'fake'."


def test_one_bad_entry_fails_the_whole_build() -> None:
    with pytest.raises(ConnectorConfigError, match="'missing'"):
        build_connectors([("fake", f"{HERE}:make_fake"), ("missing", "nowhere:create")], None)


def test_factory_without_a_module_is_refused() -> None:
    with pytest.raises(ConnectorConfigError):
        build_connectors([("fake", ":create")], None)
