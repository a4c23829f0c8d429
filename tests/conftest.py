"""Shared fixtures: each real server the tests need lives in its own module under fixtures/."""

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.moto",
    "tests.fixtures.mailman",
    "tests.fixtures.administration",
    "tests.fixtures.temporal",
    "tests.fixtures.ripe",
    "tests.fixtures.arin",
    "tests.fixtures.epp",
    "tests.fixtures.registrar",
    "tests.fixtures.certcentral",
]
