"""The pledge page follows what came in: what is left to pay, or that nothing more is needed."""

from donations.services import receipt_record
from tests.factories import PledgeFactory


def test_partly_paid_pledge_says_what_is_left(en_client, open_campaign, admin_user):
    # given a pledge of 500.000 ₫ of which 200.000 ₫ arrived at the cash desk
    pledge = PledgeFactory(campaign=open_campaign, amount=500_000)
    receipt_record(campaign=open_campaign, channel="cash_desk", amount=200_000, pledge=pledge, recorded_by=admin_user)

    # when the donor opens the pledge
    page = en_client.get(pledge.get_absolute_url()).content.decode()

    # then it says how much came in and what remains, and still shows how to pay
    assert ("200.000 ₫ has been received so far. To complete your pledge, transfer the remaining "
            "300.000 ₫ with the same transfer content.") in page
    assert 'data-testid="vietqr"' in page


def test_received_pledge_shows_no_payment_instructions(en_client, open_campaign, admin_user):
    # given a pledge paid in full (and a little more)
    pledge = PledgeFactory(campaign=open_campaign, amount=500_000)
    receipt_record(campaign=open_campaign, channel="cash_desk", amount=550_000, pledge=pledge, recorded_by=admin_user)

    page = en_client.get(pledge.get_absolute_url()).content.decode()

    # then the donor reads that 550.000 ₫ arrived and is not asked to pay again
    assert "The committee has confirmed that 550.000 ₫ reached the campaign's account." in page
    assert 'data-testid="vietqr"' not in page
    assert "Transfer with your banking app" not in page
