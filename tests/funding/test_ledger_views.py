"""Ledger pages: who may see and do what, the two-step confirmation, and what the pages show."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.choices import CommitmentStatus
from funding.models import BudgetChapter, Commitment, Economy, Liquidation, Reservation
from funding.services import ledger
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ACT, ActionFactory, ChapterFactory, make_commitment, make_reservation

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2021, 6, 30)


@pytest.fixture
def book():
    """A chapter of € 1,650,000.00 with a reservation of € 800,000.00 and a commitment of € 100,000.00."""
    chapter = ChapterFactory(number="151120", year=2020, appropriation=Decimal("1650000.00"))
    action = ActionFactory(title="Body-cam")
    reservation = make_reservation("800000.00", chapter=chapter, action=action)
    beneficiary = OrganisationFactory(name="Comune di Cuneo")
    commitment = make_commitment("100000.00", reservation=reservation, beneficiary=beneficiary)
    ledger.liquidation_create(
        actor=None, commitment=commitment, amount=Decimal("40000.00"), date=TODAY, act=ACT, reason="acconto"
    )
    return {
        "chapter": chapter,
        "action": action,
        "reservation": reservation,
        "commitment": commitment,
        "beneficiary": beneficiary,
    }


def login(client, role, organisation=None):
    user = make_user(role, organisation)
    client.force_login(user)
    return user


def read_urls(book) -> list[str]:
    return [
        reverse("funding:programme_list"),
        reverse("funding:programme_detail", args=[book["action"].axis.programme_id]),
        reverse("funding:chapter_status"),
        reverse("funding:chapter_detail", args=[book["chapter"].pk]),
        reverse("funding:reservation_detail", args=[book["reservation"].pk]),
        reverse("funding:commitment_list"),
        reverse("funding:commitment_detail", args=[book["commitment"].pk]),
    ]


def write_urls(book) -> list[str]:
    commitment = book["commitment"].pk
    return [
        reverse("funding:reservation_create", args=[book["chapter"].pk]),
        reverse("funding:commitment_create", args=[book["reservation"].pk]),
        reverse("funding:liquidation_create", args=[commitment]),
        reverse("funding:economy_create", args=[commitment]),
        reverse("funding:commitment_confirm", args=[commitment]),
        reverse("funding:commitment_cancel", args=[commitment]),
    ]


def ledger_counts() -> tuple[int, ...]:
    return (
        Reservation.objects.count(),
        Commitment.objects.count(),
        Liquidation.objects.count(),
        Economy.objects.count(),
        AuditEvent.objects.count(),
        tuple(Commitment.objects.order_by("pk").values_list("status", flat=True)),
    )


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def confirm_data(response) -> dict:
    """The hidden fields of a confirmation page, as the browser would post them back."""
    html = response.content.decode()
    form = html[html.index('name="confirm_token"') - 4000 :]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


COMMIT = {"act_type": "dd", "act_number": "129/A1", "act_date": "2021-04-23", "amount": "50.000,00"}


def commit_data(book, **changes) -> dict:
    return {**COMMIT, "beneficiary": book["beneficiary"].pk, **changes}


def valid_post_data(book) -> dict[str, dict]:
    """For each write page, data that an official could confirm (a token included)."""
    act = {
        "act_type": "dd",
        "act_number": "7",
        "act_date": "2021-05-01",
        "confirm": "1",
        "confirm_token": "x",
    }
    return {
        "reservation_create": {**act, "action": book["action"].pk, "amount": "10,00"},
        "commitment_create": {**act, "beneficiary": book["beneficiary"].pk, "amount": "10,00"},
        "liquidation_create": {**act, "amount": "10,00", "date": "2021-05-02", "reason": "saldo"},
        "economy_create": {**act, "amount": "10,00", "date": "2021-05-02"},
        "commitment_confirm": {"confirm": "1", "confirm_token": "x"},
        "commitment_cancel": {**act, "date": "2021-05-02"},
    }


# --- Permissions --------------------------------------------------------------------------------------
def test_anonymous_users_go_to_the_login_page(client, book):
    for url in read_urls(book) + write_urls(book):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize(
    ("role", "own_organisation"),
    [
        (Role.APPLICANT, True),  # even the beneficiary's own staff: the ledger pages are the Region's
        (Role.APPLICANT, False),
        (Role.EU_PROJECT_MANAGER, True),
        (Role.INVENTORY_MANAGER, False),
    ],
)
def test_other_roles_get_403_on_every_ledger_page(client, book, role, own_organisation):
    login(client, role, book["beneficiary"] if own_organisation else None)
    for url in read_urls(book) + write_urls(book):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_readers_see_every_page_read_only(client, book, role):
    login(client, role)
    for url in read_urls(book):
        response = client.get(url)
        assert response.status_code == 200, url
        for write_url in write_urls(book):
            assert write_url not in response.content.decode(), (url, write_url)
    for url in write_urls(book):
        assert client.get(url).status_code == 403, url


def test_officials_see_every_page_and_the_operations(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    for url in read_urls(book) + write_urls(book):
        assert client.get(url).status_code == 200, url
    html = client.get(reverse("funding:commitment_detail", args=[book["commitment"].pk])).content.decode()
    for url in write_urls(book)[2:]:
        assert url in html


@pytest.mark.parametrize(
    "role", [None, Role.AUDITOR, Role.ADMINISTRATOR, Role.APPLICANT, Role.EU_PROJECT_MANAGER]
)
def test_a_denied_post_changes_nothing(client, book, role):
    if role is not None:
        login(client, role, book["beneficiary"] if role == Role.APPLICANT else None)
    data = valid_post_data(book)
    before = ledger_counts()
    for url in write_urls(book):
        name = next(n for n in data if reverse(f"funding:{n}", args=[1]).split("/")[-2] == url.split("/")[-2])
        response = client.post(url, data[name])
        assert response.status_code == (302 if role is None else 403), url
        # Also without the confirmation step's token, and as a preview.
        client.post(url, {k: v for k, v in data[name].items() if k != "confirm_token"})
    assert ledger_counts() == before


def test_read_pages_refuse_post(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    for url in read_urls(book):
        assert client.post(url).status_code == 405, url


# --- Two-step operations ------------------------------------------------------------------------------
def test_commit_shows_the_effect_on_availability_then_records_on_confirm(client, book):
    official = login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:commitment_create", args=[book["reservation"].pk])
    before = ledger_counts()

    response = client.post(url, commit_data(book, cup="e12b34567890123"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Disponibile ora" in text
    assert "Dopo questa operazione" in text
    assert "€ 700.000,00" in text  # the reservation's availability now
    assert "€ 650.000,00" in text  # and after committing € 50.000,00
    assert "Comune di Cuneo" in text
    assert ledger_counts() == before  # nothing written by the preview

    response = client.post(url, confirm_data(response))
    commitment = Commitment.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:commitment_detail", args=[commitment.pk])
    assert commitment.amount == Decimal("50000.00")
    assert commitment.beneficiary == book["beneficiary"]
    assert commitment.cup == "E12B34567890123"
    assert commitment.status == CommitmentStatus.PROVISIONAL
    assert commitment.created_by == official
    event = AuditEvent.objects.get(action="ledger.commitment.created", target_id=str(commitment.pk))
    assert event.actor == official
    assert event.source == "web"
    assert event.after["amount"] == "50000.00"


def test_a_stale_confirmation_is_refused_with_what_is_still_available(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:commitment_create", args=[book["reservation"].pk])
    response = client.post(url, commit_data(book, amount="700.000,00"))
    assert "€ 0,00" in page_text(response)  # all of it would be committed
    # Meanwhile someone else commits € 1,00 on the same reservation.
    make_commitment("1.00", reservation=book["reservation"])
    before = ledger_counts()

    response = client.post(url, confirm_data(response))

    assert response.status_code == 200
    errors = response.context["form"].errors["amount"]
    assert errors == [
        "Sulla prenotazione restano disponibili € 699.999,00 da impegnare; "
        "ne sono stati richiesti € 700.000,00."
    ]
    assert "€ 699.999,00" in page_text(response)
    assert ledger_counts() == before


def test_a_confirmation_is_performed_once(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:commitment_create", args=[book["reservation"].pk])
    data = confirm_data(client.post(url, commit_data(book)))
    assert client.post(url, data).status_code == 302
    count = Commitment.objects.count()
    response = client.post(url, data, follow=True)  # a double click, a reload
    assert Commitment.objects.count() == count
    assert "non è stata ripetuta" in page_text(response)


def test_confirm_without_the_confirmation_page_only_previews(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:commitment_create", args=[book["reservation"].pk])
    before = ledger_counts()
    response = client.post(url, commit_data(book, confirm="1"))
    assert response.status_code == 200
    assert "confirm_token" in response.content.decode()
    assert ledger_counts() == before


def test_change_the_data_goes_back_to_the_form(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:commitment_create", args=[book["reservation"].pk])
    data = confirm_data(client.post(url, commit_data(book)))
    response = client.post(url, {**data, "edit": "1"})
    assert response.status_code == 200
    assert response.templates[0].name == "funding/ledger/operation_form.html"
    assert response.context["form"]["amount"].value() == "50.000,00"
    assert not Commitment.objects.filter(amount=Decimal("50000.00")).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"amount": "700.000,01"},
            "amount",
            "Sulla prenotazione restano disponibili € 700.000,00 da impegnare; "
            "ne sono stati richiesti € 700.000,01.",
        ),
        ({"amount": "0"}, "amount", "L'importo deve essere maggiore di zero."),
        ({"amount": "dieci"}, "amount", "Inserire un importo in euro, per esempio 1.234,56."),
        ({"act_date": "2999-01-01"}, "act_date", "La data dell'atto non può essere futura."),
        ({"cup": "ABC"}, "cup", None),
    ],
)
def test_service_errors_appear_on_the_field_in_italian(client, book, changes, field, message):
    login(client, Role.REGIONAL_OFFICIAL)
    before = ledger_counts()
    response = client.post(
        reverse("funding:commitment_create", args=[book["reservation"].pk]), commit_data(book, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    if message:
        assert errors == [message]
    assert f'id="id_{field}-errors"' in response.content.decode()
    assert ledger_counts() == before


def test_errors_in_english_when_asked(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    response = client.post(
        reverse("funding:commitment_create", args=[book["reservation"].pk]),
        commit_data(book, amount="700,000.01"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["form"].errors["amount"] == [
        "The reservation has €700,000.00 still available for commitments; €700,000.01 were requested."
    ]


def _confirm(client, url, data, **extra):
    response = client.post(url, data, **extra)
    assert response.status_code == 200, response.context["form"].errors if response.context else response
    assert "confirm_token" in response.content.decode(), response.context["form"].errors
    return response, client.post(url, confirm_data(response), **extra)


def test_reserve_on_a_chapter(client, book):
    official = login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:reservation_create", args=[book["chapter"].pk])
    data = {"action": book["action"].pk, "amount": "850.000,00", "act_type": "dgr", "act_number": "12-1219"}
    preview, done = _confirm(client, url, {**data, "act_date": "2020-04-10"})
    text = page_text(preview)
    assert "€ 850.000,00" in text  # available on the chapter now
    assert "€ 0,00" in text  # and after
    reservation = Reservation.objects.latest("pk")
    assert done["Location"] == reverse("funding:reservation_detail", args=[reservation.pk])
    assert reservation.amount == Decimal("850000.00")
    assert reservation.created_by == official
    assert BudgetChapter.objects.get(pk=book["chapter"].pk).reserved_total == Decimal("1650000.00")
    # The chapter is now fully reserved: one cent more is refused on the field.
    response = client.post(url, {**data, "amount": "0,01", "act_date": "2020-04-10"})
    assert response.context["form"].errors["amount"] == [
        "Sul capitolo 151120/2020 restano disponibili € 0,00 per prenotazioni; "
        "ne sono stati richiesti € 0,01."
    ]


def test_reserve_offers_only_actions_running_in_the_chapter_year(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    later = ActionFactory(title="Formazione", start_year=2021, end_year=2022)
    response = client.get(reverse("funding:reservation_create", args=[book["chapter"].pk]))
    choices = [str(a.pk) for a in response.context["form"].fields["action"].queryset]
    assert str(book["action"].pk) in choices
    assert str(later.pk) not in choices


def test_liquidate_an_advance_then_the_balance(client, book):
    official = login(client, Role.REGIONAL_OFFICIAL)
    commitment = book["commitment"]
    url = reverse("funding:liquidation_create", args=[commitment.pk])
    data = {"amount": "35.000,00", "date": "2021-06-01", "reason": "acconto", "act_type": "dd"}
    data |= {"act_number": "300", "act_date": "2021-06-01", "payment_date": "2021-06-15"}
    preview, done = _confirm(client, url, data)
    text = page_text(preview)
    assert "€ 60.000,00" in text  # still to liquidate now
    assert "€ 25.000,00" in text  # after
    assert done["Location"] == reverse("funding:commitment_detail", args=[commitment.pk])
    liquidation = Liquidation.objects.latest("pk")
    assert liquidation.reason == "acconto"
    assert liquidation.payment_date == datetime.date(2021, 6, 15)
    assert liquidation.created_by == official
    response = client.post(url, {**data, "amount": "25.000,01", "reason": "saldo"})
    assert response.context["form"].errors["amount"] == [
        "Sull'impegno restano da liquidare € 25.000,00; ne sono stati richiesti € 25.000,01."
    ]


def test_an_economy_goes_back_to_the_reservation(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:economy_create", args=[book["commitment"].pk])
    data = {"amount": "10.000,00", "date": "2021-06-01", "act_type": "dd", "act_number": "301"}
    preview, done = _confirm(client, url, {**data, "act_date": "2021-06-01", "description": "Minor spesa"})
    text = page_text(preview)
    assert "€ 60.000,00" in text  # to liquidate now
    assert "€ 50.000,00" in text  # and after
    assert "€ 700.000,00" in text  # available on the reservation now
    assert "€ 710.000,00" in text  # and after
    assert done.status_code == 302
    reservation = Reservation.objects.get(pk=book["reservation"].pk)
    assert reservation.available == Decimal("710000.00")


def test_confirm_a_provisional_commitment(client, book):
    official = login(client, Role.REGIONAL_OFFICIAL)
    url = reverse("funding:commitment_confirm", args=[book["commitment"].pk])
    preview, done = _confirm(client, url, {})
    assert "Provvisorio → <strong>Definitivo</strong>" in page_text(preview)
    assert done.status_code == 302
    assert Commitment.objects.get(pk=book["commitment"].pk).status == CommitmentStatus.DEFINITIVE
    assert AuditEvent.objects.filter(action="ledger.commitment.confirmed", actor=official).count() == 1
    # Confirming again is refused with the service's message; nothing more is audited.
    response = client.post(url, {})
    assert "Questo impegno è già definitivo." in page_text(response)
    assert AuditEvent.objects.filter(action="ledger.commitment.confirmed").count() == 1


def test_cancel_a_commitment_returns_the_remainder(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    commitment = book["commitment"]
    url = reverse("funding:commitment_cancel", args=[commitment.pk])
    data = {"date": "2021-06-01", "act_type": "dd", "act_number": "302", "act_date": "2021-06-01"}
    preview, done = _confirm(client, url, {**data, "description": "Rinuncia del beneficiario"})
    assert "Annullato" in page_text(preview)
    assert done.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.CANCELLED
    assert commitment.economies_total == Decimal("60000.00")
    # A cancelled commitment offers no operations and refuses them.
    html = client.get(reverse("funding:commitment_detail", args=[commitment.pk])).content.decode()
    assert reverse("funding:liquidation_create", args=[commitment.pk]) not in html
    response = client.post(url, data)
    assert "Questo impegno è annullato" in page_text(response)


# --- What the pages show -------------------------------------------------------------------------------
def test_chapter_status_in_italian_with_totals(client, book):
    login(client, Role.AUDITOR)
    ChapterFactory(number="136275", year=2021, appropriation=Decimal("10000.00"))
    response = client.get(reverse("funding:chapter_status"), {"year": 2020})
    text = page_text(response)
    assert "Capitoli di bilancio" in text
    for label in ("Stanziamento", "Prenotato", "Impegnato", "Economie", "Liquidato", "Disponibile"):
        assert f'<th scope="col" class="money">{label}</th>' in text, label
    assert "151120/2020" in text
    assert "136275/2021" not in text
    assert '<td class="money">€ 1.650.000,00</td>' in text
    assert '<td class="money">€ 850.000,00</td>' in text  # available: 1,650,000 - 800,000
    assert response.context["totals"]["liquidated"] == Decimal("40000.00")
    assert "<tfoot>" in text
    all_years = client.get(reverse("funding:chapter_status"), {"year": "all"})
    assert all_years.context["totals"]["appropriation"] == Decimal("1660000.00")


def test_chapter_status_in_english(client, book):
    login(client, Role.AUDITOR)
    text = page_text(client.get(reverse("funding:chapter_status"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Budget chapters" in text
    assert '<td class="money">€1,650,000.00</td>' in text


def test_programme_tree(client, book):
    login(client, Role.AUDITOR)
    ActionFactory(axis=book["action"].axis, title="Senza fondi")
    response = client.get(reverse("funding:programme_detail", args=[book["action"].axis.programme_id]))
    text = page_text(response)
    assert "Body-cam" in text
    assert "Nessuna somma prenotata per questa azione." in text
    assert "€ 800.000,00" in text  # reserved
    assert "€ 100.000,00" in text  # committed
    assert "€ 40.000,00" in text  # liquidated
    assert "€ 700.000,00" in text  # available


def test_drill_down_from_chapter_to_entries(client, book):
    official = login(client, Role.REGIONAL_OFFICIAL)
    ledger.economy_create(
        actor=official, commitment=book["commitment"], amount=Decimal("5000.00"), date=TODAY, act=ACT
    )
    chapter_page = page_text(client.get(reverse("funding:chapter_detail", args=[book["chapter"].pk])))
    assert reverse("funding:reservation_detail", args=[book["reservation"].pk]) in chapter_page
    reservation_page = page_text(
        client.get(reverse("funding:reservation_detail", args=[book["reservation"].pk]))
    )
    assert reverse("funding:commitment_detail", args=[book["commitment"].pk]) in reservation_page
    assert "Comune di Cuneo" in reservation_page
    assert "€ 705.000,00" in reservation_page  # available for commitments after the economy
    commitment_page = page_text(
        client.get(reverse("funding:commitment_detail", args=[book["commitment"].pk]))
    )
    assert "Acconto" in commitment_page  # the liquidation's causale
    assert "n.&nbsp;1/2020" in commitment_page  # act references
    assert "€ 55.000,00" in commitment_page  # still to liquidate: 100,000 - 40,000 - 5,000
    assert official.get_full_name() in commitment_page  # who recorded the economy


def test_commitment_page_shows_its_audit_trail(client, book):
    official = login(client, Role.REGIONAL_OFFICIAL)
    other = make_commitment("10.00", reservation=book["reservation"])
    ledger.economy_create(
        actor=official, commitment=book["commitment"], amount=Decimal("1.00"), date=TODAY, act=ACT
    )
    ledger.liquidation_create(actor=official, commitment=other, amount=Decimal("2.00"), date=TODAY, act=ACT)
    response = client.get(reverse("funding:commitment_detail", args=[book["commitment"].pk]))
    events = [item["event"] for item in response.context["events"]]
    assert [e.action for e in events] == [
        "ledger.commitment.created",
        "transparency.published",
        "ledger.liquidation.created",
        "ledger.economy.created",
    ]
    text = page_text(response)
    assert "Impegno registrato" in text
    assert "Economia registrata" in text
    assert official.email in text
    assert f"#{events[-1].seq}" in text


def test_commitment_list_filters(client, book):
    login(client, Role.AUDITOR)
    other = make_commitment(
        "10.00", reservation=book["reservation"], beneficiary=OrganisationFactory(name="Asti")
    )
    response = client.get(reverse("funding:commitment_list"), {"beneficiary_name": "cuneo"})
    assert list(response.context["page"].object_list) == [book["commitment"]]
    response = client.get(reverse("funding:commitment_list"), {"year": 2020})
    assert set(response.context["page"].object_list) == {book["commitment"], other}


def test_menu_and_home_link_to_the_ledger_pages(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    html = client.get(reverse("home")).content.decode()
    assert reverse("funding:chapter_status") in html
    assert reverse("funding:programme_list") in html
    client.logout()
    login(client, Role.AUDITOR)
    html = client.get(reverse("home")).content.decode()
    assert reverse("funding:chapter_status") in html
    client.logout()
    login(client, Role.APPLICANT)
    assert reverse("funding:chapter_status") not in client.get(reverse("home")).content.decode()


def test_a_new_official_commits_and_liquidates_and_sees_the_chapter_change(client, book):
    login(client, Role.REGIONAL_OFFICIAL)
    status_url = reverse("funding:chapter_status")

    def figures():
        chapters = client.get(status_url, {"year": 2020}).context["chapters"]
        chapter = next(c for c in chapters if c.pk == book["chapter"].pk)
        return chapter.committed, chapter.liquidated

    assert figures() == (Decimal("100000.00"), Decimal("40000.00"))
    _confirm(client, reverse("funding:commitment_create", args=[book["reservation"].pk]), commit_data(book))
    commitment = Commitment.objects.latest("pk")
    assert figures() == (Decimal("150000.00"), Decimal("40000.00"))
    data = {"amount": "50.000,00", "date": "2021-06-01", "reason": "saldo", "act_type": "dd"}
    liquidate = reverse("funding:liquidation_create", args=[commitment.pk])
    refused = client.post(liquidate, {**data, "act_number": "400", "act_date": "2021-06-01"})
    assert "non è ancora stata pubblicata" in page_text(refused)  # the grant has no effect yet
    assert figures() == (Decimal("150000.00"), Decimal("40000.00"))
    published = client.post(
        reverse("funding:transparency_publish"), {"step": "confirm", "grant": [commitment.pk]}
    )
    assert published.status_code == 302
    _confirm(client, liquidate, {**data, "act_number": "400", "act_date": "2021-06-01"})
    assert figures() == (Decimal("150000.00"), Decimal("90000.00"))
    text = page_text(client.get(status_url, {"year": 2020}))
    assert '<td class="money">€ 150.000,00</td>' in text
    assert '<td class="money">€ 90.000,00</td>' in text
