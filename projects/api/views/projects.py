"""Projects, partners, reporting periods and the planned budget in the API. Reads are scoped by
projects.selectors.project_list (a project the user may not read answers 404); every write is one call
to a service of projects.services, which checks who may do it (403) and every rule (400, field by field)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from projects.api import inputs as i
from projects.api import serializers as s
from projects.api.views.common import ERRORS, parse
from projects.filtersets import PartnerFilterSet, ProjectFilterSet
from projects.models import FundingProgramme, Partner, Task
from projects.selectors import budget_lines, project_list
from projects.services import budget as budget_services
from projects.services import projects as project_services
from projects.services import workplan as workplan_services
from projects.services.budget import BudgetEntry


class FundingProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """EU funding programmes with their code lists: deliverable types, dissemination levels, costs."""

    serializer_class = s.FundingProgrammeSerializer
    queryset = FundingProgramme.objects.prefetch_related(
        "deliverable_types", "dissemination_levels", "cost_categories"
    ).order_by("name")
    lookup_field = "code"


@extend_schema_view(
    create=extend_schema(
        request=i.ProjectCreateInputSerializer, responses={201: s.ProjectDetailSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        request=i.ProjectUpdateInputSerializer, responses={200: s.ProjectDetailSerializer, **ERRORS}
    ),
    partners=extend_schema(request=i.PartnerInputSerializer, responses={201: s.PartnerSerializer, **ERRORS}),
    foreign_partners=extend_schema(
        request=i.ForeignPartnerInputSerializer, responses={201: s.PartnerSerializer, **ERRORS}
    ),
    periods=extend_schema(request=i.PeriodInputSerializer, responses={201: s.PeriodSerializer, **ERRORS}),
    work_packages=extend_schema(
        request=i.WorkPackageInputSerializer, responses={201: s.WorkPackageSerializer, **ERRORS}
    ),
    milestones=extend_schema(
        request=i.MilestoneInputSerializer, responses={201: s.MilestoneSerializer, **ERRORS}
    ),
)
class ProjectViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """EU projects the user may read: officials, auditors and administrators all; members of a partner
    organisation theirs. The detail has the work plan and the reporting periods. An EU project manager
    creates a project for an organisation they manage projects for (it becomes the coordinator); the
    coordinator's project manager changes it and its work plan."""

    filterset_class = ProjectFilterSet
    lookup_field = "acronym"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return s.ProjectSerializer if self.action == "list" else s.ProjectDetailSerializer

    def get_queryset(self):
        projects = project_list(user=self.request.user).prefetch_related("partners__organisation")
        if self.action != "list":  # the list shows the partners; the work plan is the detail's
            projects = projects.prefetch_related(
                Prefetch(
                    "work_packages__tasks",
                    queryset=Task.objects.prefetch_related("participants").select_related("work_package"),
                ),
                "milestones__work_packages",
                "periods__report",
            )
        return projects.order_by("acronym")

    def _detail(self, project, code=status.HTTP_200_OK):
        return Response(s.ProjectDetailSerializer(self.get_queryset().get(pk=project.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = parse(i.ProjectCreateInputSerializer, request)
        project = project_services.project_create(actor=request.user, **data)
        return self._detail(project, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = parse(i.ProjectUpdateInputSerializer, request, partial=True)
        project = project_services.project_update(actor=request.user, project=self.get_object(), **data)
        return self._detail(project)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @action(detail=True, methods=["post"], filter_backends=[])
    def partners(self, request, acronym=None):
        """Add a partner (the coordinator's project manager). A foreign partner is an "other body" with
        its country and 9-digit PIC."""
        data = parse(i.PartnerInputSerializer, request)
        partner = project_services.partner_add(actor=request.user, project=self.get_object(), **data)
        return Response(s.PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="foreign-partners", filter_backends=[])
    def foreign_partners(self, request, acronym=None):
        """Add a foreign partner the portal does not know yet: registered as an "other body" with its
        country and PIC (or found by its PIC), and added, in one transaction."""
        data = parse(i.ForeignPartnerInputSerializer, request)
        partner = project_services.partner_add_foreign_body(
            actor=request.user, project=self.get_object(), **data
        )
        return Response(s.PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[])
    def periods(self, request, acronym=None):
        """Add a reporting period RP<n> (months within the project, overlapping no other)."""
        data = parse(i.PeriodInputSerializer, request)
        period = project_services.period_create(actor=request.user, project=self.get_object(), **data)
        return Response(s.PeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="work-packages", filter_backends=[])
    def work_packages(self, request, acronym=None):
        """Add a work package WP<n> (months within the project)."""
        data = parse(i.WorkPackageInputSerializer, request)
        wp = workplan_services.work_package_create(actor=request.user, project=self.get_object(), **data)
        return Response(s.WorkPackageSerializer(wp).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[])
    def milestones(self, request, acronym=None):
        """Add a milestone MS<n>."""
        data = parse(i.MilestoneInputSerializer, request)
        milestone = workplan_services.milestone_create(actor=request.user, project=self.get_object(), **data)
        return Response(s.MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: i.BudgetLineInputSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=i.BudgetInputSerializer,
        responses={200: i.BudgetCheckSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def budget(self, request, acronym=None):
        """GET: the planned budget's lines (partner, cost category, period, amount). POST: replace the
        whole budget (the coordinator's project manager) or one partner's (`partner`, that partner's
        project manager too); refused with the difference unless it then adds up to the project's total
        eligible cost. With `preview` nothing is written and the sums are returned either way."""
        project = self.get_object()
        if request.method == "GET":
            return Response(i.BudgetLineInputSerializer(budget_lines(project=project), many=True).data)
        data = parse(i.BudgetInputSerializer, request)
        entries = [BudgetEntry(**line) for line in data["lines"]]
        service = budget_services.budget_preview if data["preview"] else budget_services.budget_set
        check = service(actor=request.user, project=project, entries=entries, partner=data["partner"])
        return Response(
            i.BudgetCheckSerializer(i.BudgetCheckSerializer.of(check, written=not data["preview"])).data
        )


@extend_schema_view(
    destroy=extend_schema(responses={204: None, **ERRORS}),
    partial_update=extend_schema(
        request=i.PartnerUpdateInputSerializer, responses={200: s.PartnerSerializer, **ERRORS}
    ),
)
class PartnerViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Partners of the projects the user may read (`?project=ACRONYM`). The work plan's keeper (the
    coordinator's project manager) changes a partner's role or short name (one coordinator at most) and
    removes a partner that has no budget, work or costs recorded."""

    serializer_class = s.PartnerSerializer
    filterset_class = PartnerFilterSet
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        data = parse(i.PartnerUpdateInputSerializer, request, partial=True)
        partner = project_services.partner_update(actor=request.user, partner=self.get_object(), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=partner.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Partner.objects.filter(project__in=project_list(user=self.request.user))
            .select_related("organisation", "project")
            .order_by("project__acronym", "number")
        )

    def destroy(self, request, *args, **kwargs):
        project_services.partner_remove(actor=request.user, partner=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
