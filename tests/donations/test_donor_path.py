"""The donor's own path on a phone: provinces in Vietnamese order, a form that says what it needs,
and a pledge page whose details can be copied and whose QR code can be saved to the gallery."""

import html
import io
import re
import unicodedata

import pytest
import zxingcpp
from PIL import Image

from campaigns.selectors import province_list_by_name
from campaigns.text import vietnamese_sort_key
from donations.vietqr import parse_tlv
from tests.factories import PledgeFactory, category


def text(response) -> str:
    return html.unescape(response.content.decode())


def donate_page(client, campaign, data=None):
    url = f"/campaigns/{campaign.slug}/donate/"
    return client.post(url, data) if data is not None else client.get(url)


def tag(content: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(rf'<[a-z]+ [^>]*id="{re.escape(element_id)}"[^>]*>', content)
    assert match, f"no element with id {element_id}"
    return match.group(0)


# --- Vietnamese order ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(["Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Điện Biên", "Đồng Nai", "Đồng Tháp"], id="d-bar"),
        pytest.param(["Hà Nội", "Hải Phòng", "Huế"], id="ha-noi-before-hue"),
        pytest.param(["Dung", "Đức"], id="d-before-d-bar"),
        pytest.param(["Uy", "Ưu"], id="u-before-u-horn"),
        pytest.param(["an", "ăn", "ân", "bơ"], id="a-breve-a-circumflex"),
        pytest.param(["Em", "Êm", "Om", "Ôm", "Ơm", "Pha"], id="e-o-circumflex-horn"),
        pytest.param(["Ma", "Mà", "Mả", "Mã", "Má", "Mạ", "Mai"], id="tones-are-secondary"),
        pytest.param(["an", "ạn", "Ân", "ẩn", "Ấn"], id="letter-before-tone"),
        pytest.param(["Nam Đàn", "Nam Định", "Nghệ An"], id="space-before-letters"),
    ],
)
def test_vietnamese_sort_key_orders_as_the_alphabet(names):
    # given names in Vietnamese order, shuffled (reversed, and rotated)
    # when sorted by the key
    # then they come back in the Vietnamese order, whatever order they came in
    assert sorted(reversed(names), key=vietnamese_sort_key) == names
    assert sorted(names[1:] + names[:1], key=vietnamese_sort_key) == names


def test_vietnamese_sort_key_is_not_the_code_point_order():
    names = ["Huế", "Hà Nội", "Điện Biên", "Đà Nẵng", "Uy", "Ưu", "Dung"]
    assert sorted(names) == ["Dung", "Huế", "Hà Nội", "Uy", "Điện Biên", "Đà Nẵng", "Ưu"]  # what a DB may do
    assert sorted(names, key=vietnamese_sort_key) == ["Dung", "Đà Nẵng", "Điện Biên", "Hà Nội", "Huế", "Uy", "Ưu"]


def test_vietnamese_sort_key_takes_composed_and_decomposed_text_alike():
    composed = "Đồng Tháp"
    decomposed = unicodedata.normalize("NFD", composed)
    assert vietnamese_sort_key(composed)[:3] == vietnamese_sort_key(decomposed)[:3]
    assert vietnamese_sort_key("")[:3] == ((), (), ())


TODAY_IN_VIETNAMESE_ORDER = [
    "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Nội", "Hà Tĩnh", "Hải Phòng", "Hồ Chí Minh", "Huế", "Hưng Yên", "Khánh Hòa",
    "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi", "Quảng Ninh",
    "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa", "Tuyên Quang", "Vĩnh Long",
]


def test_province_list_by_name_is_in_vietnamese_order(db):
    assert [p.name for p in province_list_by_name()] == TODAY_IN_VIETNAMESE_ORDER


def test_the_donate_form_offers_the_34_provinces_in_vietnamese_order(en_client, open_campaign):
    # when the donate form is opened
    content = text(donate_page(en_client, open_campaign))

    # then the province list starts with the prompt, then the 34 provinces of today in Vietnamese order
    select = content[content.index('<select name="province"'):]
    select = select[:select.index("</select>")]
    options = re.findall(r'<option value="(\d*)"[^>]*>(.*?)</option>', select)
    assert options[0] == ("", "— choose —")
    assert [name for _pk, name in options[1:]] == TODAY_IN_VIETNAMESE_ORDER


def test_a_province_chosen_on_a_rejected_form_stays_chosen(en_client, open_campaign):
    dong_thap = next(p for p in province_list_by_name() if p.name == "Đồng Tháp")
    content = text(donate_page(en_client, open_campaign, {"province": str(dong_thap.pk), "phone": "abc"}))
    assert f'<option value="{dong_thap.pk}" selected>Đồng Tháp</option>' in content


# --- the donate form -------------------------------------------------------------------------------


def test_phone_and_amount_open_a_numeric_keyboard(en_client, open_campaign):
    content = text(donate_page(en_client, open_campaign))

    phone = tag(content, "id_phone")
    assert 'type="tel"' in phone
    assert 'inputmode="tel"' in phone
    assert 'autocomplete="tel"' in phone
    amount = tag(content, "id_amount")
    assert 'inputmode="numeric"' in amount
    assert 'inputmode="decimal"' in tag(content, "id_items-0-quantity")


def test_required_fields_are_marked_with_an_asterisk_a_legend_and_attributes(en_client, open_campaign):
    # when an individual opens the form (the default choices: individual, cash)
    content = text(donate_page(en_client, open_campaign))

    # then a legend explains the asterisk
    assert ('<p class="required-legend">Fields marked <span class="req" aria-hidden="true">*</span> are required.</p>'
            in content)
    # and the phone, the name and the amount are required, marked and announced as such
    for name in ("phone", "full_name", "amount"):
        assert re.search(rf'<div class="field required" id="field-{name}">', content), name
        assert re.search(r"\srequired[\s>]", tag(content, f"id_{name}")), name
        assert 'aria-required="true"' in tag(content, f"id_{name}")
    # and the choices too
    for name in ("donor_kind", "public_display", "kind"):
        assert f'<fieldset class="field choices required" id="field-{name}">' in content
    # and the optional fields are not
    for name in ("email", "address", "province", "tax_code", "message"):
        assert f'<div class="field" id="field-{name}">' in content
        assert "required" not in tag(content, f"id_{name}")
    # and what depends on a choice says on which, for the page's script
    assert 'data-required-when="donor_kind=individual"' in tag(content, "id_full_name")
    assert 'data-required-when="donor_kind=organization"' in tag(content, "id_organization_name")
    assert 'data-required-when="kind=cash"' in tag(content, "id_amount")


def test_an_organisation_giving_goods_needs_its_name_but_not_a_person_or_an_amount(en_client, open_campaign):
    # when an organisation's form giving goods comes back (for a bad phone)
    content = text(donate_page(en_client, open_campaign, {
        "donor_kind": "organization", "organization_name": "Công ty Sao Mai", "kind": "goods", "phone": "abc",
    }))

    # then its name is required, the person's name and the amount are not

    assert '<div class="field required" id="field-organization_name">' in content
    assert 'aria-required="true"' in tag(content, "id_organization_name")
    for name in ("full_name", "amount"):
        assert f'<div class="field" id="field-{name}">' in content
        assert "aria-required" not in tag(content, f"id_{name}")


def test_invalid_fields_are_flagged_and_described_by_their_error(en_client, open_campaign):
    # when the form comes back with a bad phone and a bad amount
    content = text(donate_page(en_client, open_campaign, {"phone": "12", "amount": "abc", "full_name": "An"}))

    # then each bad field is aria-invalid and points at its message
    for name in ("phone", "amount"):
        widget = tag(content, f"id_{name}")
        assert 'aria-invalid="true"' in widget
        assert f'aria-describedby="id_{name}_error"' in widget
        assert re.search(rf'<ul class="errors" id="id_{name}_error"><li class="error">[^<]+</li></ul>', content)
    # and the good ones are not
    assert "aria-invalid" not in tag(content, "id_full_name")


def test_each_item_says_its_unit_in_its_name_and_in_a_data_attribute(en_client, open_campaign):
    content = text(donate_page(en_client, open_campaign))

    select = content[content.index('<select name="items-0-category"'):]
    select = select[:select.index("</select>")]
    assert re.findall(r'<option value="\d+" data-unit="([^"]+)">([^<]+)</option>', select) == [
        ("kg", "Rice (kg)"),
        ("box", "Instant noodles and ready food (box)"),
        ("box", "Bottled drinking water (box)"),
        ("set", "Medicine and medical supplies (set)"),
        ("set", "Household necessities (set)"),
        ("set", "Clothes (set)"),
        ("portion", "Gift packages (portion)"),
        ("piece", "Other goods (piece)"),
    ]
    # and an empty unit label sits beside each quantity, filled in by the page's script
    assert '<label class="unit" for="id_items-0-quantity" data-unit-label></label>' in content
    assert '<script src="/static/donations/donate-form.js"></script>' in content


def test_units_in_vietnamese(client, open_campaign):
    content = text(donate_page(client, open_campaign))
    assert re.search(r'<option value="\d+" data-unit="kg">Gạo \(kg\)</option>', content)


def test_a_rejected_goods_line_shows_the_unit_of_its_item_beside_the_quantity(en_client, open_campaign):
    water = category("drinking-water")
    content = text(donate_page(en_client, open_campaign, {
        "kind": "goods", "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0",
        "items-0-category": str(water.pk), "items-0-quantity": "0",
    }))
    assert '<label class="unit" for="id_items-0-quantity" data-unit-label>box</label>' in content
    assert '<label class="unit" for="id_items-1-quantity" data-unit-label></label>' in content


# --- the pledge page on a phone --------------------------------------------------------------------


def test_copy_buttons_carry_the_exact_values_with_labels_and_start_hidden(en_client, open_campaign, account):
    # given a pledge of 1.250.000 ₫
    pledge = PledgeFactory(campaign=open_campaign, amount=1_250_000)

    # when its page is opened
    content = text(en_client.get(pledge.get_absolute_url()))

    # then the account number, the amount in digits only and the transfer content can be copied
    buttons = re.findall(r'<button type="button" class="copy-button" ([^>]*)>Copy</button>'
                         r'<span class="copy-status" role="status" aria-live="polite"></span>', content)
    assert [dict(re.findall(r'([a-z-]+)="([^"]*)"', attrs)) for attrs in buttons] == [
        {"data-copy": value, "data-copied": "Copied", "data-copy-failed": "Press and hold the text to copy it",
         "aria-label": label}
        for value, label in [
            ("0011001932418", "Copy the account number"),
            ("1250000", "Copy the amount (digits only)"),
            (pledge.transfer_content, "Copy the transfer content"),
        ]
    ]
    # and the buttons stay hidden until the script shows them; the values are plain selectable text
    assert all(attrs.endswith(" hidden") for attrs in buttons)
    assert '<dd class="mono big">0011001932418</dd>' in content
    assert '<dd class="big">1.250.000 ₫</dd>' in content
    assert f'<dd class="mono big" data-testid="transfer-content">{pledge.transfer_content}</dd>' in content
    assert '<script src="/static/donations/copy.js"></script>' in content


def test_the_page_explains_saving_the_qr_and_links_to_the_png(en_client, open_campaign, account):
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)

    content = text(en_client.get(pledge.get_absolute_url()))

    assert ('<p class="phone-tip" data-testid="phone-tip">Paying from this phone? Save the QR image and open it '
            "from your gallery with your banking app's QR scanner, or copy each detail below into the app.</p>"
            ) in content
    assert (f'<a class="button-secondary" href="/pledges/{pledge.reference}/qr.png?download=1" '
            f'download="vietqr-{pledge.reference}.png" data-testid="qr-download">Save QR image</a>') in content


def test_the_page_explains_it_in_vietnamese(client, open_campaign, account):
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)

    content = text(client.get(pledge.get_absolute_url()))

    assert ("Bạn đang chuyển khoản bằng chính điện thoại này? Hãy lưu ảnh QR rồi mở ảnh từ thư viện bằng chức "
            "năng quét QR của ứng dụng ngân hàng, hoặc chép từng thông tin bên dưới vào ứng dụng.") in content
    assert ">Lưu ảnh QR</a>" in content
    assert 'aria-label="Chép số tài khoản"' in content
    assert 'data-copied="Đã chép"' in content


def test_the_lookup_page_has_the_same_copy_buttons(en_client, open_campaign, account):
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)

    content = text(en_client.get("/pledges/lookup/", {"reference": pledge.reference}))

    assert content.count('class="copy-button"') == 3
    assert 'data-copy="200000"' in content
    assert '<script src="/static/donations/copy.js"></script>' in content


@pytest.mark.parametrize(("fmt", "content_type"), [("png", "image/png"), ("svg", "image/svg+xml")])
def test_the_qr_download_is_an_attachment_named_after_the_reference(
    en_client, open_campaign, account, fmt, content_type
):
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)

    # when the QR is downloaded
    response = en_client.get(f"/pledges/{pledge.reference}/qr.{fmt}?download=1")

    # then the browser saves it under the pledge's name, and never keeps a stale amount
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="vietqr-{pledge.reference}.{fmt}"'
    assert response["Cache-Control"] == "private, no-cache"
    # and shown in the page (no download), it is not an attachment
    inline = en_client.get(f"/pledges/{pledge.reference}/qr.{fmt}")
    assert "Content-Disposition" not in inline
    assert inline.content == response.content


def test_the_downloaded_png_scans_to_the_amount_due(en_client, open_campaign, account):
    pledge = PledgeFactory(campaign=open_campaign, amount=200_000)

    png = en_client.get(f"/pledges/{pledge.reference}/qr.png?download=1").content

    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert parse_tlv(result.text)["54"] == "200000"
    assert parse_tlv(result.text)["62"] == f"0815{pledge.transfer_content}"
