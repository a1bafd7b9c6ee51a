from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.choices import Role
from portal.jobs import broker_status
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
    context = {"membership": membership}
    if membership.role == Role.EU_PROJECT_MANAGER:
        from projects.selectors import due_items, project_list

        context["due_items"] = due_items(user=request.user, days=30)
        context["my_projects"] = project_list(user=request.user).order_by("status", "acronym")
    return render(request, HOME_TEMPLATES[membership.role], context)


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: database and broker. 200 when both answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any database error means "down"
        database = {"status": "error", "error": exc.__class__.__name__}
    broker = broker_status()
    healthy = database["status"] == "ok" and broker["status"] == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # Rendered without the request: the database may be what failed, so no context processors.
    return HttpResponseServerError(loader.render_to_string("500.html"))
