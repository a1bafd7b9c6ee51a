from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.choices import Role
from portal.home import home_context
from portal.jobs import broker_status, worker_status
from portal.permissions import primary_membership

HOME_TEMPLATES = {
    Role.REGIONAL_OFFICIAL: "portal/home/official.html",
    Role.APPLICANT: "portal/home/applicant.html",
    Role.AUDITOR: "portal/home/auditor.html",
    Role.EU_PROJECT_MANAGER: "portal/home/eu_project_manager.html",
    Role.INVENTORY_MANAGER: "portal/home/inventory_manager.html",
    Role.ADMINISTRATOR: "portal/home/administrator.html",
}


def home(request):
    """The landing page: public for visitors, one page per role for logged-in users."""
    if not request.user.is_authenticated:
        return render(request, "portal/home/public.html")
    membership = primary_membership(request.user)
    if membership is None:
        return render(request, "portal/home/no_role.html")
    context = {**home_context(membership.role, request), "membership": membership}
    return render(request, HOME_TEMPLATES[membership.role], context)


@never_cache
@require_GET
def livez(request):
    """Liveness: the process answers requests. Nothing else is asked, so a database outage never
    gets healthy web processes restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Readiness: the database answers, the broker takes messages, a worker was seen within
    WORKER_SEEN_WITHIN and no migration is left to apply. 200 when all hold, 503 otherwise."""
    checks = {
        "database": _database_status(),
        "broker": broker_status(),
        "worker": worker_status(),
    }
    checks["migrations"] = (
        _migrations_status() if checks["database"]["status"] == "ok" else {"status": "error"}
    )
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


healthz = readyz  # the address README and older probes know


def _database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database error means "down"
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor}


_MIGRATIONS_APPLIED = False  # once true in a process it stays true: new migrations come with new code


def _migrations_status() -> dict:
    global _MIGRATIONS_APPLIED
    if not _MIGRATIONS_APPLIED:
        from django.db.migrations.executor import MigrationExecutor

        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:
            return {"status": "error", "error": exc.__class__.__name__}
        if pending:
            return {"status": "error", "unapplied": len(pending)}
        _MIGRATIONS_APPLIED = True
    return {"status": "ok"}


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # Rendered without the request: the database may be what failed, so no context processors.
    return HttpResponseServerError(loader.render_to_string("500.html"))
