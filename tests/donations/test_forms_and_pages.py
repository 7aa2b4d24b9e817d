"""The donor's pages through the Django test client: campaign, donate form, confirmation, QR codes, lookup.

Messages are checked against their English text (the msgids) by choosing English with the
language cookie, so the assertions hold whether or not the Vietnamese catalogue exists yet.
"""

import html
import io
import re

import pytest
import zxingcpp
from PIL import Image

from campaigns.models import Province
from donations.models import Donor, Pledge, PledgeItem
from donations.selectors import pledge_vietqr
from tests.factories import CampaignFactory, ReceivingAccountFactory, category, province

REFERENCE_RE = r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}"


# --- helpers ---------------------------------------------------------------------------------------


def donate_url(campaign) -> str:
    return f"/campaigns/{campaign.slug}/donate/"


def form_data(**overrides) -> dict:
    """What a browser posts for a cash pledge by an individual, with 3 empty item lines."""
    data = {
        "donor_kind": "individual",
        "full_name": "Nguyễn Văn An",
        "organization_name": "",
        "tax_code": "",
        "phone": "0912 345 678",
        "email": "an.nguyen@example.vn",
        "address": "12 Ngõ Huế, Hai Bà Trưng",
        "province": str(province("01").pk),
        "public_display": "masked",
        "kind": "cash",
        "amount": "500.000",
        "message": "Chung tay cùng bà con vùng lũ.",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "20",
    }
    for n in range(3):
        data.update({f"items-{n}-category": "", f"items-{n}-quantity": "", f"items-{n}-estimated_value": ""})
    data.update(overrides)
    return data


def field_block(content: str, name: str) -> str:
    """The rendered block of one form field: label, widget, errors (templates/donations/_field.html)."""
    match = re.search(rf'<(div|fieldset) class="field[^"]*" id="field-{re.escape(name)}"[^>]*>(.*?)</\1>', content, re.S)
    assert match, f"no field block for {name}"
    return match.group(2)


def errors_in(block: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'<li class="error">(.*?)</li>', block, re.S)]


def text(response) -> str:
    return html.unescape(response.content.decode())


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def pledge_cash(client, campaign, **overrides) -> Pledge:
    response = client.post(donate_url(campaign), form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    reference = re.fullmatch(rf"/pledges/({REFERENCE_RE})/", response["Location"]).group(1)
    return Pledge.objects.get(reference=reference)


# --- language --------------------------------------------------------------------------------------


def test_pages_are_vietnamese_by_default(client, open_campaign):
    # given a visitor with no language cookie
    # when they open the home page
    response = client.get("/")

    # then the page declares Vietnamese
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_the_language_cookie_switches_to_english(en_client, open_campaign):
    response = en_client.get("/")
    assert '<html lang="en">' in response.content.decode()
    assert "Relief campaigns" in text(response)


# --- home and campaign page ------------------------------------------------------------------------


def test_home_lists_the_active_campaign(en_client, open_campaign):
    # given an active campaign and a draft one
    CampaignFactory(name="Bản nháp chưa công bố", draft=True)

    # when the home page is opened
    response = en_client.get("/")

    # then the active campaign is listed with its target and a donate link; the draft is not
    content = text(response)
    assert response.status_code == 200
    assert "Ủng hộ đồng bào bị ảnh hưởng bởi bão số 3" in content
    assert f'href="/campaigns/{open_campaign.slug}/"' in content
    assert f'href="/campaigns/{open_campaign.slug}/donate/"' in content
    assert "Target 1,297 tỷ đồng" in content
    assert "Bản nháp chưa công bố" not in content


def test_campaign_page_shows_account_dropoffs_and_a_qr_to_itself(en_client, open_campaign):
    # when the campaign page is opened
    response = en_client.get(f"/campaigns/{open_campaign.slug}/")

    # then it shows where to transfer and where to bring goods
    content = text(response)
    assert response.status_code == 200
    assert "Vietcombank — Ngân hàng TMCP Ngoại thương Việt Nam" in content
    assert '<dd class="mono">0011001932418</dd>' in content
    assert "<dd>Ban Cứu trợ Trung ương</dd>" in content
    assert "Trụ sở Ủy ban Trung ương MTTQ Việt Nam" in content
    assert "46 Tràng Thi, Hoàn Kiếm, Hà Nội" in content
    assert "Ủy ban MTTQ tỉnh Thái Nguyên" in content
    assert "1.297.000.000 ₫" in content
    # and a QR code image for sharing the page
    assert f'<img src="/campaigns/{open_campaign.slug}/qr.png"' in content
    assert f"http://testserver/campaigns/{open_campaign.slug}/" in content

    # when the QR image is fetched
    qr = en_client.get(f"/campaigns/{open_campaign.slug}/qr.png")

    # then it is a PNG that scans to the page's absolute address
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/png"
    assert qr.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_qr(qr.content) == f"http://testserver/campaigns/{open_campaign.slug}/"


def test_draft_campaign_page_is_not_found(client, db):
    draft = CampaignFactory(draft=True)
    assert client.get(f"/campaigns/{draft.slug}/").status_code == 404
    assert client.get(f"/campaigns/{draft.slug}/qr.png").status_code == 404
    assert client.get(f"/campaigns/{draft.slug}/donate/").status_code == 404


# --- cash pledge -----------------------------------------------------------------------------------


def test_cash_pledge_redirects_to_the_transfer_instructions(en_client, open_campaign):
    # given the donate form
    assert en_client.get(donate_url(open_campaign)).status_code == 200

    # when an individual pledges 500.000 ₫
    response = en_client.post(donate_url(open_campaign), form_data())

    # then they are sent to their pledge's page
    assert response.status_code == 302
    reference = re.fullmatch(rf"/pledges/({REFERENCE_RE})/", response["Location"]).group(1)
    pledge = Pledge.objects.select_related("donor").get(reference=reference)
    assert (pledge.kind, pledge.amount, pledge.source) == ("cash", 500_000, "web")
    assert pledge.message == "Chung tay cùng bà con vùng lũ."
    assert pledge.donor.phone == "0912345678"
    assert pledge.donor.province == province("01")

    # when they follow the redirect
    page = en_client.get(response["Location"])

    # then the page shows everything needed to make the transfer
    content = text(page)
    assert page.status_code == 200
    assert "Thank you for your pledge" in content
    assert f'data-testid="reference">{reference}</dd>' in content
    assert '<dd class="big">500.000 ₫</dd>' in content
    assert "Vietcombank — Ngân hàng TMCP Ngoại thương Việt Nam" in content
    assert '<dd class="mono big">0011001932418</dd>' in content
    assert "<dd>Ban Cứu trợ Trung ương</dd>" in content
    assert f'data-testid="transfer-content">{open_campaign.code} {reference}</dd>' in content
    assert "<dd>Nguyễn V. A.</dd>" in content
    assert f'<img src="/pledges/{reference}/qr.png"' in content
    assert f'href="/pledges/{reference}/qr.svg?download=1"' in content


def test_pledge_qr_png_scans_to_the_vietqr_payload(client, open_campaign, account):
    # given a cash pledge of 500.000 ₫
    pledge = pledge_cash(client, open_campaign)

    # when its QR code is fetched
    response = client.get(f"/pledges/{pledge.reference}/qr.png")

    # then it scans to exactly the VietQR payload for the campaign's account
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    payload = decode_qr(response.content)
    assert payload == pledge_vietqr(pledge=pledge, account=account)
    assert "0006970436" in payload  # Vietcombank BIN
    assert "01130011001932418" in payload  # the account number
    assert "5406500000" in payload  # amount: 500.000 ₫
    assert f"0815{pledge.transfer_content}" in payload  # purpose: the transfer content


def test_pledge_qr_svg(client, open_campaign):
    pledge = pledge_cash(client, open_campaign)

    response = client.get(f"/pledges/{pledge.reference}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_goods_pledge_has_no_vietqr(client, open_campaign):
    pledge = pledge_cash(client, open_campaign, kind="goods", amount="", **{
        "items-0-category": str(category("rice").pk), "items-0-quantity": "50",
    })
    assert client.get(f"/pledges/{pledge.reference}/qr.png").status_code == 404
    assert client.get("/pledges/ZZZZ2222/qr.png").status_code == 404


# --- goods pledge ----------------------------------------------------------------------------------


def test_organisation_goods_pledge_lists_dropoffs_in_its_province_first(en_client, open_campaign):
    # given drop-off points in Hà Nội and Thái Nguyên (Hà Nội sorts first by name)
    # when an organisation in Thái Nguyên pledges two kinds of goods
    response = en_client.post(donate_url(open_campaign), form_data(**{
        "donor_kind": "organization",
        "organization_name": "Công ty TNHH Vận tải Hoàng Long",
        "tax_code": "0201567890",
        "full_name": "Trần Thị Hạnh",
        "province": str(province("19").pk),
        "public_display": "full",
        "kind": "goods",
        "amount": "",
        "items-0-category": str(category("rice").pk),
        "items-0-quantity": "1500.5",
        "items-1-category": str(category("drinking-water").pk),
        "items-1-quantity": "20",
        "items-1-estimated_value": "2.000.000",
    }))

    # then the pledge is saved with exactly those items
    assert response.status_code == 302
    pledge = Pledge.objects.select_related("donor").get()
    assert pledge.kind == "goods" and pledge.amount is None
    assert pledge.donor.kind == Donor.Kind.ORGANIZATION
    assert pledge.donor.organization_name == "Công ty TNHH Vận tải Hoàng Long"
    assert sorted((i.category.slug, str(i.quantity), i.estimated_value) for i in pledge.items.all()) == [
        ("drinking-water", "20.000", 2_000_000), ("rice", "1500.500", None),
    ]

    # and the confirmation lists the goods and the Thái Nguyên drop-off point before Hà Nội's
    content = text(en_client.get(response["Location"]))
    assert f'data-testid="reference">{pledge.reference}</dd>' in content
    assert "<dd>Công ty TNHH Vận tải Hoàng Long</dd>" in content
    assert "<li>1.500,5 kg — Rice</li>" in content
    assert "<li>20 box — Bottled drinking water (about 2.000.000 ₫)</li>" in content
    assert "(those in Thái Nguyên first)" in content
    assert "Số 4 đường Đội Cấn, Thái Nguyên" in content
    assert content.index("Ủy ban MTTQ tỉnh Thái Nguyên") < content.index("Trụ sở Ủy ban Trung ương MTTQ Việt Nam")
    assert 'data-testid="vietqr"' not in content


def test_goods_pledge_without_province_lists_dropoffs_by_province_name(en_client, open_campaign):
    response = en_client.post(donate_url(open_campaign), form_data(**{
        "province": "", "kind": "goods", "amount": "",
        "items-0-category": str(category("rice").pk), "items-0-quantity": "10",
    }))

    assert response.status_code == 302
    content = text(en_client.get(response["Location"]))
    assert "first)" not in content
    assert content.index("Trụ sở Ủy ban Trung ương MTTQ Việt Nam") < content.index("Ủy ban MTTQ tỉnh Thái Nguyên")


# --- lookup ----------------------------------------------------------------------------------------


def test_lookup_by_reference_shows_status_but_no_contact_data(en_client, open_campaign):
    # given a cash pledge with contact data
    pledge = pledge_cash(
        en_client, open_campaign, phone="0987 654 321", email="hanh.tran@example.vn", address="99 Phố Huế"
    )

    # when someone looks it up by its reference typed in lower case with spaces
    typed = f" {pledge.reference[:4].lower()} {pledge.reference[4:].lower()} "
    response = en_client.get("/pledges/lookup/", {"reference": typed})

    # then the pledge is found with its status
    content = text(response)
    assert response.status_code == 200
    assert f'data-testid="reference">{pledge.reference}</dd>' in content
    assert '<span class="status status-pledged">Pledged</span>' in content
    assert '<dd class="big">500.000 ₫</dd>' in content
    # and none of the donor's contact data
    for private in ("0987654321", "0987 654 321", "hanh.tran@example.vn", "99 Phố Huế"):
        assert private not in content


def test_pledge_page_shows_no_contact_data(client, open_campaign):
    pledge = pledge_cash(client, open_campaign, phone="0987654321", email="hanh.tran@example.vn",
                         address="99 Phố Huế", public_display="anonymous")

    content = text(client.get(f"/pledges/{pledge.reference}/"))

    assert "<dd>Nhà hảo tâm</dd>" in content
    for private in ("0987654321", "hanh.tran@example.vn", "99 Phố Huế", "Nguyễn Văn An"):
        assert private not in content


def test_lookup_of_an_unknown_reference_is_a_404_with_a_message(en_client, db):
    # when someone looks up a reference nobody has
    response = en_client.get("/pledges/lookup/", {"reference": "zzzz2222"})

    # then they get a 404 page that says so and keeps what they typed
    content = text(response)
    assert response.status_code == 404
    assert "No pledge has this reference. Check the 8 characters and try again." in content
    assert 'value="zzzz2222"' in content


def test_pledge_page_of_an_unknown_reference_is_404(client, db):
    assert client.get("/pledges/ZZZZ2222/").status_code == 404


def test_empty_lookup_shows_the_form(en_client, db):
    response = en_client.get("/pledges/lookup/")
    assert response.status_code == 200
    assert 'name="reference"' in response.content.decode()
    assert "No pledge has this reference" not in text(response)


# --- bad input -------------------------------------------------------------------------------------

RICE = object()  # replaced by the rice category's id at run time

BAD_INPUT = [
    pytest.param(
        {"phone": "0212345678"}, "phone",
        "Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09.", 'value="0212345678"',
        id="landline-phone",
    ),
    pytest.param(
        {"phone": "abc"}, "phone",
        "Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 or 09.", 'value="abc"',
        id="letters-phone",
    ),
    pytest.param(
        {"email": "an@@example"}, "email", "Enter a valid email address.", 'value="an@@example"', id="email",
    ),
    pytest.param({"amount": "0"}, "amount", "The amount must be at least 1,000 đồng.", 'value="0"', id="amount-0"),
    pytest.param(
        {"amount": "-5"}, "amount", "Enter the amount in whole đồng, for example 500.000.", 'value="-5"',
        id="amount-negative",
    ),
    pytest.param(
        {"amount": "1000.5"}, "amount", "Enter the amount in whole đồng, for example 500.000.", 'value="1000.5"',
        id="amount-1000.5",
    ),
    pytest.param(
        {"amount": "1.5"}, "amount", "Enter the amount in whole đồng, for example 500.000.", 'value="1.5"',
        id="amount-fractional",
    ),
    pytest.param(
        {"amount": "999999999999999"}, "amount",
        "The amount cannot exceed 100,000,000,000 đồng; for larger gifts please contact the committee.",
        'value="999999999999999"', id="amount-absurd",
    ),
    pytest.param(
        {"amount": ""}, "amount", "Please enter the amount you will transfer.", 'value="Nguyễn Văn An"',
        id="amount-missing",
    ),
    pytest.param(
        {"full_name": "A" * 121}, "full_name", "Ensure this value has at most 120 characters (it has 121).",
        f'value="{"A" * 121}"', id="name-121-chars",
    ),
    pytest.param(
        {"full_name": "  "}, "full_name", "Please enter your full name.", 'value="0912 345 678"', id="name-missing",
    ),
    pytest.param(
        {"donor_kind": "organization", "organization_name": ""}, "organization_name",
        "Please enter the organisation's name.", 'value="0912 345 678"', id="organisation-name-missing",
    ),
    pytest.param(
        {"donor_kind": "organization", "organization_name": "Công ty Sao Mai", "tax_code": "12345"}, "tax_code",
        "A tax code is 10 digits, or 10 digits, a dash and 3 digits for a branch.", 'value="12345"',
        id="tax-code",
    ),
    pytest.param(
        {"message": "<script>alert(1)</script>"}, "message", "Please write plain text without HTML tags.",
        "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>", id="script-in-message",
    ),
    pytest.param(
        {"full_name": "<b>An</b>"}, "full_name", "Please write plain text without HTML tags.",
        'value="&lt;b&gt;An&lt;/b&gt;"', id="html-in-name",
    ),
    pytest.param(
        {"province": "999999"}, "province", "Choose a province from the list.", 'value="Nguyễn Văn An"',
        id="unknown-province-id",
    ),
    pytest.param(
        {"province": "abc"}, "province", "Choose a province from the list.", 'value="Nguyễn Văn An"',
        id="non-numeric-province-id",
    ),
    pytest.param(
        {"kind": "goods", "amount": ""}, "items", "Add at least one item you will bring.",
        '<input type="radio" name="kind" value="goods" id="id_kind_1" required checked>',
        id="goods-without-lines",
    ),
    pytest.param(
        {"kind": "goods", "amount": "", "items-0-category": RICE, "items-0-quantity": "0"}, "items-0-quantity",
        "The quantity must be greater than zero.", 'value="0"', id="goods-quantity-0",
    ),
    pytest.param(
        {"kind": "goods", "amount": "", "items-0-category": RICE, "items-0-quantity": "-3"}, "items-0-quantity",
        "The quantity must be greater than zero.", 'value="-3"', id="goods-quantity-negative",
    ),
    pytest.param(
        {"kind": "goods", "amount": "", "items-0-quantity": "10"}, "items-0-category", "Choose an item.",
        'value="10"', id="goods-line-without-item",
    ),
    pytest.param(
        {"kind": "goods", "amount": "", "items-0-category": "424242", "items-0-quantity": "10"},
        "items-0-category", "Choose an item from the list.", 'value="10"', id="goods-unknown-item",
    ),
    pytest.param(
        {"kind": "goods", "amount": "", "items-0-category": RICE, "items-0-quantity": "10",
         "items-0-estimated_value": "100.000.000.001"},
        "items-0-estimated_value", "This estimated value is too large.", 'value="100.000.000.001"',
        id="goods-estimate-absurd",
    ),
    pytest.param(
        {"kind": "bitcoin"}, "kind", "Select a valid choice. bitcoin is not one of the available choices.",
        'value="Nguyễn Văn An"', id="unknown-kind",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message", "preserved"), BAD_INPUT)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    en_client, open_campaign, overrides, field, message, preserved
):
    # given a donate form filled in with one bad value
    rice = str(category("rice").pk)
    data = form_data(**{k: rice if v is RICE else v for k, v in overrides.items()})
    before = (Donor.objects.count(), Pledge.objects.count(), PledgeItem.objects.count())

    # when it is submitted
    response = en_client.post(donate_url(open_campaign), data)

    # then the form comes back as a 400, never a 500, with the message next to the field
    content = response.content.decode()
    assert response.status_code == 400
    if field == "items":
        block = content[content.index('id="items"'):content.index("data-add-line")]
    else:
        block = field_block(content, field)
    assert message in errors_in(block)
    # and what the donor typed is still there
    assert preserved in content
    # and nothing was saved
    assert (Donor.objects.count(), Pledge.objects.count(), PledgeItem.objects.count()) == before == (0, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "summary"),
    [
        pytest.param(
            {"phone": "abc"},
            [("#id_phone", "Mobile phone: Enter a Vietnamese mobile number: 10 digits starting with 03, 05, 07, "
                           "08 or 09.")],
            id="donor-field",
        ),
        pytest.param(
            {"kind": "goods", "amount": ""}, [("#items", "Goods: Add at least one item you will bring.")],
            id="no-goods-lines",
        ),
        pytest.param(
            {"kind": "goods", "amount": "", "items-0-category": RICE, "items-0-quantity": "0"},
            [("#id_items-0-quantity", "Line 1 — Quantity: The quantity must be greater than zero.")],
            id="bad-goods-line",
        ),
        pytest.param(
            {"full_name": "", "phone": "", "amount": "1.5"},
            [
                ("#id_full_name", "Full name: Please enter your full name."),
                ("#id_phone", "Mobile phone: This field is required."),
                ("#id_amount", "Amount (đồng): Enter the amount in whole đồng, for example 500.000."),
            ],
            id="three-fields-in-page-order",
        ),
    ],
)
def test_a_rejected_form_lists_each_error_at_the_top_with_a_link_to_its_field(
    en_client, open_campaign, overrides, summary
):
    # given a form with mistakes
    rice = str(category("rice").pk)
    data = form_data(**{k: rice if v is RICE else v for k, v in overrides.items()})

    # when it is submitted
    response = en_client.post(donate_url(open_campaign), data)

    # then the top of the form says so and links each error to its field, in the order of the page
    content = text(response)
    assert response.status_code == 400
    top = content[content.index('<div class="error-summary"'):content.index('class="required-legend"')]
    assert '<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title"' in top
    assert '<h2 id="error-summary-title">Please correct the fields marked below.</h2>' in top
    assert re.findall(r'<li><a href="(#[^"]+)">(.*?)</a></li>', top) == summary
    # and every linked target exists on the page
    for anchor, _message in summary:
        assert f'id="{anchor[1:]}"' in content


def test_script_in_message_is_never_echoed_as_markup(en_client, open_campaign):
    response = en_client.post(donate_url(open_campaign), form_data(message="<script>alert(1)</script>"))
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.content.decode()


def test_province_of_the_old_map_is_not_offered(en_client, open_campaign):
    # given Yên Bái, a 2008 unit that no longer exists
    yen_bai = Province.objects.get(set="2008", code="15")

    # when it is posted as the donor's province
    response = en_client.post(donate_url(open_campaign), form_data(province=str(yen_bai.pk)))

    # then it is refused like any unknown choice
    assert response.status_code == 400
    assert errors_in(field_block(response.content.decode(), "province")) == ["Choose a province from the list."]
    assert Pledge.objects.count() == 0


def test_bad_goods_line_keeps_the_chosen_item_selected(en_client, open_campaign):
    rice = category("rice")
    response = en_client.post(donate_url(open_campaign), form_data(**{
        "kind": "goods", "amount": "", "items-0-category": str(rice.pk), "items-0-quantity": "0",
    }))
    block = field_block(response.content.decode(), "items-0-category")
    assert re.search(rf'<option value="{rice.pk}" selected data-unit="kg">', block)


def test_cash_campaign_without_account_is_reported_on_the_form(en_client, campaign):
    # given an active campaign with no receiving account
    # when someone pledges cash
    response = en_client.post(donate_url(campaign), form_data())

    # then the form explains and nothing is saved
    assert response.status_code == 400
    assert "This campaign has no receiving bank account yet." in text(response)
    assert Pledge.objects.count() == 0


def test_closed_campaign_does_not_accept_pledges(en_client, db):
    # given a closed campaign that still has an account
    closed = CampaignFactory(closed=True, name="Ủng hộ phòng, chống dịch COVID-19")
    ReceivingAccountFactory(campaign=closed)

    # when the donate page is opened
    page = en_client.get(donate_url(closed))

    # then it says donations are not accepted and offers no form
    assert page.status_code == 200
    assert "This campaign is not accepting donations." in text(page)
    assert "<form method=\"post\" class=\"donate-form\"" not in page.content.decode()

    # when a pledge is posted anyway
    response = en_client.post(donate_url(closed), form_data())

    # then nothing is saved and the same message is shown
    assert response.status_code == 200
    assert "This campaign is not accepting donations." in text(response)
    assert (Donor.objects.count(), Pledge.objects.count()) == (0, 0)

    # and the campaign page has no donate button
    assert f"/campaigns/{closed.slug}/donate/" not in en_client.get(f"/campaigns/{closed.slug}/").content.decode()
