"""What the project pages share: loading a project the user may read, putting service errors on forms."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from projects.models import Project
from projects.selectors import project_access_for


def load(request, acronym: str, *, write: bool = False):
    """The project and what the user may do on it; 403 for those who may not read it."""
    project = get_object_or_404(Project.objects.select_related("programme"), acronym=acronym)
    rights = project_access_for(user=request.user, project=project)
    if not rights.reads:
        raise PermissionDenied
    return project, rights
