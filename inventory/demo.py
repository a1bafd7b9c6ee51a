"""Demo data for the inventory, built through the services so the history and the audit trail tell
the story (idempotent: what exists is left as it is):

- the body-cam grants adopted (DD 2021), with the body-cams of a few provincial capitals: most
  deployed to officers, one faulty, some in stock; Novara paid long ago with nothing registered;
- no taxi recorders: the funding demo's taxi call is still open, so no taxi application is granted
  yet (the registration on the expense report is shown by tests/inventory/test_expense_devices.py);
- CCTV cameras and licence-plate readers of the technological-control action at sites in Torino
  and Cuneo; PACTESUR's WP5 equipment linked to the EU project;
- Torino's control room as an analytics source with a fixed demo key (DEMO_ANALYTICS_KEY, printed
  and used by the README's example command), and a week of its events on Torino's cameras.
"""

import datetime
import uuid
from decimal import Decimal

import msgspec
from django.db import transaction
from django.utils import timezone

from funding.choices import AllocationStatus, CommitmentStatus
from funding.models import Call, Commitment
from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus, FundingSource
from inventory.models import AnalyticsSource, CallDeviceRule, Device, DeviceModel, Site
from inventory.services.deployment import Target, device_deploy, site_create
from inventory.services.devices import Funding, device_model_get_or_create, device_register, device_transition
from portal.models import Comune, Organisation

ADOPTION_ACT = ("1234/A1809A/2021", datetime.date(2021, 6, 15))
MODELS = {
    "bodycam": (DeviceKind.BODYCAM, "Axon", "Body 3", "CEI EN 62368-1; CEI EN 60529 (IP67)"),
    "edr-dashcam": (DeviceKind.EDR, "Dashcam Pro", "DR-900 Taxi", "CEI EN 50498; UNI EN ISO 39001"),
    "edr-autovision": (DeviceKind.EDR, "Autovision", "EventBox 2", "CEI EN 50498"),
    "cctv": (DeviceKind.CCTV, "Hikvision", "DS-2CD2T87G2-L", "CEI EN 62676-1"),
    "anpr": (DeviceKind.ANPR, "Tattile", "Vega Smart", "UNI EN 62676-4; SCNTT"),
    "pactesur": (DeviceKind.OTHER, "Bollard Tech", "Dissuasore mobile BT-400", "UNI EN ISO 22343-1"),
}
# Body-cams registered per capital: (ISTAT code, how many, deployed, faulty).
BODYCAMS = [("001272", 12, 9, 1), ("004078", 6, 4, 1), ("006003", 4, 0, 0)]
SITES = [
    ("001272", "Piazza Castello", "Piazza Castello", "45.071000", "7.685600", "Piazza e accessi pedonali"),
    ("001272", "Porta Palazzo", "Piazza della Repubblica", "45.076900", "7.683500", "Area mercatale"),
    ("001272", "Corso Giulio Cesare", "Corso Giulio Cesare 40", "45.083700", "7.690800", "Varco in ingresso"),
    ("004078", "Piazza Galimberti", "Piazza Galimberti", "44.389600", "7.547500", "Piazza e portici"),
    ("004078", "Viadotto Soleri", "Viadotto Soleri", "44.392900", "7.557900", "Varco lettura targhe"),
]


def _model(key: str) -> DeviceModel:
    kind, manufacturer, name, standards = MODELS[key]
    return device_model_get_or_create(
        actor=None, kind=kind, manufacturer=manufacturer, name=name, conformity_standards=standards
    )


def _device(owner, model, serial, *, funding, tag="", purchase=None, warranty=None, cost=("349.90", "76.98")):
    existing = Device.objects.filter(model=model, serial_number=serial).first()
    if existing is not None:
        return existing, False
    device = device_register(
        actor=None,
        owner=owner,
        model=model,
        serial_number=serial,
        asset_tag=tag,
        cost_net=cost[0],
        cost_vat=cost[1],
        funding=funding,
        purchase_date=purchase,
        warranty_end=warranty,
    )
    return device, True


def _bodycam_call() -> Call | None:
    from funding.services.allocation import allocation_adopt

    call = Call.objects.filter(code="body-cam-polizia-locale").first()
    if call is None:
        return None
    CallDeviceRule.objects.get_or_create(
        call=call, defaults={"kind": DeviceKind.BODYCAM, "require_coverage": False}
    )
    allocation = call.allocations.exclude(status=AllocationStatus.SUPERSEDED).first()
    if allocation is not None and allocation.status == AllocationStatus.PROPOSED:
        allocation_adopt(
            actor=None, allocation=allocation, act_number=ADOPTION_ACT[0], act_date=ADOPTION_ACT[1]
        )
        _publish(call)
    return call


def _publish(call: Call) -> None:
    from funding.demo import demo_official
    from funding.selectors.transparency import awaits_publication
    from funding.services.transparency import grants_publish

    pending = [c for c in _commitments(call) if awaits_publication(c)]
    if pending:
        grants_publish(actor=demo_official(), commitments=pending)


def _commitments(call: Call):
    from inventory.selectors import call_commitments

    return call_commitments(call).select_related("beneficiary").exclude(status=CommitmentStatus.CANCELLED)


def _liquidate(commitment: Commitment, amount: Decimal, date: datetime.date) -> None:
    from funding.services.ledger import Act, liquidation_create

    if commitment.liquidated_total == 0:
        liquidation_create(
            actor=None,
            commitment=commitment,
            amount=min(amount, commitment.to_liquidate),
            date=date,
            act=Act(number=f"LIQ-{commitment.pk}/2021", date=date),
            description="Liquidazione dopo la documentazione dell'acquisto delle Body-Cam",
        )


def seed_bodycams(call: Call) -> int:
    model = _model("bodycam")
    grants = {c.beneficiary.comune.istat_code: c for c in _commitments(call) if c.beneficiary.comune_id}
    created = 0
    for istat, count, deployed, faulty in BODYCAMS:
        commitment = grants.get(istat)
        if commitment is None:
            continue
        owner = commitment.beneficiary
        sigla = owner.comune.province.sigla
        _liquidate(commitment, Decimal(count) * Decimal("426.88"), datetime.date(2021, 11, 30))
        for n in range(1, count + 1):
            device, new = _device(
                owner,
                model,
                f"X3{istat}{n:04d}",
                tag=f"PL-{sigla}-BC-{n:03d}",
                funding=Funding(source=FundingSource.GRANT, commitment=commitment),
                purchase=datetime.date(2021, 10, 4),
                warranty=datetime.date(2023, 10, 4) if istat == "006003" else datetime.date(2028, 10, 4),
            )
            if not new:
                continue
            created += 1
            if n <= deployed + faulty:
                device_deploy(
                    actor=None,
                    device=device,
                    target=Target(
                        kind=AssignmentKind.OFFICER,
                        police_unit="Reparto Radiomobile" if n % 2 else "Polizia di prossimità",
                        officer_service_number=f"{sigla}{1000 + n * 7}",
                    ),
                    started_on=datetime.date(2021, 11, 2),
                )
            if deployed < n <= deployed + faulty:
                device_transition(
                    actor=None,
                    device=device,
                    to_status=DeviceStatus.FAULTY,
                    reason="Batteria che non tiene la carica: in attesa di sostituzione in garanzia",
                )
    novara = grants.get("003106")
    if novara is not None:  # paid long ago, nothing registered: flagged on the dashboard
        _liquidate(novara, Decimal("5000.00"), datetime.date(2021, 12, 20))
    return created


def seed_cameras() -> int:
    created = 0
    sites = {}
    for istat, name, address, lat, lon, watches in SITES:
        owner = Organisation.objects.filter(kind="municipality", comune__istat_code=istat).first()
        if owner is None:
            continue
        site = Site.objects.filter(owner=owner, name=name).first() or site_create(
            actor=None,
            owner=owner,
            name=name,
            address=address,
            comune=Comune.objects.get(istat_code=istat),
            latitude=lat,
            longitude=lon,
            watches=watches,
        )
        sites[name] = site
    plan = [
        ("cctv", "Piazza Castello", 2),
        ("cctv", "Porta Palazzo", 2),
        ("anpr", "Corso Giulio Cesare", 1),
        ("cctv", "Piazza Galimberti", 1),
        ("anpr", "Viadotto Soleri", 1),
    ]
    for key, site_name, count in plan:
        site = sites.get(site_name)
        if site is None:
            continue
        for n in range(1, count + 1):
            device, new = _device(
                site.owner,
                _model(key),
                f"{key.upper()}-{site.comune.istat_code}-{site.pk:03d}-{n}",
                tag=f"VS-{site.comune.province.sigla}-{site.pk:03d}-{n}",
                funding=Funding(source=FundingSource.OWN_FUNDS),
                purchase=datetime.date(2022, 5, 10),
                warranty=datetime.date(2027, 5, 10),
                cost=("1850.00", "407.00") if key == "anpr" else ("980.00", "215.60"),
            )
            if new:
                created += 1
                device_deploy(
                    actor=None,
                    device=device,
                    target=Target(kind=AssignmentKind.SITE, site=site, installer="Impianti Sicurezza Srl"),
                    started_on=datetime.date(2022, 6, 1),
                )
    return created


def seed_pactesur() -> int:
    owner = Organisation.objects.filter(kind="municipality", comune__istat_code="001272").first()
    if owner is None:
        return 0
    created = 0
    for n in range(1, 5):
        _device_obj, new = _device(
            owner,
            _model("pactesur"),
            f"BT400-{n:04d}",
            tag=f"EU-PACTESUR-{n:03d}",
            funding=Funding(source=FundingSource.EU_PROJECT, eu_reference="PACTESUR · WP5 attrezzature"),
            purchase=datetime.date(2022, 9, 1),
            warranty=datetime.date(2027, 9, 1),
            cost=("4200.00", "924.00"),
        )
        created += int(new)
    return created


DEMO_ANALYTICS_KEY = "snt_demo0001_Sentinella-demo-analytics-key"
DEMO_SOURCE = "Centrale operativa Smart City (demo)"
DEMO_KINDS = [("line_crossing", None), ("crowd_density", 1.5), ("loitering", None), ("heartbeat", None)]


def seed_analytics() -> tuple[AnalyticsSource | None, int]:
    """Torino's control room and a week of events on its cameras (event ids derived from the device,
    day and number, so seeding again stores nothing twice)."""
    from inventory.services.ingest import events_ingest
    from inventory.services.sources import source_create

    owner = Organisation.objects.filter(kind="municipality", comune__istat_code="001272").first()
    if owner is None:
        return None, 0
    source = AnalyticsSource.objects.filter(owner=owner, name=DEMO_SOURCE).first()
    if source is None:
        source = source_create(actor=None, owner=owner, name=DEMO_SOURCE, demo_key=DEMO_ANALYTICS_KEY).source
    cameras = Device.objects.filter(
        owner=owner, status=DeviceStatus.DEPLOYED, model__kind=DeviceKind.CCTV
    ).exclude(asset_tag=None)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    events = []
    for device in cameras.order_by("pk"):
        for day in range(7, 0, -1):
            for n, (kind, value) in enumerate(DEMO_KINDS * (1 + (device.pk + day) % 3)):
                occurred = now - datetime.timedelta(days=day, hours=n * 2)
                events.append(
                    {
                        "event_id": str(
                            uuid.uuid5(uuid.NAMESPACE_URL, f"demo/{device.asset_tag}/{occurred:%Y%m%d%H}/{n}")
                        ),
                        "device": device.asset_tag,
                        "occurred_at": occurred.isoformat(),
                        "kind": kind,
                        "severity": "low",
                        "value": None if value is None else value + (n % 4) * 0.5,
                        "zone": device.assignments.filter(ended_on=None).first().site.name,
                        "confidence": 0.85,
                    }
                )
    stored = 0
    for start in range(0, len(events), 1000):
        raws = [msgspec.json.encode(e) for e in events[start : start + 1000]]
        stored += events_ingest(source=source, raws=raws).counts["accepted"]
    return source, stored


def seed(stdout) -> None:
    with transaction.atomic():
        call = _bodycam_call()
        bodycams = seed_bodycams(call) if call is not None else 0
        cameras = seed_cameras()
        eu = seed_pactesur()
    source, events = seed_analytics()
    stdout.write(
        f"Inventory: {bodycams} body-cams, {cameras} cameras, {eu} PACTESUR items registered now; "
        f"{Device.objects.count()} devices in all"
    )
    if source is not None:
        stdout.write(
            f"Analytics: source “{source.name}” ({source.owner.name}), {events} events stored now; "
            f"its demo API key: {DEMO_ANALYTICS_KEY}"
        )
