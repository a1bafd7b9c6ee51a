"""A project run by its managers, shared by the tests of the pages and the API that write it."""

import pytest

from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import make_project, make_work_plan, manager_of

ROLES = ["anonymous", "other_pm", "coord_applicant", "partner_pm", "coord_pm", "official", "auditor"]


@pytest.fixture
def run_world():
    """DA4LP (total 0, RP1 months 1-18, RP2 19-30) coordinated by Torino with one foreign partner, its
    work plan, and one user per row of the permission matrix (anonymous is None)."""
    torino = OrganisationFactory(name="Comune di Torino")
    project = make_project(
        coordinator=torino, partners=1, acronym="DA4LP", total="0.00", periods=((1, 18), (19, 30))
    )
    wp1, wp2, d11, _d21 = make_work_plan(project)
    partner = project.partners.get(number=2)
    return {
        "project": project,
        "wp1": wp1,
        "wp2": wp2,
        "d11": d11,
        "partner": partner,
        "coordinator": project.partners.get(number=1),
        "milestone": project.milestones.get(),
        "report": project.periods.get(number=1).report,
        "users": {
            "anonymous": None,
            "other_pm": manager_of(OrganisationFactory(name="Comune di Trento")),
            "coord_applicant": make_user(Role.APPLICANT, torino),
            "partner_pm": manager_of(partner.organisation),
            "coord_pm": manager_of(torino),
            "official": make_user(Role.REGIONAL_OFFICIAL),
            "auditor": make_user(Role.AUDITOR),
        },
    }
