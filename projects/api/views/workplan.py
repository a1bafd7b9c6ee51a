"""The work plan in the API: work packages (and their tasks, planned effort and deliverables) and
milestones. Written by the coordinator's project manager through projects.services.workplan, which
checks every month against the project and the work package and every code's uniqueness."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects.api import inputs as i
from projects.api import serializers as s
from projects.api.views.common import ERRORS, parse
from projects.filtersets import MilestoneFilterSet, WorkPackageFilterSet
from projects.models import Milestone, Task, WorkPackage
from projects.selectors import project_list
from projects.services import workplan as services


@extend_schema_view(
    partial_update=extend_schema(
        request=i.WorkPackageUpdateInputSerializer, responses={200: s.WorkPackageSerializer, **ERRORS}
    ),
    tasks=extend_schema(request=i.TaskInputSerializer, responses={201: s.TaskSerializer, **ERRORS}),
    planned_effort=extend_schema(
        request=i.PlannedEffortInputSerializer, responses={200: i.PlannedEffortSerializer, **ERRORS}
    ),
    deliverables=extend_schema(
        request=i.DeliverableInputSerializer, responses={201: s.DeliverableDetailSerializer, **ERRORS}
    ),
)
class WorkPackageViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Work packages of the projects the user may read (`?project=ACRONYM`), with their tasks. New ones:
    POST /projects/{acronym}/work-packages/. A work package cannot shrink past what it holds."""

    serializer_class = s.WorkPackageSerializer
    filterset_class = WorkPackageFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            WorkPackage.objects.filter(project__in=project_list(user=self.request.user))
            .select_related("project")
            .prefetch_related("tasks__participants")
            .order_by("project__acronym", "number")
        )

    def _done(self, wp):
        return Response(self.get_serializer(self.get_queryset().get(pk=wp.pk)).data)

    def partial_update(self, request, *args, **kwargs):
        data = parse(i.WorkPackageUpdateInputSerializer, request, partial=True)
        return self._done(
            services.work_package_update(actor=request.user, work_package=self.get_object(), **data)
        )

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @action(detail=True, methods=["post"], filter_backends=[])
    def tasks(self, request, pk=None):
        """Add a task T<wp>.<n> (months within the work package)."""
        data = parse(i.TaskInputSerializer, request)
        task = services.task_create(actor=request.user, work_package=self.get_object(), **data)
        task = Task.objects.prefetch_related("participants").select_related("work_package").get(pk=task.pk)
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="planned-effort", filter_backends=[])
    def planned_effort(self, request, pk=None):
        """Set a partner's planned person-months in the work package."""
        data = parse(i.PlannedEffortInputSerializer, request)
        effort = services.planned_effort_set(actor=request.user, work_package=self.get_object(), **data)
        return Response(i.PlannedEffortSerializer(effort).data)

    @action(detail=True, methods=["post"], filter_backends=[])
    def deliverables(self, request, pk=None):
        """Add a deliverable D<wp>.<n>: type and dissemination level from the programme's lists, due
        month within the work package."""
        data = parse(i.DeliverableInputSerializer, request)
        deliverable = services.deliverable_create(actor=request.user, work_package=self.get_object(), **data)
        return Response(
            s.DeliverableDetailSerializer(deliverable, context={"files_visible": False}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    achieve=extend_schema(request=i.AchievedInputSerializer, responses={200: s.MilestoneSerializer, **ERRORS})
)
class MilestoneViewSet(viewsets.ReadOnlyModelViewSet):
    """Milestones of the projects the user may read (`?project=ACRONYM`). New ones:
    POST /projects/{acronym}/milestones/."""

    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilterSet

    def get_queryset(self):
        return (
            Milestone.objects.filter(project__in=project_list(user=self.request.user))
            .select_related("project")
            .prefetch_related("work_packages")
            .order_by("project__acronym", "number")
        )

    @action(detail=True, methods=["post"], filter_backends=[])
    def achieve(self, request, pk=None):
        """Record the date the milestone was achieved (null clears it)."""
        data = parse(i.AchievedInputSerializer, request)
        milestone = services.milestone_achieve(actor=request.user, milestone=self.get_object(), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=milestone.pk)).data)
