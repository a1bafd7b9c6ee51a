"""Factories of the inventory's tests: models, devices (through the service, or in bulk), sites."""

import datetime
from decimal import Decimal

import factory

from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus, FundingSource
from inventory.models import Assignment, Device, DeviceModel, DeviceStatusChange, Site
from inventory.services.deployment import Target
from inventory.services.devices import Funding, device_register
from portal.choices import OrganisationKind
from portal.models import Comune
from tests.factories import MunicipalityFactory, OrganisationFactory

TORINO_PIAZZA_CASTELLO = (Decimal("45.071000"), Decimal("7.685600"))
CUNEO_PIAZZA_GALIMBERTI = (Decimal("44.389600"), Decimal("7.547500"))
MILANO_DUOMO = (Decimal("45.464200"), Decimal("9.190000"))


class DeviceModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceModel

    kind = DeviceKind.BODYCAM
    manufacturer = factory.Sequence(lambda n: f"Costruttore {n}")
    name = factory.Sequence(lambda n: f"Modello {n}")
    conformity_standards = "CEI EN 62368-1"


class DeviceFactory(factory.django.DjangoModelFactory):
    """A device row written directly (for bulk data); tests of the rules use `register`."""

    class Meta:
        model = Device

    owner = factory.SubFactory(OrganisationFactory)
    model = factory.SubFactory(DeviceModelFactory)
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    cost_net = Decimal("300.00")
    cost_vat = Decimal("66.00")
    status = DeviceStatus.IN_STOCK
    funding_source = FundingSource.OWN_FUNDS


def torino():
    return Comune.objects.get(istat_code="001272")


def cuneo():
    return Comune.objects.get(istat_code="004078")


def municipality(comune=None):
    comune = comune or torino()
    from portal.models import Organisation

    existing = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY, comune=comune).first()
    return existing or MunicipalityFactory(comune=comune, name=f"Comune di {comune.name}")


def register(
    owner=None, *, kind=DeviceKind.BODYCAM, model=None, serial=None, commitment=None, actor=None, **kwargs
):
    """A device registered through the service (history row and audit event included)."""
    owner = owner or (commitment.beneficiary if commitment else OrganisationFactory())
    model = model or DeviceModelFactory(kind=kind)
    funding = kwargs.pop("funding", None) or (
        Funding(source=FundingSource.GRANT, commitment=commitment)
        if commitment
        else Funding(source=FundingSource.OWN_FUNDS)
    )
    return device_register(
        actor=actor,
        owner=owner,
        model=model,
        serial_number=serial or f"SN-{DeviceModel.objects.count()}-{Device.objects.count() + 1}",
        cost_net=kwargs.pop("cost_net", "300.00"),
        cost_vat=kwargs.pop("cost_vat", "66.00"),
        funding=funding,
        purchase_date=kwargs.pop("purchase_date", datetime.date(2021, 6, 1)),
        **kwargs,
    )


def make_site(owner, comune=None, *, name="Piazza Castello", coordinates=TORINO_PIAZZA_CASTELLO):
    return Site.objects.create(
        owner=owner,
        name=name,
        address="Piazza Castello 1",
        comune=comune or torino(),
        latitude=coordinates[0],
        longitude=coordinates[1],
        watches="La piazza e gli accessi",
    )


def officer(unit="Reparto radiomobile", number="PL-1234"):
    return Target(kind=AssignmentKind.OFFICER, police_unit=unit, officer_service_number=number)


def bulk_devices(
    count: int, *, owner=None, commitment=None, history_per_device: int = 0, deployed_share: int = 2
):
    """`count` devices in bulk (for query-count tests and benchmarks): every `deployed_share`-th one
    deployed at a site, with `history_per_device` history rows each."""
    owner = owner or (commitment.beneficiary if commitment else MunicipalityFactory())
    model = DeviceModelFactory(kind=DeviceKind.CCTV)
    site = Site.objects.filter(owner=owner).first() or make_site(owner, name=f"Sito {owner.pk}")
    funding = FundingSource.GRANT if commitment else FundingSource.OWN_FUNDS
    devices = Device.objects.bulk_create(
        [
            Device(
                owner=owner,
                model=model,
                serial_number=f"B{model.pk}-{n:07d}",
                asset_tag=f"T{model.pk}-{n:07d}",
                cost_net=Decimal("1000.00"),
                cost_vat=Decimal("220.00"),
                status=DeviceStatus.DEPLOYED if n % deployed_share == 0 else DeviceStatus.IN_STOCK,
                funding_source=funding,
                commitment=commitment,
                warranty_end=datetime.date(2020 + n % 10, 1, 1),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(device=d, kind=AssignmentKind.SITE, site=site, started_on=datetime.date(2022, 1, 1))
            for d in devices
            if d.status == DeviceStatus.DEPLOYED
        ],
        batch_size=2000,
    )
    statuses = [DeviceStatus.ORDERED, DeviceStatus.IN_STOCK, DeviceStatus.MAINTENANCE, DeviceStatus.IN_STOCK]
    DeviceStatusChange.objects.bulk_create(
        [
            DeviceStatusChange(
                device=d,
                from_status=statuses[i % 4] if i else "",
                to_status=statuses[(i + 1) % 4],
                reason="bulk",
            )
            for d in devices
            for i in range(history_per_device)
        ],
        batch_size=5000,
    )
    return devices
