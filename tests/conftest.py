import pytest

from portal.models import Comune


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "it"


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
