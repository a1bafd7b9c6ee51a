"""seed_demo loads the EU projects of the seeds, idempotently, with a Trento project manager."""

import pytest
from django.core.management import call_command

from portal.choices import Role
from portal.models import Membership
from projects.choices import ProjectStatus
from projects.models import Deliverable, ExpenditureLine, Project
from projects.selectors import equipment_expenditure_lines

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_projects_of_the_seeds_once(comuni, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    out = capsys.readouterr().out
    assert "progetti.trento@sentinella.demo" in out
    projects = {p.acronym: p for p in Project.objects.all()}
    assert set(projects) == {"DigitalAcademy", "PreCrisis", "PACTESUR", "MARVEL", "PROTECTOR", "e-Security"}
    da = projects["DigitalAcademy"]
    assert (da.duration_months, da.end_date.year) == (36, 2027)
    assert [p.organisation.name for p in da.partners.order_by("number")] == [
        "Comune di Torino", "Ville de Nice", "Ayuntamiento de Madrid", "Ville de Liège",
    ]  # fmt: skip
    pre = projects["PreCrisis"]
    assert pre.duration_months == 24
    coordinator = pre.partners.get(role="coordinator").organisation
    assert (coordinator.name, coordinator.country.code) == ("Saher (Europe) OÜ", "EE")
    assert pre.partners.filter(organisation__name="Comune di Trento").exists()
    assert [wp.title for wp in projects["PACTESUR"].work_packages.order_by("number")][4].startswith(
        "Attrezzature"
    )
    for closed in ("MARVEL", "PROTECTOR", "e-Security", "PACTESUR"):
        assert projects[closed].status == ProjectStatus.CLOSED
    assert {"accepted", "submitted", "pending", "internal_review", "preparation"} <= set(
        Deliverable.objects.filter(project=da).values_list("status", flat=True)
    )
    assert Membership.objects.filter(
        user__email="progetti.trento@sentinella.demo",
        role=Role.EU_PROJECT_MANAGER,
        organisation__name="Comune di Trento",
    ).exists()
    assert (
        ExpenditureLine.objects.filter(
            report__period__project=projects["PACTESUR"], category__kind="equipment"
        ).count()
        == 3
    )
    from portal.models import User

    official = User.objects.get(email="funzionario@sentinella.demo")
    assert equipment_expenditure_lines(user=official).count() >= 5
