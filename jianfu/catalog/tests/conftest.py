from jianfu.access.tests.conftest import frozen, items, lists  # noqa: F401  (shared fixtures)
