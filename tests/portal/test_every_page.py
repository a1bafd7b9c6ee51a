"""Every page of every role renders with the production static storage (hashed names from a manifest,
compressed), so that a template asking for a file the manifest lacks fails here, not in production."""

import io
from pathlib import Path

import pytest
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.template import loader
from django.test import Client, override_settings

from portal.demo import seed_accounts, seed_organisations
from portal.models import User
from portal.smoke.walk import Response, Walker

pytestmark = pytest.mark.django_db

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def _static_extensions() -> list[str]:
    """Every extension of the static files: compression never changes a name, so the test skips it
    (it takes minutes) while the storage still hashes every file and writes its manifest."""
    extensions = set()
    for finder in get_finders():
        for path, _storage in finder.list([]):
            suffix = Path(path).suffix.lstrip(".")
            extensions.add(suffix or Path(path).name)
    return sorted(extensions)


@pytest.fixture(scope="module")
def manifest_static(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    from django.conf import settings

    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=storages,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_SKIP_COMPRESS_EXTENSIONS=_static_extensions(),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def _get(client: Client):
    def get(path: str) -> Response:
        response = client.get(path)
        return Response(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=b"".join(response) if response.streaming else response.content,
            location=response.get("Location", ""),
        )

    return get


def _assert_assets_hashed(walker: Walker, root: Path) -> None:
    static = sorted(path for path in walker.assets if path.startswith("/static/"))
    assert static
    for path in static:
        name = path.removeprefix("/static/").split("?")[0]
        assert (root / name).is_file(), path
        # A hashed name: bootstrap-italia.min.d997ff46f6e8.css
        assert len(Path(name).suffixes) >= 2, f"{path} is not a hashed name from the manifest"


def test_every_page_of_every_role_renders_with_the_manifest_storage(manifest_static, settings):
    call_command("seed_demo", stdout=io.StringIO())
    walked = {}
    anonymous = Walker(_get(Client()), depth=2)
    anonymous.walk(["/", "/accounts/login/", "/accounts/signup/", "/pagina-che-non-esiste/"])
    walked["anonymous"] = anonymous
    # One account per role: the README's demo logins.
    for account in seed_accounts(seed_organisations()):
        user = User.objects.get(email=account.email)
        client = Client()
        client.force_login(user)
        walker = Walker(_get(client), depth=2)
        walker.walk(["/"])
        walked[user.email] = walker
    for who, walker in walked.items():
        failures = [(v.path, v.status) for v in walker.visits if v.status >= 500]
        assert not failures, (who, failures)
        assert len(walker.visits) >= 3, (who, [v.path for v in walker.visits])
        _assert_assets_hashed(walker, manifest_static)
    assert any(v.status == 404 for v in walked["anonymous"].visits)
    for template in ("403.html", "404.html", "500.html"):  # 500.html renders without a request
        assert "/static/css/bootstrap-italia.min." in loader.render_to_string(template)
    # The demo's official reaches every report's form and the pages of each pilot call.
    official = {v.path for v in walked["funzionario@sentinella.demo"].visits}
    assert "/reports/run/funding.allocation_annex/" in official
    assert "/funding/calls/manage/covid-19-polizia-locale/" in official
