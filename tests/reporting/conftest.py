import pytest

from portal.choices import Role
from reporting import registry
from tests.factories import make_user
from tests.reporting.factories import EXPENSES


@pytest.fixture
def expenses_report():
    """The synthetic expense-lines report, registered for the test only."""
    registry.register(EXPENSES)
    yield EXPENSES
    registry.unregister(EXPENSES.key)


@pytest.fixture
def eager():
    """Run tasks in-process even when the suite runs with a broker (CELERY_BROKER_URL set)."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def auditor(db):
    return make_user(Role.AUDITOR)


@pytest.fixture
def official(db):
    return make_user(Role.REGIONAL_OFFICIAL)


@pytest.fixture
def administrator(db):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def applicant(db):
    return make_user(Role.APPLICANT)
