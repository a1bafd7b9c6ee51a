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
from projects.filtersets import (
    MilestoneFilterSet,
    ReportingPeriodFilterSet,
    TaskFilterSet,
    WorkPackageFilterSet,
)
from projects.models import Milestone, ReportingPeriod, Task, WorkPackage
from projects.selectors import project_list
from projects.services import projects as project_services
from projects.services import workplan as services

DELETED = extend_schema(responses={204: None, **ERRORS})


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
    destroy=DELETED,
)
class WorkPackageViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Work packages of the projects the user may read (`?project=ACRONYM`), with their tasks. New ones:
    POST /projects/{acronym}/work-packages/. A work package cannot shrink past what it holds, nor be
    deleted while anything depends on it (the refusal names what)."""

    serializer_class = s.WorkPackageSerializer
    filterset_class = WorkPackageFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def destroy(self, request, *args, **kwargs):
        services.work_package_delete(actor=request.user, work_package=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

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
    achieve=extend_schema(
        request=i.AchievedInputSerializer, responses={200: s.MilestoneSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        request=i.MilestoneUpdateInputSerializer, responses={200: s.MilestoneSerializer, **ERRORS}
    ),
    destroy=DELETED,
)
class MilestoneViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Milestones of the projects the user may read (`?project=ACRONYM`). New ones:
    POST /projects/{acronym}/milestones/; PATCH changes one, DELETE removes one that no report justifies."""

    serializer_class = s.MilestoneSerializer
    filterset_class = MilestoneFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        data = parse(i.MilestoneUpdateInputSerializer, request, partial=True)
        milestone = services.milestone_update(actor=request.user, milestone=self.get_object(), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=milestone.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.milestone_delete(actor=request.user, milestone=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

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


@extend_schema_view(
    partial_update=extend_schema(
        request=i.TaskUpdateInputSerializer, responses={200: s.TaskSerializer, **ERRORS}
    ),
    destroy=DELETED,
)
class TaskViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Tasks of the projects the user may read (`?project=ACRONYM`). New ones:
    POST /work-packages/{id}/tasks/; PATCH changes one (months within its work package), DELETE removes it."""

    serializer_class = s.TaskSerializer
    filterset_class = TaskFilterSet
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Task.objects.filter(work_package__project__in=project_list(user=self.request.user))
            .select_related("work_package")
            .prefetch_related("participants")
            .order_by("work_package__project__acronym", "work_package__number", "number")
        )

    def partial_update(self, request, *args, **kwargs):
        data = parse(i.TaskUpdateInputSerializer, request, partial=True)
        task = services.task_update(actor=request.user, task=self.get_object(), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=task.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.task_delete(actor=request.user, task=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    partial_update=extend_schema(
        request=i.PeriodUpdateInputSerializer, responses={200: s.PeriodSerializer, **ERRORS}
    ),
    destroy=DELETED,
)
class ReportingPeriodViewSet(
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Reporting periods of the projects the user may read (`?project=ACRONYM`). New ones:
    POST /projects/{acronym}/periods/. PATCH and DELETE only while the period's report is a draft; a
    period in which anything is recorded (costs, effort, progress, justifications, budget) is not deleted,
    and the refusal names what it holds."""

    serializer_class = s.PeriodSerializer
    filterset_class = ReportingPeriodFilterSet
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            ReportingPeriod.objects.filter(project__in=project_list(user=self.request.user))
            .select_related("project", "report")
            .order_by("project__acronym", "number")
        )

    def partial_update(self, request, *args, **kwargs):
        data = parse(i.PeriodUpdateInputSerializer, request, partial=True)
        period = project_services.period_update(actor=request.user, period=self.get_object(), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=period.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        project_services.period_delete(actor=request.user, period=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
