"""Cancelling a pledge: a service with a reason, who and when kept on the pledge and in its history; an
admin action with a page asking why; the donor's page then says so and offers no QR code."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from donations.models import Pledge
from donations.services import (
    DonorData,
    PledgeData,
    pledge_cancel,
    pledge_create,
    receipt_record,
    receipt_reverse,
)

REASON = "Nhà hảo tâm gọi điện: đăng ký trùng hai lần"


def pledge_of(campaign, amount=500_000, name="Phạm Thị Dung") -> Pledge:
    return pledge_create(
        campaign=campaign, donor=DonorData(kind="individual", full_name=name, phone="0912345678"),
        pledge=PledgeData(kind="cash", amount=amount),
    )


@pytest.fixture
def pledge(open_campaign):
    return pledge_of(open_campaign)


def refusal(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


# --- the service -------------------------------------------------------------------------------


def test_a_cancelled_pledge_keeps_who_when_and_why(pledge, central):
    before = timezone.now()

    cancelled = pledge_cancel(pledge=pledge, reason=f"  {REASON} ", cancelled_by=central)

    pledge.refresh_from_db()
    assert (pledge.status, pledge.cancelled_by, pledge.cancellation_reason) == ("cancelled", central, REASON)
    assert before <= pledge.cancelled_at <= timezone.now()
    assert cancelled.pk == pledge.pk
    # and its history holds the step: who, why, status before and after
    newest, created = pledge.history.order_by("-history_id")
    assert (newest.history_type, newest.history_user, newest.history_change_reason) == ("~", central, REASON)
    changes = {c.field: (c.old, c.new) for c in newest.diff_against(created).changes}
    assert changes["status"] == ("pledged", "cancelled")
    assert changes["cancellation_reason"] == ("", REASON)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(pledge, central, english, reason):
    assert refusal(lambda: pledge_cancel(pledge=pledge, reason=reason, cancelled_by=central)) == {
        "reason": ["Say why the pledge is cancelled."]}
    pledge.refresh_from_db()
    assert (pledge.status, pledge.cancelled_at) == ("pledged", None)


def test_a_pledge_with_receipts_is_not_cancelled_until_they_are_reversed(pledge, central, english):
    # given 200.000 ₫ received at the cash desk against the pledge
    receipt = receipt_record(campaign=pledge.campaign, channel="cash_desk", amount=200_000, pledge=pledge,
                             recorded_by=central)

    refused = refusal(lambda: pledge_cancel(pledge=pledge, reason=REASON, cancelled_by=central))
    pledge.refresh_from_db()
    status_while_received = pledge.status
    receipt_reverse(receipt=receipt, reason="Ghi nhầm phiếu", recorded_by=central)
    pledge_cancel(pledge=pledge, reason=REASON, cancelled_by=central)

    assert refused == {"status": [f"Pledge {pledge.reference} has receipts: reverse them before cancelling it."]}
    assert status_while_received == "partly_received"
    pledge.refresh_from_db()
    assert pledge.status == "cancelled"


def test_a_pledge_is_cancelled_once(pledge, central):
    pledge_cancel(pledge=pledge, reason=REASON, cancelled_by=central)
    first = Pledge.objects.values("cancelled_at", "cancellation_reason").get(pk=pledge.pk)

    with translation.override("vi"):
        refused = refusal(lambda: pledge_cancel(pledge=pledge, reason="Lần hai", cancelled_by=central))
    with translation.override("en"):
        refused_en = refusal(lambda: pledge_cancel(pledge=pledge, reason="Lần hai", cancelled_by=central))

    assert refused == {"status": [f"Đăng ký ủng hộ {pledge.reference} đã bị hủy trước đó."]}
    assert refused_en == {"status": [f"Pledge {pledge.reference} is already cancelled."]}
    assert Pledge.objects.values("cancelled_at", "cancellation_reason").get(pk=pledge.pk) == first


def test_nothing_is_received_against_a_cancelled_pledge_even_from_a_page_opened_before(pledge, central, english):
    # given the cash desk's page loaded the pledge before another member of staff cancelled it
    seen_at_the_desk = Pledge.objects.get(pk=pledge.pk)
    pledge_cancel(pledge=pledge, reason=REASON, cancelled_by=central)

    refused = refusal(lambda: receipt_record(
        campaign=pledge.campaign, channel="cash_desk", amount=500_000, pledge=seen_at_the_desk, recorded_by=central))

    assert refused == {"pledge": ["This pledge was cancelled."]}
    assert not pledge.receipts.exists()


# --- the admin: an action with a page asking why, a button on the pledge -----------------------


def test_the_action_asks_why_then_cancels_each_pledge_it_can(open_campaign, central, staff_client):
    # given two pledges, one of them already paid in part
    first, paid = pledge_of(open_campaign, 300_000), pledge_of(open_campaign, 700_000, name="Võ Văn Em")
    receipt_record(campaign=open_campaign, channel="cash_desk", amount=100_000, pledge=paid, recorded_by=central)
    client = staff_client(central)
    changelist = reverse("admin:donations_pledge_changelist")
    selected = {"action": "cancel_pledges", "_selected_action": [first.pk, paid.pk]}

    # when central staff pick "cancel" for both on the list
    asked = client.post(changelist, {**selected, "index": "0"})
    # and confirm without a reason, then with one
    no_reason = client.post(changelist, {**selected, "confirm": "yes", "reason": " "})
    done = client.post(changelist, {**selected, "confirm": "yes", "reason": REASON}, follow=True)

    # then the page asked for the reason, listing both; nothing happened without one
    page = asked.content.decode()
    assert asked.status_code == 200 and 'name="reason"' in page
    assert first.reference in page and paid.reference in page and "300.000 ₫" in page
    assert no_reason.status_code == 200 and "This field is required." in no_reason.content.decode()
    # and with it the first is cancelled, the paid one refused with the reason why
    first.refresh_from_db(), paid.refresh_from_db()
    assert (first.status, first.cancellation_reason, first.cancelled_by) == ("cancelled", REASON, central)
    assert paid.status == "partly_received"
    texts = [str(m) for m in done.context["messages"]]
    assert texts == [
        f"Pledge {paid.reference} has receipts: reverse them before cancelling it.",
        f"Pledge {first.reference} was cancelled.",
    ]


def test_the_pledge_page_offers_cancelling_and_then_shows_who_when_why(pledge, central, staff_client):
    client = staff_client(central)
    change_url = reverse("admin:donations_pledge_change", args=[pledge.pk])
    cancel_url = reverse("admin:donations_pledge_cancel", args=[pledge.pk])

    before = client.get(change_url).content.decode()
    response = client.post(cancel_url, {"confirm": "yes", "reason": REASON})
    after = client.get(change_url).content.decode()

    assert cancel_url in before
    assert response.status_code == 302 and response["Location"] == change_url
    assert cancel_url not in after
    assert REASON in after and "trunguong" in after and "Cancelled" in after


def test_auditors_cannot_cancel(pledge, auditor, staff_client):
    client = staff_client(auditor)

    page = client.get(reverse("admin:donations_pledge_changelist")).content.decode()
    refused = client.post(reverse("admin:donations_pledge_cancel", args=[pledge.pk]), {"confirm": "yes", "reason": "x"})

    assert "cancel_pledges" not in page
    assert refused.status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == "pledged"


# --- the donor's page --------------------------------------------------------------------------


def test_the_donors_page_says_cancelled_and_offers_no_qr_code(en_client, pledge, central):
    # before: the page shows the QR code to pay with
    assert 'data-testid="vietqr"' in en_client.get(pledge.get_absolute_url()).content.decode()

    pledge_cancel(pledge=pledge, reason=REASON, cancelled_by=central)
    page = en_client.get(pledge.get_absolute_url()).content.decode()
    lookup = en_client.get(reverse("donations:pledge_lookup"), {"reference": pledge.reference}).content.decode()
    qr = en_client.get(reverse("donations:pledge_qr", args=[pledge.reference, "png"]))

    cancelled_on = timezone.localtime(Pledge.objects.get(pk=pledge.pk).cancelled_at).strftime("%d/%m/%Y")
    for shown in (page, lookup):
        assert 'data-testid="cancelled-note"' in shown
        assert (f"The committee cancelled this pledge on {cancelled_on}. Please do not transfer money or bring "
                "goods for it.") in shown
        assert 'data-testid="vietqr"' not in shown and pledge.transfer_content not in shown
        assert REASON not in shown  # staff's reason stays with staff
    assert "Thank you for your pledge" not in page and "Pledge cancelled" in page
    assert qr.status_code == 404
