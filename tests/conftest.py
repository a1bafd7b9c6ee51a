import pytest

from portal.models import Comune


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "it"
    # A deliberately slow hasher protects real passwords; tests only need a correct one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with an empty cache of its own: allauth remembers used TOTP codes there by user
    id, and ids come round again once a transactional test has flushed the tables. In-memory, so that
    tests without the database may use it; the shared database cache of the product is exercised by
    the tests that start servers (tests/portal/test_processes.py)."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process(request, settings):
    """Tasks run in-process (the embedded mode), even when CI points CELERY_BROKER_URL at Redis,
    so that a test sees their effects (e-mails, files) at once. Only tests marked ``worker`` go
    through the real broker to the real worker that .ci/run starts."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from portal.celery import app

    previous = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _security_events_where_asked(request, settings):
    """Refused requests add a security event to the audit trail (portal.security). The tests marked
    ``security_events`` are about them; elsewhere they are not recorded, so that the many tests
    asserting that a denied call changes nothing keep counting the trail's business events."""
    settings.SECURITY_EVENTS_ENABLED = request.node.get_closest_marker("security_events") is not None


@pytest.fixture(autouse=True)
def _act_pdfs_only_where_asked(request, monkeypatch):
    """Adopting an allocation queues the PDFs of the act (act_pdfs.annex_schedule, on commit): the
    tests marked ``annex`` are about them; the others adopt without rendering a PDF each time."""
    if request.node.get_closest_marker("annex"):
        return
    from funding.services.allocation import act_pdfs

    monkeypatch.setattr(act_pdfs, "annex_schedule", lambda allocation_id: None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the ISTAT reference data once per test database (the loader is idempotent)."""
    from portal.reference import load_comuni

    with django_db_blocker.unblock():
        load_comuni()


@pytest.fixture
def comuni(db):
    """The real comuni of Piedmont; reloaded if a transactional test flushed them."""
    if not Comune.objects.exists():
        from portal.reference import load_comuni

        load_comuni()
    return Comune.objects.all()
