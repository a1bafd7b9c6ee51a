"""System checks of a production deployment (run by `manage.py check --deploy`, migrate, gunicorn's
start: see gunicorn.conf.py)."""

from django.conf import settings
from django.core.checks import Error, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)

E001 = "portal.E001"


@register("caches")
def shared_cache_in_production(app_configs, **kwargs):
    """Login rate limits, used TOTP codes and worker heartbeats live in the cache: with a cache per
    process, a second gunicorn worker would accept a code the first one already used."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Error(
                f"CACHE_URL names a per-process cache ({backend.rsplit('.', 1)[-1]}) in production.",
                hint="Use the database cache (dbcache://sentinella_cache, the default) or Redis "
                "(rediscache://host:6379/1), which every web and worker process shares.",
                id=E001,
            )
        ]
    return []
