"""The pledge page follows what came in: what is left to pay, or that nothing more is needed.

The amount line, the VietQR payload and both QR images ask for the remainder (the pledged amount
minus the cash in the receipts ledger), so a donor who scans again never overpays.
"""

import html
import io

import pytest
import zxingcpp
from PIL import Image

from donations.services import pledge_cancel, receipt_record, receipt_reverse
from donations.vietqr import parse_tlv, qr_svg, vietqr_payload
from tests.factories import PledgeFactory


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def page_of(client, pledge) -> str:
    return html.unescape(client.get(pledge.get_absolute_url()).content.decode())


def paid(pledge, amount: int, user):
    return receipt_record(campaign=pledge.campaign, channel="cash_desk", amount=amount, pledge=pledge, recorded_by=user)


def test_partly_paid_pledge_says_what_is_left(en_client, open_campaign, admin_user):
    # given a pledge of 500.000 ₫ of which 200.000 ₫ arrived at the cash desk
    pledge = PledgeFactory(campaign=open_campaign, amount=500_000)
    paid(pledge, 200_000, admin_user)

    # when the donor opens the pledge
    page = page_of(en_client, pledge)

    # then it says how much came in and what remains, and still shows how to pay
    assert ("200.000 ₫ has been received so far. To complete your pledge, transfer the remaining "
            "300.000 ₫ with the same transfer content.") in page
    assert 'data-testid="vietqr"' in page


def test_received_pledge_shows_no_payment_instructions(en_client, open_campaign, admin_user):
    # given a pledge paid in full (and a little more)
    pledge = PledgeFactory(campaign=open_campaign, amount=500_000)
    paid(pledge, 550_000, admin_user)

    page = page_of(en_client, pledge)

    # then the donor reads that 550.000 ₫ arrived and is not asked to pay again
    assert "The committee has confirmed that 550.000 ₫ reached the campaign's account." in page
    assert "Nothing more is needed from you." in page
    assert 'data-testid="vietqr"' not in page
    assert "Transfer with your banking app" not in page
    assert "data-copy=" not in page


@pytest.mark.parametrize(
    ("received", "status", "amount_line", "tag_54"),
    [
        pytest.param([], "pledged", "Amount</dt>", "200000", id="pledged"),
        pytest.param([100_000], "partly_received", "Amount still to transfer</dt>", "100000", id="partly-received"),
        pytest.param([30_000, 45_500], "partly_received", "Amount still to transfer</dt>", "124500", id="two-receipts"),
    ],
)
def test_the_amount_line_the_payload_and_both_qr_images_ask_for_the_remainder(
    en_client, open_campaign, account, admin_user, received, status, amount_line, tag_54
):
    # given a pledge of 200.000 ₫ and what the receipts ledger holds for it
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)
    for amount in received:
        paid(pledge, amount, admin_user)
    remaining = int(tag_54)
    expected = vietqr_payload(
        bank_bin="970436", account_number="0011001932418", amount=remaining, purpose=pledge.transfer_content
    )

    # when the donor opens the page and its QR images
    page = page_of(en_client, pledge)
    png = en_client.get(f"/pledges/{pledge.reference}/qr.png")
    svg = en_client.get(f"/pledges/{pledge.reference}/qr.svg")

    # then the status, the amount line and the amount to copy are the remainder
    pledge.refresh_from_db()
    assert pledge.status == status
    shown = f"{remaining:,}".replace(",", ".") + " ₫"
    assert f'{amount_line}<dd class="big">{shown}</dd>' in page
    assert f'data-copy="{remaining}"' in page
    assert f'alt="VietQR code for a transfer of {shown}"' in page
    # and the PNG scans to the payload whose amount field (54) is the remainder, in whole đồng
    assert png.status_code == 200
    assert decode_qr(png.content) == expected
    assert parse_tlv(expected)["54"] == tag_54
    # and the SVG draws the same payload
    assert svg.status_code == 200
    assert svg.content == qr_svg(expected)


def test_a_reversed_receipt_puts_its_amount_back_in_the_qr(en_client, open_campaign, admin_user):
    # given a pledge of 200.000 ₫ with a receipt of 150.000 ₫ later reversed as a mistake
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)
    receipt = paid(pledge, 150_000, admin_user)
    receipt_reverse(receipt=receipt, reason="Ghi nhầm phiếu thu", recorded_by=admin_user)

    # when the QR is fetched
    payload = decode_qr(en_client.get(f"/pledges/{pledge.reference}/qr.png").content)

    # then it asks for the full 200.000 ₫ again and the page mentions no partial payment
    assert parse_tlv(payload)["54"] == "200000"
    assert 'data-testid="partly-received-note"' not in page_of(en_client, pledge)


def test_a_received_pledge_has_no_qr_images(en_client, open_campaign, admin_user):
    # given a pledge of 200.000 ₫ paid in two parts
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)
    paid(pledge, 100_000, admin_user)
    paid(pledge, 100_000, admin_user)

    # when its QR images are asked for, even as downloads
    # then there is nothing to scan: every variant is a 404
    for url in ("qr.png", "qr.svg", "qr.png?download=1"):
        assert en_client.get(f"/pledges/{pledge.reference}/{url}").status_code == 404


def test_a_cancelled_pledge_offers_nothing_to_copy_or_save(en_client, open_campaign, admin_user):
    # given a cash pledge the committee cancelled
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)
    pledge_cancel(pledge=pledge, reason="Nhà hảo tâm đăng ký trùng", cancelled_by=admin_user)

    # when the donor opens it
    page = page_of(en_client, pledge)

    # then there is no QR, nothing to copy and no image to save
    assert 'data-testid="cancelled-note"' in page
    assert 'data-testid="vietqr"' not in page
    assert "data-copy=" not in page
    assert 'data-testid="qr-download"' not in page
    # and none of its QR images exists, downloads included
    for url in ("qr.png", "qr.svg", "qr.png?download=1", "qr.svg?download=1"):
        assert en_client.get(f"/pledges/{pledge.reference}/{url}").status_code == 404


def receipt_rows(page: str) -> list[str]:
    """The donor's receipts table, one text line per row (tags dropped, spaces collapsed)."""
    import re

    section = page.split('data-testid="pledge-receipts"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr class="ledger-row[^"]*" data-testid="pledge-receipt">(.*?)</tr>', section, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_pledge_page_lists_the_donors_own_receipts_with_reversals(en_client, open_campaign, admin_user):
    # given a pledge of 500.000 ₫, paid at the desk in two parts, the first of which was reversed
    pledge = PledgeFactory(campaign=open_campaign, amount=500_000)
    other = PledgeFactory(campaign=open_campaign, amount=70_000)
    first = paid(pledge, 200_000, admin_user)
    second = paid(pledge, 150_000, admin_user)
    paid(other, 70_000, admin_user)  # someone else's receipt
    reversal = receipt_reverse(receipt=first, reason="Nhập nhầm", recorded_by=admin_user)

    # when the donor opens the pledge
    page = page_of(en_client, pledge)

    # then each of its receipts is listed, oldest first, the reversal beside what it corrects
    rows = receipt_rows(page)
    assert len(rows) == 3
    assert rows[0].startswith(f"{first.number} Reversed by {reversal.number} ")
    assert rows[0].endswith("Cash desk 200.000 ₫")
    assert rows[1].startswith(f"{second.number} ")
    assert rows[1].endswith("Cash desk 150.000 ₫")
    assert rows[2].startswith(f"{reversal.number} Reversal of {first.number} ")
    assert rows[2].endswith("Cash desk -200.000 ₫")
    # and the remainder follows the ledger: 500.000 − 150.000
    assert "transfer the remaining 350.000 ₫" in page


def test_a_pledge_with_nothing_received_says_where_its_receipts_will_appear(en_client, open_campaign):
    pledge = PledgeFactory(campaign=open_campaign, amount=100_000)

    page = page_of(en_client, pledge)

    assert receipt_rows(page) == []
    assert "Nothing has been recorded against this pledge yet." in page


def test_the_lookup_page_lists_the_receipts_too(en_client, open_campaign, admin_user):
    pledge = PledgeFactory(campaign=open_campaign, amount=100_000)
    receipt = paid(pledge, 100_000, admin_user)

    page = html.unescape(en_client.get("/pledges/lookup/", {"reference": pledge.reference}).content.decode())

    assert [row.split()[0] for row in receipt_rows(page)] == [receipt.number]
