"""Shared by the benchmarks (after django.setup()): a throwaway database, and the COVID-19 split of
the real programme ready to propose in it."""

import datetime
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def throwaway_database():
    """Django's test database, created here and destroyed on the way out: `test_<name>` on
    PostgreSQL; on SQLite a file in a temporary folder, never the suite's shared test database."""
    from django.conf import settings
    from django.db import connection

    from portal.celery import app

    # Benchmarks time the work itself: jobs they queue run in this process, as in unit tests.
    app.conf.task_always_eager = True
    folder = None
    if connection.vendor == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="sentinella-bench-"))
        settings.DATABASES["default"]["TEST"]["NAME"] = str(folder / "bench.sqlite3")
        connection.settings_dict["TEST"]["NAME"] = str(folder / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def covid_call(title: str):
    """Load the comuni and the 2020-2022 programme, then create the closed population-split call
    that spends chapter 151120/2020's COVID reservation (499,999.88 over the 1,181 comuni at
    2022-01-01). Returns (reservation, call)."""
    from funding.choices import AllocationMethod, CallStatus
    from funding.models import Call, Reservation
    from funding.services.programme import programme_load
    from portal.reference import load_comuni

    load_comuni()
    programme_load()
    reservation = Reservation.objects.get(action__axis__number=1, action__number=1, chapter__number="151120")
    call = Call.objects.create(
        code="bench-covid",
        action=reservation.action,
        reservation=reservation,
        title=title,
        legal_references="L.R. 23/2007; DCR 15 dicembre 2020 n. 89-19389",
        allocation_method=AllocationMethod.POPULATION,
        requires_application=False,
        reference_date=datetime.date(2022, 1, 1),
        status=CallStatus.CLOSED,
    )
    return reservation, call
