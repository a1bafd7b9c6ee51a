"""Authorization in one place: who holds which capability, and DRF/view guards built on it.

Roles come from active memberships. A capability is granted to a set of roles; views, API
endpoints and selectors ask `can(user, CAPABILITY)` and never test roles themselves. Querysets are
scoped in the selectors (`portal.selectors` and each app's selectors) with `visible_organisation_ids`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from portal.choices import OrganisationKind, Role

# --- Capabilities ------------------------------------------------------------------------------
READ_ALL = "read_all"  # see every organisation's data (no writes implied)
MANAGE_PROGRAMME = "manage_programme"  # configure programme, chapters, calls
LEDGER_WRITE = "ledger_write"  # reserve, commit, liquidate, record economies
REVIEW_APPLICATIONS = "review_applications"
APPLY = "apply"  # submit and report on applications for one's own organisation
EXPORT = "export"
# Export the reports about the organisations one acts for (a beneficiary's own statement); those who
# read everything may choose any organisation.
EXPORT_OWN = "export_own"
READ_AUDIT = "read_audit"
MANAGE_PROJECTS = "manage_projects"
MANAGE_INVENTORY = "manage_inventory"
READ_INVENTORY = (
    "read_inventory"  # open the inventory (what each one sees: inventory_visible_organisation_ids)
)
MANAGE_ACCOUNTS = "manage_accounts"
APPROVE_ACCESS = "approve_access"  # decide self-registered users' access requests

CAPABILITIES: dict[str, frozenset[str]] = {
    READ_ALL: frozenset({Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.ADMINISTRATOR}),
    MANAGE_PROGRAMME: frozenset({Role.REGIONAL_OFFICIAL}),
    LEDGER_WRITE: frozenset({Role.REGIONAL_OFFICIAL}),
    REVIEW_APPLICATIONS: frozenset({Role.REGIONAL_OFFICIAL}),
    APPLY: frozenset({Role.APPLICANT}),
    EXPORT: frozenset({Role.REGIONAL_OFFICIAL, Role.AUDITOR}),
    EXPORT_OWN: frozenset({Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.APPLICANT}),
    READ_AUDIT: frozenset({Role.AUDITOR, Role.ADMINISTRATOR, Role.REGIONAL_OFFICIAL}),
    MANAGE_PROJECTS: frozenset({Role.EU_PROJECT_MANAGER}),
    MANAGE_INVENTORY: frozenset({Role.INVENTORY_MANAGER}),
    READ_INVENTORY: frozenset({Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.INVENTORY_MANAGER, Role.APPLICANT}),
    MANAGE_ACCOUNTS: frozenset({Role.ADMINISTRATOR}),
    APPROVE_ACCESS: frozenset({Role.ADMINISTRATOR, Role.REGIONAL_OFFICIAL}),
}

# Order in which a user's roles are shown; the first is the "primary" one in the header.
ROLE_PRIORITY = [
    Role.ADMINISTRATOR,
    Role.REGIONAL_OFFICIAL,
    Role.AUDITOR,
    Role.EU_PROJECT_MANAGER,
    Role.INVENTORY_MANAGER,
    Role.APPLICANT,
]


def _memberships(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_sentinella_memberships", None)
    if cached is None:
        cached = list(
            user.memberships.filter(is_active=True, organisation__is_active=True).select_related(
                "organisation"
            )
        )
        cached.sort(key=lambda m: (ROLE_PRIORITY.index(m.role), m.organisation_id))
        user._sentinella_memberships = cached
    return cached


def forget_roles(user) -> None:
    """Drop the per-request cache after a role change."""
    user.__dict__.pop("_sentinella_memberships", None)


def user_roles(user) -> set[str]:
    return {m.role for m in _memberships(user)}


def primary_membership(user):
    memberships = _memberships(user)
    return memberships[0] if memberships else None


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def can(user, capability: str) -> bool:
    return bool(user_roles(user) & CAPABILITIES[capability])


def organisation_ids_with_role(user, *roles: str) -> set[int]:
    return {m.organisation_id for m in _memberships(user) if not roles or m.role in roles}


def organisations_with_role(user, *roles: str) -> list:
    """The user's active organisations in which they hold one of `roles`, by name: read with the
    user's roles (no query of their own)."""
    found = {m.organisation_id: m.organisation for m in _memberships(user) if m.role in roles}
    return sorted(found.values(), key=lambda o: (o.name, o.pk))


def organisation_ids_for(user, capability: str) -> set[int]:
    """The organisations in which the user holds a role that grants `capability`: being a member in
    another role (an EU project manager of a comune) grants nothing there."""
    return organisation_ids_with_role(user, *CAPABILITIES[capability])


def can_for(user, capability: str, organisation_id: int | None) -> bool:
    """Whether the user may do `capability` for this very organisation."""
    return organisation_id is not None and organisation_id in organisation_ids_for(user, capability)


def require_for(user, capability: str, organisation_id: int | None) -> None:
    """Raise PermissionDenied unless the user holds `capability` in that organisation. Views call it
    before they look at the request's data, so that a refusal reveals nothing about it."""
    if not can_for(user, capability, organisation_id):
        raise PermissionDenied


def visible_organisation_ids(user) -> set[int] | None:
    """None means "all organisations"; otherwise the ids the user acts for."""
    if can(user, READ_ALL):
        return None
    return organisation_ids_with_role(user)


def require(user, capability: str) -> None:
    """Raise PermissionDenied unless the user holds `capability`. Services call this first."""
    if not can(user, capability):
        raise PermissionDenied


# --- Funding data follow the role, not the membership --------------------------------------------
# Applications with their documents and timeline, expense reports with their invoice lines,
# commitments and liquidations are read by those who read everything and by the applicant staff of
# the beneficiary. Belonging to the beneficiary in another role (the EU project manager or the
# inventory manager of a comune) grants none of it: the same rule for the HTML pages and the API.
READ_FUNDING = "read_funding"
CAPABILITIES[READ_FUNDING] = CAPABILITIES[READ_ALL] | CAPABILITIES[APPLY]


def funding_visible_organisation_ids(user) -> set[int] | None:
    """Organisations whose funding data the user may read: None means all of them."""
    if can(user, READ_ALL):
        return None
    return organisation_ids_for(user, APPLY)


# --- Guards for function views -----------------------------------------------------------------
def capability_required(*capabilities: str):
    """Anonymous users go to the login page; logged-in users holding none of `capabilities` get 403
    (with no capability named, a login is all it asks)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if capabilities and not any(can(request.user, c) for c in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- Guards for class-based views ---------------------------------------------------------------
class CapabilityRequiredMixin(AccessMixin):
    """Anonymous users go to the login page; logged-in users without the capability get 403."""

    capability: str = ""
    write_capability: str = ""  # needed for POST/PUT/PATCH/DELETE when set

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        needed = self.capability
        if self.write_capability and request.method not in ("GET", "HEAD", "OPTIONS"):
            needed = self.write_capability
        if needed and not can(request.user, needed):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- DRF --------------------------------------------------------------------------------------
class HasCapability(permissions.BasePermission):
    """`permission_classes = [HasCapability.for_(READ_ALL, write=LEDGER_WRITE)]`."""

    read_capability: str | None = None
    write_capability: str | None = None

    @classmethod
    def for_(cls, read: str | None = None, *, write: str | None = None):
        return type(f"Has_{read}_{write}", (cls,), {"read_capability": read, "write_capability": write})

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return self.read_capability is None or can(user, self.read_capability)
        return self.write_capability is not None and can(user, self.write_capability)


class ReadsFunding(permissions.BasePermission):
    """Funding endpoints: only roles that may read funding data (READ_FUNDING) reach them, whatever
    the method (writes are then checked by the services); the others get 403, as on the HTML pages."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and can(user, READ_FUNDING))


# --- EU projects: what a user may do on one project -----------------------------------------------
# Accept a submitted deliverable or periodic report, or ask for a revision (the Region, for the EU).
ACCEPT_PROJECT_DELIVERABLES = "accept_project_deliverables"
CAPABILITIES[ACCEPT_PROJECT_DELIVERABLES] = frozenset({Role.REGIONAL_OFFICIAL})
# Export the projects' reports (each user's rows are the projects they may read).
EXPORT_PROJECTS = "export_projects"
CAPABILITIES[EXPORT_PROJECTS] = frozenset({Role.EU_PROJECT_MANAGER, Role.REGIONAL_OFFICIAL, Role.AUDITOR})


@dataclass(frozen=True)
class ProjectAccess:
    """One project seen by one user. `partners` given to project_access are (partner id, organisation
    id, keeps the work plan) triples, so this module needs no model of the projects app. The partner
    that keeps the work plan is the coordinator, or, while the coordinator has no EU project manager in
    the portal (a foreign body), the partner that recorded the project (projects.services.common)."""

    reads: bool = False  # the whole project (consortium files included); else only its public page
    member: bool = False  # acts for a partner organisation (any role): a consortium member
    edits_work_plan: bool = False  # the coordinator's project manager: the whole work plan
    partner_ids: frozenset[int] = frozenset()  # partners whose costs and effort the user edits
    accepts: bool = False  # accepts submitted deliverables and reports, or asks for a revision

    def edits_partner(self, partner_id: int) -> bool:
        return self.edits_work_plan or partner_id in self.partner_ids

    @property
    def edits_anything(self) -> bool:
        return self.edits_work_plan or bool(self.partner_ids)


def project_access(user, *, partners: Iterable[tuple[int, int, bool]]) -> ProjectAccess:
    """EU project managers edit the projects their organisation is a partner of: their own partner's
    costs and effort, and the whole work plan if their organisation keeps it (the coordinator, or the
    partner that recorded a project coordinated by a body without a manager in the portal). Any member of a
    partner organisation reads the project; officials and auditors read every project; the others
    see its public page only. Auditors change nothing."""
    partners = list(partners)
    if not getattr(user, "is_authenticated", False):
        return ProjectAccess()
    member_orgs = organisation_ids_with_role(user)
    manager_orgs = organisation_ids_with_role(user, Role.EU_PROJECT_MANAGER)
    member = any(org in member_orgs for _p, org, _c in partners)
    return ProjectAccess(
        reads=member or can(user, READ_ALL),
        member=member,
        edits_work_plan=any(keeps and org in manager_orgs for _p, org, keeps in partners),
        partner_ids=frozenset(p for p, org, _c in partners if org in manager_orgs),
        accepts=can(user, ACCEPT_PROJECT_DELIVERABLES),
    )


# --- Inventory ----------------------------------------------------------------------------------
# The Region's inventory manager manages every device; a beneficiary organisation (its applicant
# staff, or an inventory manager of its own) manages only its own devices; officials and auditors
# read everything and change nothing.
INVENTORY_OWN_ROLES = frozenset({Role.INVENTORY_MANAGER, Role.APPLICANT})


def is_regional_inventory_manager(user) -> bool:
    return any(
        m.role == Role.INVENTORY_MANAGER and m.organisation.kind == OrganisationKind.REGION
        for m in _memberships(user)
    )


def inventory_managed_organisation_ids(user) -> set[int] | None:
    """Organisations whose devices the user may change: None means all of them."""
    if is_regional_inventory_manager(user):
        return None
    return {m.organisation_id for m in _memberships(user) if m.role in INVENTORY_OWN_ROLES}


def inventory_visible_organisation_ids(user) -> set[int] | None:
    """Organisations whose devices the user may see: None means all of them."""
    if can(user, READ_ALL):
        return None
    return inventory_managed_organisation_ids(user)


def can_manage_inventory_of(user, organisation_id: int | None) -> bool:
    managed = inventory_managed_organisation_ids(user)
    return managed is None or organisation_id in managed


def can_manage_any_inventory(user) -> bool:
    managed = inventory_managed_organisation_ids(user)
    return managed is None or bool(managed)


def require_inventory_of(user, organisation_id: int | None) -> None:
    """Services call this first: PermissionDenied unless the user manages that organisation's devices."""
    if not can_manage_inventory_of(user, organisation_id):
        raise PermissionDenied
