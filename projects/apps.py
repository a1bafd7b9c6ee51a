from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("EU projects")

    def ready(self):
        from portal.choices import Role
        from portal.home import register_home_context

        register_home_context(Role.EU_PROJECT_MANAGER, _project_manager_home)


def _project_manager_home(request) -> dict:
    """The EU project manager's home: what is due or late within 30 days, and their projects."""
    from projects.selectors import due_items, project_list

    return {
        "due_items": due_items(user=request.user, days=30),
        "my_projects": project_list(user=request.user).order_by("status", "acronym"),
    }
