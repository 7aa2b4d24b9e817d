"""Staff admin of the receipts ledger: cash desk and goods drop-off, append-only, reversal, acknowledgement."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation

from donations.models import Pledge, Receipt, ReceiptItem
from donations.services import DonorData, PledgeData, pledge_create, receipt_record
from tests.factories import CampaignFactory, ReceivingAccountFactory, category

ADD_URL = "admin:donations_receipt_add"


@pytest.fixture
def staff_en(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


@pytest.fixture
def clerk(db, django_user_model):
    """A staff user who may look at receipts but holds no other permission."""
    user = django_user_model.objects.create_user(username="clerk", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_receipt", content_type__app_label="donations"))
    return user


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def pledge(open_campaign):
    return pledge_create(
        campaign=open_campaign,
        donor=DonorData(kind="individual", full_name="Trần Thị Bình", phone="0912345678", public_display="masked"),
        pledge=PledgeData(kind="cash", amount=1_000_000),
    )


def form_data(campaign, **overrides) -> dict:
    data = {
        "campaign": campaign.pk,
        "channel": "cash_desk",
        "pledge_reference": "",
        "public_name": "Nhà hảo tâm",
        "amount": "",
        "received_at_0": "2024-09-10",
        "received_at_1": "09:30",
        "note": "",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "5",
    }
    for n in range(5):
        data.update({f"items-{n}-category": "", f"items-{n}-quantity": "", f"items-{n}-estimated_value": ""})
    data.update(overrides)
    return data


def record_cash(campaign, user, *, pledge=None, amount=1_000_000) -> Receipt:
    return receipt_record(campaign=campaign, channel="cash_desk", recorded_by=user, amount=amount, pledge=pledge)


# --- add: the cash desk and the goods drop-off -----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount", "status"),
    [("1.000.000", 1_000_000, "received"), ("400.000", 400_000, "partly_received")],
)
def test_cash_desk_receipt_against_a_pledge_reference(staff_en, admin_user, pledge, typed, amount, status):
    # given a pledge of 1.000.000 ₫ whose donor comes to the cash desk
    # when staff record the cash against the pledge reference, typed loosely
    response = staff_en.post(
        reverse(ADD_URL),
        form_data(pledge.campaign, pledge_reference=f" {pledge.reference.lower()} ", amount=typed, note="Quầy số 1"),
    )

    # then exactly one receipt holds the exact amount, recorded by the staff member
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.kind, receipt.channel) == (amount, "cash", "cash_desk")
    assert (receipt.pledge, receipt.donor, receipt.recorded_by) == (pledge, pledge.donor, admin_user)
    assert receipt.public_name == "Trần T. B."
    assert receipt.note == "Quầy số 1"
    assert timezone.localtime(receipt.received_at).strftime("%d/%m/%Y %H:%M") == "10/09/2024 09:30"
    # and the pledge follows the money
    assert Pledge.objects.get(pk=pledge.pk).status == status
    # and staff land on the new receipt
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:donations_receipt_change", args=[receipt.pk])


def test_unknown_reference_is_a_field_error_and_nothing_is_saved(staff_en, pledge):
    # given a reference no pledge has
    # when staff record cash against it
    response = staff_en.post(
        reverse(ADD_URL), form_data(pledge.campaign, pledge_reference="ZZZZ2222", amount="500.000")
    )

    # then the form comes back with the error on the reference field and nothing is written
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["pledge_reference"] == ["No pledge has the reference ZZZZ2222."]
    assert Receipt.objects.count() == 0
    assert Pledge.objects.get(pk=pledge.pk).status == "pledged"


def test_a_service_error_lands_on_the_field_it_names(staff_en, pledge):
    # given a pledge of one campaign and another active campaign chosen on the form
    other = CampaignFactory()
    ReceivingAccountFactory(campaign=other)

    # when staff record cash for the other campaign against that pledge
    response = staff_en.post(reverse(ADD_URL), form_data(other, pledge_reference=pledge.reference, amount="200.000"))

    # then receipt_record's error is shown on the reference field, not as a server error
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["pledge_reference"] == ["This pledge belongs to another campaign."]
    assert Receipt.objects.count() == 0


def test_goods_drop_off_by_a_walk_in_donor(admin_client, open_campaign):
    # given a walk-in donor who brings rice and water and wants to be listed by name
    rice, water = category("rice"), category("drinking-water")

    # when staff record the goods lines, typing quantities the Vietnamese way (the default UI language)
    response = admin_client.post(reverse(ADD_URL), form_data(
        open_campaign, channel="goods", public_name="Tổ dân phố số 5",
        **{"items-0-category": rice.pk, "items-0-quantity": "1.500", "items-0-estimated_value": "30.000.000",
           "items-2-category": water.pk, "items-2-quantity": "12,5"},
    ))

    # then one goods receipt holds exactly those lines under the name given
    assert response.status_code == 302
    receipt = Receipt.objects.get()
    assert (receipt.kind, receipt.amount, receipt.channel, receipt.pledge) == ("goods", None, "goods", None)
    assert receipt.public_name == "Tổ dân phố số 5"
    lines = {(i.category.slug, i.quantity, i.estimated_value) for i in ReceiptItem.objects.filter(receipt=receipt)}
    assert lines == {("rice", Decimal("1500"), 30_000_000), ("drinking-water", Decimal("12.5"), None)}


@pytest.mark.parametrize(
    ("language", "typed", "quantity"),
    [("vi", "1.500", "1500"), ("vi", "12,5", "12.5"), ("vi", "2.5", "2.5"), ("vi", "1.500,25", "1500.25"),
     ("en", "1,500", "1500"), ("en", "2.5", "2.5"), ("en", "1,500.25", "1500.25")],
)
def test_quantities_are_read_as_typed_in_the_ui_language(language, typed, quantity):
    from ledger.forms import QuantityField

    with translation.override(language):
        assert QuantityField().clean(typed) == Decimal(quantity)


def test_cash_desk_without_an_amount_saves_nothing(staff_en, open_campaign):
    response = staff_en.post(reverse(ADD_URL), form_data(open_campaign, amount=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"] == ["Enter the amount of cash received."]
    assert Receipt.objects.count() == 0


def test_staff_without_add_permission_cannot_record(clerk_client, open_campaign):
    assert clerk_client.get(reverse(ADD_URL)).status_code == 403
    assert clerk_client.post(reverse(ADD_URL), form_data(open_campaign, amount="100.000")).status_code == 403
    assert Receipt.objects.count() == 0


# --- append-only -----------------------------------------------------------------------------------


def test_a_receipt_cannot_be_changed_or_deleted(staff_en, admin_user, pledge):
    # given a recorded receipt
    receipt = record_cash(pledge.campaign, admin_user, pledge=pledge)

    # when staff try to delete it, or post a change to it
    delete = staff_en.post(reverse("admin:donations_receipt_delete", args=[receipt.pk]), {"post": "yes"})
    change = staff_en.post(
        reverse("admin:donations_receipt_change", args=[receipt.pk]),
        {"public_name": "Someone else", "amount": "1", "note": "edited"},
    )

    # then both are refused and the entry is exactly as recorded
    assert delete.status_code == 403
    assert change.status_code == 403
    stored = Receipt.objects.get(pk=receipt.pk)
    assert (stored.amount, stored.public_name, stored.note) == (1_000_000, "Trần T. B.", "")
    # and the change page is read-only, the list offers no bulk delete
    page = staff_en.get(reverse("admin:donations_receipt_change", args=[receipt.pk])).content.decode()
    assert 'name="_save"' not in page and "deletelink" not in page
    listing = staff_en.get(reverse("admin:donations_receipt_changelist")).content.decode()
    assert "delete_selected" not in listing
    assert receipt.number in listing and "1.000.000 ₫" in listing


# --- reversal ----------------------------------------------------------------------------------------


def test_reverse_creates_a_negative_entry_and_reopens_the_pledge(staff_en, admin_user, pledge):
    # given a cash receipt that settled a pledge
    original = record_cash(pledge.campaign, admin_user, pledge=pledge)
    assert Pledge.objects.get(pk=pledge.pk).status == "received"
    page = staff_en.get(reverse("admin:donations_receipt_change", args=[original.pk])).content.decode()
    reverse_url = reverse("admin:donations_receipt_reverse", args=[original.pk])
    assert reverse_url in page

    # when staff reverse it with a reason
    response = staff_en.post(reverse_url, {"reason": "Nhập trùng hai lần"}, follow=True)

    # then a negative entry points at the original, which stays as it was
    reversal = Receipt.objects.get(reverses=original)
    assert (reversal.amount, reversal.reason, reversal.recorded_by) == (-1_000_000, "Nhập trùng hai lần", admin_user)
    assert Receipt.objects.get(pk=original.pk).amount == 1_000_000
    assert Receipt.objects.count() == 2
    # and the pledge is back to pledged
    assert Pledge.objects.get(pk=pledge.pk).status == "pledged"
    # and staff land on the reversal with a success message
    assert response.redirect_chain[-1][0] == reverse("admin:donations_receipt_change", args=[reversal.pk])
    assert f"Receipt {original.number} was reversed by {reversal.number}." in response.content.decode()


def test_reverse_needs_a_reason_and_happens_once(staff_en, admin_user, pledge):
    original = record_cash(pledge.campaign, admin_user, pledge=pledge)
    url = reverse("admin:donations_receipt_reverse", args=[original.pk])

    # a blank reason is refused
    response = staff_en.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert Receipt.objects.count() == 1

    # a second reversal, or the reversal of a reversal, is refused with a message
    staff_en.post(url, {"reason": "Sai số tiền"})
    reversal = Receipt.objects.get(reverses=original)
    again = staff_en.post(url, {"reason": "again"}, follow=True)
    assert f"Receipt {original.number} has already been reversed." in again.content.decode()
    of_reversal = staff_en.post(
        reverse("admin:donations_receipt_reverse", args=[reversal.pk]), {"reason": "x"}, follow=True
    )
    assert "A reversal cannot itself be reversed." in of_reversal.content.decode()
    assert Receipt.objects.count() == 2


def test_reverse_requires_the_add_receipt_permission(clerk_client, admin_user, pledge):
    original = record_cash(pledge.campaign, admin_user, pledge=pledge)

    response = clerk_client.post(reverse("admin:donations_receipt_reverse", args=[original.pk]), {"reason": "x"})

    assert response.status_code == 403
    assert Receipt.objects.count() == 1
    page = clerk_client.get(reverse("admin:donations_receipt_change", args=[original.pk])).content.decode()
    assert reverse("admin:donations_receipt_reverse", args=[original.pk]) not in page


# --- acknowledgement ---------------------------------------------------------------------------------


def test_acknowledgement_shows_number_amount_and_the_donors_name(staff_en, admin_user, pledge):
    # given a cash receipt of 1.000.000 ₫ for a donor who is masked in public
    receipt = record_cash(pledge.campaign, admin_user, pledge=pledge)

    # when staff open the printable acknowledgement
    response = staff_en.get(reverse("admin:donations_receipt_acknowledgement", args=[receipt.pk]))

    # then it carries the number, the exact amount, the donor's real name and the headings
    page = response.content.decode()
    assert response.status_code == 200
    assert receipt.number in page
    assert "1.000.000 ₫" in page
    assert "Trần Thị Bình" in page
    assert pledge.campaign.name in page
    assert "GIẤY XÁC NHẬN ỦNG HỘ" in page
    assert "BAN CỨU TRỢ TRUNG ƯƠNG" in page and "Độc lập - Tự do - Hạnh phúc" in page
    # and it is self-contained: a local stylesheet, nothing fetched from elsewhere
    assert "/static/css/acknowledgement.css" in page
    assert 'href="http' not in page and 'src="http' not in page and "<script src" not in page


def test_acknowledgement_of_goods_lists_the_lines(staff_en, admin_user, open_campaign):
    from ledger.services import ItemLine

    receipt = receipt_record(
        campaign=open_campaign, channel="goods", recorded_by=admin_user, public_name="Nhà hảo tâm",
        items=[ItemLine(category=category("rice"), quantity=Decimal("1500.5"), estimated_value=30_000_000)],
    )

    page = staff_en.get(reverse("admin:donations_receipt_acknowledgement", args=[receipt.pk])).content.decode()

    assert "1.500,5" in page and "30.000.000 ₫" in page and "Nhà hảo tâm" in page


def test_acknowledgement_is_for_staff_only(client, admin_user, pledge):
    receipt = record_cash(pledge.campaign, admin_user, pledge=pledge)

    response = client.get(reverse("admin:donations_receipt_acknowledgement", args=[receipt.pk]))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
