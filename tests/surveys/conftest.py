import pytest

from .factories import builtin_instruments


@pytest.fixture(autouse=True)
def _builtin_instruments(db):
    builtin_instruments()
