import pytest

from .factories import builtin_instruments


@pytest.fixture(autouse=True)
def _builtin_instruments(db):
    builtin_instruments()


@pytest.fixture(autouse=True)
def _settle_every_submission(settings):
    """Tests settle submissions one at a time (`settled()`); production waits for a few."""
    settings.SURVEY_SETTLE_MIN = 1
