"""The public ledger of receipts: what a reader sees, searching, sorting, keyset paging across ties,
reversals beside the receipts they correct, downloads that add up to the published figure, bad
input, caching, and no personal data anywhere."""

import csv
import datetime
import importlib.util
import io
import json
import re
import zoneinfo
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from donations.services import (
    receipt_record,
    receipt_reverse,
    statement_import_create,
    statement_import_run,
)
from ledger.services import ItemLine, journal_heads_record
from tests.donations.helpers import statement
from tests.factories import (
    CampaignFactory,
    DonorFactory,
    PledgeFactory,
    ReceivingAccountFactory,
    category,
)
from transparency import ledger as ledger_module
from transparency.ledger import LedgerCursor, ledger_cursor_encode
from transparency.models import CampaignTotals
from transparency.services import campaign_totals_refresh

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
PAGE = "/campaigns/bao-yagi/ledger/"
CSV_URL = "/campaigns/bao-yagi/ledger.csv"
JSON_URL = "/campaigns/bao-yagi/ledger.json"


# --- helpers shared with the API tests ------------------------------------------------------------


def vn(text: str) -> datetime.datetime:
    """`08/09/2024 09:15` in Vietnam time."""
    return datetime.datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def receive(campaign, by, amount=None, *, name="", at="08/09/2024 09:00", channel=None, goods=None, pledge=None):
    """Record a receipt: cash when `amount` is given, else goods (`goods={"rice": "1500.5"}`)."""
    items = [ItemLine(category=category(slug), quantity=Decimal(q)) for slug, q in (goods or {}).items()]
    return receipt_record(
        campaign=campaign, channel=channel or ("goods" if goods else "cash_desk"), amount=amount, items=items,
        pledge=pledge, public_name=name, received_at=vn(at), recorded_by=by,
    )


def reverse(receipt, by, *, at: str, reason: str = "Ghi nhầm"):
    """Reverse a receipt as if at `at` (Vietnam time): a reversal is received when it is recorded.

    Kept to the day of the receipt: the daily totals refuse a day whose reversals outnumber its
    receipts (a reversal recorded on a later day), which is not this page's business.
    """
    with mock.patch("django.utils.timezone.now", return_value=vn(at)):
        return receipt_reverse(receipt=receipt, reason=reason, recorded_by=by)


class _LedgerRows(HTMLParser):
    """The ledger table as a reader sees it: each row's cells as text, and the links in the rows."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._in_row = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("data-testid") == "ledger-row":
            self._in_row = True
            self.rows.append([])
        elif tag == "td" and self._in_row:
            self._cell = []
        elif self._cell is not None:
            self._cell.append(" ")  # lines of goods and marks read as separate words
            if tag == "a":
                self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._in_row = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(response) -> list[list[str]]:
    parser = _LedgerRows()
    parser.feed(response.content.decode())
    return parser.rows


def numbers(response) -> list[str]:
    return [row[0] for row in table(response)]


def text(response) -> str:
    """The page's visible text, whitespace collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    body = re.sub(r"</?(a|span|strong|time)\b[^>]*>", "", body)  # inline: no gap where they start or end
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def link(response, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return unescape(match[1]) if match else None


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def yagi(db):
    return CampaignFactory(
        slug="bao-yagi", code="YAGI24", name="Ủng hộ đồng bào khắc phục hậu quả bão số 3 (Yagi) năm 2024",
        starts_on=datetime.date(2024, 9, 1),
    )


@pytest.fixture
def staff(admin_user):
    return admin_user


@pytest.fixture
def account_for_yagi(yagi):
    return ReceivingAccountFactory(campaign=yagi, account_number="0011001932418")


@pytest.fixture
def few(yagi, staff):
    """A bank transfer settling a pledge, a cash-desk gift shown in full, goods, and a reversed mistake."""
    an = DonorFactory(full_name="Nguyễn Văn An", public_display="full")
    pledge = PledgeFactory(campaign=yagi, donor=an, amount=500_000, reference="K7M3PQ9X")
    receipts = {
        "an": receive(yagi, staff, 500_000, pledge=pledge, channel="bank", at="08/09/2024 00:30"),
        "binh": receive(yagi, staff, 2_000_000, name="Nguyễn Văn Bình", at="08/09/2024 10:15"),
        "sao_mai": receive(yagi, staff, goods={"rice": "1500.5", "drinking-water": "20"},
                           name="Công ty Cổ phần Thực phẩm Sao Mai", at="09/09/2024 14:00"),
        "typo": receive(yagi, staff, 5_000_000, name="Trần Thị Hạnh", at="09/09/2024 16:45"),
    }
    receipts["reversal"] = reverse(receipts["typo"], staff, at="09/09/2024 17:20", reason="Ghi nhầm số tiền")
    campaign_totals_refresh(campaign_id=yagi.pk)
    return receipts


# --- what a reader sees ---------------------------------------------------------------------------


def test_page_lists_every_receipt_newest_first_in_vietnam_time(client, yagi, few):
    # when anyone opens the campaign's ledger
    response = client.get(PAGE)

    # then every receipt is listed newest first, in Vietnam time, with the name as the donor chose it;
    # the reversal (recorded now) says which receipt it corrects, and that receipt says it was reversed
    assert response.status_code == 200
    assert table(response) == [
        ["YAGI24-000005", "09/09/2024 17:20", "Trần Thị Hạnh Hủy phiếu YAGI24-000004", "Quầy thu tiền mặt",
         "-5.000.000 ₫"],
        ["YAGI24-000004", "09/09/2024 16:45", "Trần Thị Hạnh Đã hủy bởi phiếu YAGI24-000005", "Quầy thu tiền mặt",
         "5.000.000 ₫"],
        ["YAGI24-000003", "09/09/2024 14:00", "Công ty Cổ phần Thực phẩm Sao Mai", "Điểm tiếp nhận hàng",
         "Gạo: 1.500,5 kg Nước uống đóng chai: 20 thùng"],
        ["YAGI24-000002", "08/09/2024 10:15", "Nguyễn Văn Bình", "Quầy thu tiền mặt", "2.000.000 ₫"],
        ["YAGI24-000001", "08/09/2024 00:30", "Nguyễn Văn An", "Chuyển khoản ngân hàng", "500.000 ₫"],
    ]
    page = text(response)
    # the count is exact: 3 receipts published, plus the reversal and the receipt it cancels
    assert CampaignTotals.objects.get(campaign=yagi).receipts == 3
    assert "Sổ có 5 dòng" in page
    assert ("Cộng mọi số tiền trong sổ, kể cả các bút toán hủy, bằng đúng số tiền đã nhận được công bố: "
            "2.500.000 ₫.") in page
    assert '<tr id="r-YAGI24-000004"' in response.content.decode()


def test_reversal_links_show_both_entries_side_by_side(client, yagi, few):
    # given the ledger's links from the reversal and from the receipt it corrects
    parser = _LedgerRows()
    parser.feed(client.get(PAGE).content.decode())
    assert parser.links == ["?number=YAGI24-000004#r-YAGI24-000004", "?number=YAGI24-000004#r-YAGI24-000005"]

    # when a reader follows one, then they see the receipt and its reversal together
    response = client.get(PAGE + "?number=YAGI24-000004")
    assert numbers(response) == ["YAGI24-000005", "YAGI24-000004"]
    # and looking up the reversal's number shows the same pair
    assert numbers(client.get(PAGE + "?number=YAGI24-000005")) == ["YAGI24-000005", "YAGI24-000004"]
    assert "Tìm thấy 2 khoản" in text(response)


def test_page_speaks_english_when_chosen(en_client, yagi, few):
    response = en_client.get(PAGE)
    assert table(response)[2] == [
        "YAGI24-000003", "09/09/2024 14:00", "Công ty Cổ phần Thực phẩm Sao Mai", "Goods drop-off",
        "Rice: 1.500,5 kg Bottled drinking water: 20 box",
    ]
    assert table(response)[0][2] == "Trần Thị Hạnh Reversal of YAGI24-000004"
    assert "5 lines in the ledger" in text(response)


def test_unknown_or_draft_campaign_is_404(client, db):
    CampaignFactory(slug="ban-nhap", draft=True)
    assert client.get("/campaigns/ban-nhap/ledger/").status_code == 404
    assert client.get("/campaigns/khong-co/ledger.csv").status_code == 404


def test_empty_ledger_says_so(client, yagi):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert table(response) == []
    assert "Chưa tiếp nhận khoản ủng hộ nào." in text(response)


# --- search ---------------------------------------------------------------------------------------


@pytest.fixture
def names(yagi, staff):
    for name in ("Nguyễn Văn An", "Nguyễn Văn Bình", "Trần Thị Hạnh", "Nguyễn V. A.", "Đặng Đức Nguyên"):
        receive(yagi, staff, 100_000, name=name)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("nguyen van an", ["Nguyễn Văn An"]),
        ("Nguyễn Văn", ["Nguyễn Văn Bình", "Nguyễn Văn An"]),
        ("  NGUYỄN   văn  AN ", ["Nguyễn Văn An"]),
        ("nguyen", ["Đặng Đức Nguyên", "Nguyễn V. A.", "Nguyễn Văn Bình", "Nguyễn Văn An"]),
        ("dang duc", ["Đặng Đức Nguyên"]),
        ("Hạnh", ["Trần Thị Hạnh"]),
        ("v. a.", ["Nguyễn V. A."]),
        ("100%", []),
    ],
)
def test_name_search_with_or_without_diacritics(client, names, typed, found):
    response = client.get(PAGE, {"q": typed})
    assert response.status_code == 200
    assert [row[2] for row in table(response)] == found


@pytest.mark.parametrize("typed", ["500.000", "500000", "500,000", "500.000 ₫", "500.000\u00a0₫", "500.000đ"])
def test_exact_amount_typed_as_people_type_it_finds_it_and_its_reversal(client, yagi, staff, typed):
    kept = receive(yagi, staff, 500_000, at="08/09/2024 09:00")
    wrong = receive(yagi, staff, 500_000, at="08/09/2024 09:05")
    receive(yagi, staff, 5_000_000)
    receive(yagi, staff, 50_000)
    reversal = reverse(wrong, staff, at="08/09/2024 11:00", reason="Trùng")

    response = client.get(PAGE, {"amount": typed})
    assert numbers(response) == [reversal.number, wrong.number, kept.number]


def test_date_range_counts_vietnam_days(client, yagi, staff):
    # given receipts either side of midnight, Vietnam time
    for at in ("07/09/2024 23:59", "08/09/2024 00:00", "09/09/2024 23:59", "10/09/2024 00:00"):
        receive(yagi, staff, 100_000, at=at)

    # then 08/09 to 09/09 holds exactly the two receipts of those Vietnam days
    response = client.get(PAGE, {"date_from": "08/09/2024", "date_to": "09/09/2024"})
    assert [row[1] for row in table(response)] == ["09/09/2024 23:59", "08/09/2024 00:00"]
    # and one day alone, typed either way
    assert [row[1] for row in table(client.get(PAGE, {"date_from": "2024-09-10"}))] == ["10/09/2024 00:00"]
    assert [row[1] for row in table(client.get(PAGE, {"date_to": "7/9/2024"}))] == ["07/09/2024 23:59"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("YAGI24-000002", ["YAGI24-000002"]),
        ("yagi24-2", ["YAGI24-000002"]),
        ("000002", ["YAGI24-000002"]),
        ("2", ["YAGI24-000002"]),
        ("K7M3PQ9X", ["YAGI24-000003", "YAGI24-000001"]),
        ("k7m3-pq9x", ["YAGI24-000003", "YAGI24-000001"]),
        ("YAGI24-000999", []),
        ("OTHER9-000002", []),
        ("ZZZZ2222", []),
    ],
)
def test_receipt_number_or_pledge_reference(client, yagi, staff, typed, expected):
    # given a pledge paid in two transfers, and a gift at the cash desk between them
    pledge = PledgeFactory(campaign=yagi, amount=1_000_000, reference="K7M3PQ9X")
    receive(yagi, staff, 400_000, pledge=pledge, channel="bank", at="08/09/2024 09:00")
    receive(yagi, staff, 200_000, name="Nhà hảo tâm", at="08/09/2024 10:00")
    receive(yagi, staff, 600_000, pledge=pledge, channel="bank", at="09/09/2024 09:00")

    response = client.get(PAGE, {"number": typed})
    assert response.status_code == 200
    assert numbers(response) == expected
    if not expected:
        assert "Không có khoản nào khớp với tìm kiếm." in text(response)


def test_filters_combine(client, yagi, staff):
    receive(yagi, staff, 500_000, name="Nguyễn Văn An", at="08/09/2024 09:00")
    wanted = receive(yagi, staff, 500_000, name="Nguyễn Văn An", at="09/09/2024 09:00")
    receive(yagi, staff, 200_000, name="Nguyễn Văn An", at="09/09/2024 10:00")
    receive(yagi, staff, 500_000, name="Trần Văn Bình", at="09/09/2024 11:00")

    response = client.get(PAGE, {"q": "nguyen van", "amount": "500.000", "date_from": "09/09/2024"})
    assert numbers(response) == [wanted.number]
    assert "Tìm thấy 1 khoản" in text(response)


def test_a_filtered_count_stops_at_the_cap(client, yagi, staff, monkeypatch):
    monkeypatch.setattr(ledger_module, "COUNT_CAP", 3)
    for _ in range(5):
        receive(yagi, staff, 100_000, name="Nguyễn Văn An")
    assert "Tìm thấy hơn 3 khoản" in text(client.get(PAGE, {"q": "an"}))
    assert "Tìm thấy 1 khoản" in text(client.get(PAGE, {"q": "an", "number": "YAGI24-000001"}))


# --- sorting and paging ---------------------------------------------------------------------------


def test_sort_orders_ties_by_number_and_goods_after_cash(client, yagi, staff):
    receive(yagi, staff, 300_000, at="08/09/2024 09:00")  # 1
    receive(yagi, staff, goods={"rice": "10"}, at="08/09/2024 08:00")  # 2
    receive(yagi, staff, 300_000, at="08/09/2024 09:00")  # 3: same time and amount as 1
    receive(yagi, staff, 1_000_000, at="07/09/2024 12:00")  # 4
    receive(yagi, staff, goods={"rice": "20"}, at="09/09/2024 08:00")  # 5

    def order(sort):
        return [number[-1] for number in numbers(client.get(PAGE, {"sort": sort}))]

    assert order("newest") == ["5", "3", "1", "2", "4"]
    assert order("oldest") == ["4", "2", "1", "3", "5"]
    assert order("largest") == ["4", "3", "1", "5", "2"]
    assert order("smallest") == ["1", "3", "4", "2", "5"]


def walk(client, url: str, rel: str) -> list[list[str]]:
    """The pages from `url` on, following the "next" (or "prev") links to the end."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(numbers(response))
        url = link(response, rel) and PAGE + link(response, rel)
    return pages


def last_page_url(client, url: str) -> str:
    while following := link(client.get(url), "next"):
        url = PAGE + following
    return url


@pytest.fixture
def ties(yagi, staff):
    """61 receipts: 55 of 500.000 ₫ at the very same minute (a statement with dates only), 3 of goods, 3 others."""
    receive(yagi, staff, 2_000_000, at="07/09/2024 10:00")
    for _ in range(30):
        receive(yagi, staff, 500_000, at="08/09/2024 00:00")
    receive(yagi, staff, goods={"rice": "5"}, at="08/09/2024 00:00")
    receive(yagi, staff, goods={"rice": "6"}, at="08/09/2024 00:00")
    for _ in range(25):
        receive(yagi, staff, 500_000, at="08/09/2024 00:00")
    receive(yagi, staff, 100_000, at="09/09/2024 10:00")
    receive(yagi, staff, goods={"rice": "7"}, at="09/09/2024 11:00")
    receive(yagi, staff, 900_000, at="08/09/2024 00:00")
    return [f"YAGI24-{n:06d}" for n in range(1, 62)]


@pytest.mark.parametrize("sort", ["newest", "oldest", "largest", "smallest"])
def test_keyset_paging_forwards_and_backwards_across_ties(client, ties, sort):
    # given the whole ledger in the chosen order on one page
    everything = numbers(client.get(PAGE, {"sort": sort, "size": 100}))
    assert sorted(everything) == ties

    # when a reader pages through it 25 at a time, then each receipt appears once, in order
    pages = walk(client, f"{PAGE}?sort={sort}&size=25", "next")
    assert [len(page) for page in pages] == [25, 25, 11]
    assert sum(pages, []) == everything

    # and going back from the last page gives the very same pages
    backwards = walk(client, last_page_url(client, f"{PAGE}?sort={sort}&size=25"), "prev")
    assert backwards == pages[::-1]


def test_previous_from_the_second_page_is_the_first_page(client, ties):
    first = client.get(PAGE, {"size": 25, "sort": "largest"})
    second = client.get(PAGE + link(first, "next"))
    back = client.get(PAGE + link(second, "prev"))
    assert numbers(back) == numbers(first)
    assert link(back, "prev") is None
    assert link(first, "prev") is None


def test_page_size_is_chosen_and_kept_across_pages(client, ties):
    first = client.get(PAGE, {"size": 100})
    assert len(numbers(first)) == 61 and link(first, "next") is None
    first = client.get(PAGE, {"size": 25, "q": ""})
    assert "size=25" in link(first, "next")


def test_a_page_deep_in_the_ledger_costs_the_same_queries(client, yagi, ties, django_assert_max_num_queries):
    campaign_totals_refresh(campaign_id=yagi.pk)
    url = f"{PAGE}?sort=largest&size=25"
    while url:
        with django_assert_max_num_queries(7):
            response = client.get(url)
        url = link(response, "next") and PAGE + link(response, "next")
    # and a page seen before comes from the cache: the campaign and the figures version only
    with django_assert_max_num_queries(2):
        client.get(f"{PAGE}?sort=largest&size=25")


def test_a_cursor_past_the_end_says_there_is_nothing_more(client, yagi, staff):
    receive(yagi, staff, 100_000)
    token = ledger_cursor_encode(cursor=LedgerCursor(sort="newest", segment=0, value=vn("01/01/2020 00:00"),
                                                     sequence=1))
    response = client.get(PAGE, {"cursor": token})
    assert response.status_code == 200
    assert "Không còn khoản nào sau vị trí này." in text(response)


# --- caching --------------------------------------------------------------------------------------


def test_cached_page_is_replaced_when_the_figures_are_refreshed(client, yagi, staff):
    receive(yagi, staff, 100_000)
    campaign_totals_refresh(campaign_id=yagi.pk)
    assert numbers(client.get(PAGE)) == ["YAGI24-000001"]

    # a receipt recorded but not yet in the figures: the cached page stands
    receive(yagi, staff, 200_000)
    assert numbers(client.get(PAGE)) == ["YAGI24-000001"]

    # the refresh every ledger change brings makes it stale at once
    campaign_totals_refresh(campaign_id=yagi.pk)
    assert numbers(client.get(PAGE)) == ["YAGI24-000002", "YAGI24-000001"]


def test_cache_keeps_languages_apart(client, yagi, staff):
    receive(yagi, staff, goods={"rice": "10"})
    assert table(Client().get(PAGE))[0][4] == "Gạo: 10 kg"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert table(client.get(PAGE))[0][4] == "Rice: 10 kg"
    assert table(Client().get(PAGE))[0][4] == "Gạo: 10 kg"


# --- downloads ------------------------------------------------------------------------------------


def test_csv_download_is_the_whole_filtered_ledger(client, yagi, few, staff):
    receive(yagi, staff, 1_000, name="=HYPERLINK(\"http://x\")", at="10/09/2024 08:00")
    receive(yagi, staff, 2_000, name="@SUM(A1)", at="10/09/2024 09:01")
    receive(yagi, staff, 3_000, name='-Công ty "Hoà Bình", Hà Nội', at="10/09/2024 10:02")
    campaign_totals_refresh(campaign_id=yagi.pk)

    response = client.get(CSV_URL, {"sort": "oldest"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="bao-yagi-ledger-\d{8}-\d{4}\.csv"', response["Content-Disposition"])
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffnumber,time,kind,channel,amount,goods,public_name,reverses\r\n")
    # quoted only where a comma or a quote needs it, CRLF line ends: what Excel and csv readers expect
    assert body.endswith(
        'YAGI24-000008,2024-09-10T10:02:00+07:00,cash,cash_desk,3000,,"\'-Công ty ""Hoà Bình"", Hà Nội",\r\n'
    )
    assert list(csv.reader(io.StringIO(body[1:]))) == [
        ["number", "time", "kind", "channel", "amount", "goods", "public_name", "reverses"],
        ["YAGI24-000001", "2024-09-08T00:30:00+07:00", "cash", "bank", "500000", "", "Nguyễn Văn An", ""],
        ["YAGI24-000002", "2024-09-08T10:15:00+07:00", "cash", "cash_desk", "2000000", "", "Nguyễn Văn Bình", ""],
        ["YAGI24-000003", "2024-09-09T14:00:00+07:00", "goods", "goods", "", "drinking-water:20:;rice:1500.5:",
         "Công ty Cổ phần Thực phẩm Sao Mai", ""],
        ["YAGI24-000004", "2024-09-09T16:45:00+07:00", "cash", "cash_desk", "5000000", "", "Trần Thị Hạnh", ""],
        ["YAGI24-000005", "2024-09-09T17:20:00+07:00", "cash", "cash_desk", "-5000000", "", "Trần Thị Hạnh",
         "YAGI24-000004"],
        ["YAGI24-000006", "2024-09-10T08:00:00+07:00", "cash", "cash_desk", "1000", "",
         "'=HYPERLINK(\"http://x\")", ""],
        ["YAGI24-000007", "2024-09-10T09:01:00+07:00", "cash", "cash_desk", "2000", "", "'@SUM(A1)", ""],
        ["YAGI24-000008", "2024-09-10T10:02:00+07:00", "cash", "cash_desk", "3000", "",
         "'-Công ty \"Hoà Bình\", Hà Nội", ""],
    ]


def test_csv_amounts_add_up_to_the_published_cash_received(client, yagi, few, staff):
    for amount in (1_234_567, 7_654_321, 500_000):
        receive(yagi, staff, amount, channel="bank", at="11/09/2024 09:00")
    reverse(few["binh"], staff, at="08/09/2024 18:00", reason="Chuyển nhầm chiến dịch")
    campaign_totals_refresh(campaign_id=yagi.pk)

    rows = csv_rows(client.get(CSV_URL))[1:]
    published = CampaignTotals.objects.get(campaign=yagi).cash_received

    assert published == 500_000 + 1_234_567 + 7_654_321 + 500_000  # what stays after two reversals
    assert sum(int(row[4]) for row in rows if row[4]) == published
    assert len(rows) == 9


def test_csv_follows_the_search(client, yagi, few):
    rows = csv_rows(client.get(CSV_URL, {"q": "nguyen van", "sort": "largest"}))
    assert [row[0] for row in rows[1:]] == ["YAGI24-000002", "YAGI24-000001"]


def test_json_download_holds_each_receipt_as_the_api_gives_it(client, yagi, few):
    response = client.get(JSON_URL, {"number": "YAGI24-000004"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(b"".join(response.streaming_content))
    assert body["campaign"] == "bao-yagi" and body["code"] == "YAGI24"
    assert body["receipts"] == [
        {"number": "YAGI24-000005", "received_at": "2024-09-09T17:20:00+07:00", "kind": "cash",
         "channel": "cash_desk", "amount": -5_000_000, "goods": [],
         "public_name": "Trần Thị Hạnh", "reverses": "YAGI24-000004", "reversed_by": None},
        {"number": "YAGI24-000004", "received_at": "2024-09-09T16:45:00+07:00", "kind": "cash",
         "channel": "cash_desk", "amount": 5_000_000, "goods": [], "public_name": "Trần Thị Hạnh",
         "reverses": None, "reversed_by": "YAGI24-000005"},
    ]
    goods = json.loads(b"".join(client.get(JSON_URL, {"number": "3"}).streaming_content))["receipts"][0]
    assert goods["goods"] == [
        {"category": "rice", "quantity": "1500.500", "unit": "kg", "estimated_value": None},
        {"category": "drinking-water", "quantity": "20.000", "unit": "thung", "estimated_value": None},
    ]


def test_the_ledger_download_checks_out_against_the_journal(client, yagi, few, tmp_path):
    # given the journal, its daily heads and the ledger, downloaded as anyone can
    journal_heads_record(until=timezone.localdate())
    paths = {}
    downloads = {"journal": "/campaigns/bao-yagi/journal.csv", "heads": "/campaigns/bao-yagi/journal-heads.csv",
                 "ledger": CSV_URL}
    for name, url in downloads.items():
        response = client.get(url)
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)

    # then the standard-library verifier finds every receipt of the ledger in the journal, unaltered
    spec = importlib.util.spec_from_file_location("verify_journal", Path(settings.BASE_DIR) / "tools/verify_journal.py")
    verify_journal = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verify_journal)
    result = verify_journal.verify(str(paths["journal"]), str(paths["heads"]), str(paths["ledger"]))
    assert (result.entries, result.ledger_rows) == (5, 5)


def test_empty_json_download_is_valid_json(client, yagi):
    body = json.loads(b"".join(client.get(JSON_URL).streaming_content))
    assert body["receipts"] == []


# --- bad input ------------------------------------------------------------------------------------

OTHER_SORT = ledger_cursor_encode(cursor=LedgerCursor(sort="largest", segment=0, value=500_000, sequence=3))
NEWEST_CURSOR = ledger_cursor_encode(cursor=LedgerCursor(sort="newest", segment=0, value=vn("08/09/2024 00:00"),
                                                         sequence=3))
BAD_INPUT = [
    pytest.param("amount=99999999999999999999", {"Exact amount (đồng)": "Enter an amount between 1 ₫ and "
                                                 "100.000.000.000 ₫."}, id="huge-amount"),
    pytest.param("amount=" + "9" * 400, {"Exact amount (đồng)": "Enter the amount in whole đồng, for example 500.000."},
                 id="absurd-amount"),
    pytest.param("amount=100.000.000.001", {"Exact amount (đồng)": "Enter an amount between 1 ₫ and "
                                            "100.000.000.000 ₫."}, id="amount-above-any-receipt"),
    pytest.param("amount=0", {"Exact amount (đồng)": "Enter an amount between 1 ₫ and 100.000.000.000 ₫."},
                 id="amount-zero"),
    pytest.param("amount=%C2%B9%C2%B2%C2%B3", {"Exact amount (đồng)": "Enter the amount in whole đồng, for example "
                                               "500.000."}, id="superscript-digits"),
    pytest.param("amount=-500000", {"Exact amount (đồng)": "Enter the amount in whole đồng, for example 500.000."},
                 id="negative-amount"),
    pytest.param("q=An%00", {"Donor name": "Remove the invisible or broken characters from this text."}, id="nul-q"),
    pytest.param("number=%00", {"Receipt number or pledge reference": "Remove the invisible or broken characters "
                                "from this text."}, id="nul-number"),
    pytest.param("q=%ED%A0%80", {"Donor name": "Remove the invisible or broken characters from this text."},
                 id="lone-surrogate"),
    pytest.param("date_from=01/01/0001", {"From": "Enter a date between 01/01/2000 and 31/12/2099."}, id="year-1"),
    pytest.param("date_to=31/12/9999", {"To": "Enter a date between 01/01/2000 and 31/12/2099."}, id="year-9999"),
    pytest.param("date_from=31/02/2024", {"From": "Enter a date as day/month/year, for example 08/09/2024."},
                 id="no-such-day"),
    pytest.param("date_from=10/09/2024&date_to=08/09/2024", {"To": "The end date is before the start date."},
                 id="from-after-to"),
    pytest.param("number=ABC", {"Receipt number or pledge reference": "Enter a receipt number such as YAGI24-000123 "
                                "or a pledge reference such as K7M3PQ9X."}, id="number"),
    pytest.param("sort=random", {"Order": "Select a valid choice. random is not one of the available choices."},
                 id="sort"),
    pytest.param("size=1000000000000000000000", {"Per page": "Select a valid choice. 1000000000000000000000 is not "
                                                 "one of the available choices."}, id="size"),
    pytest.param("cursor=garbage", {"": "This page link is not valid any more. Start again from the first page."},
                 id="cursor-garbage"),
    pytest.param("cursor=" + NEWEST_CURSOR[:-3] + "AAA", {"": "This page link is not valid any more. Start again "
                                                          "from the first page."}, id="cursor-tampered"),
    pytest.param("sort=newest&cursor=" + OTHER_SORT, {"": "This page link belongs to another sort order. Start "
                                                      "again from the first page."}, id="cursor-other-sort"),
    pytest.param("q=" + "a" * 10_000, {"Donor name": "Ensure this value has at most 100 characters (it has 10000)."},
                 id="10kb-name"),
]


@pytest.mark.parametrize(("query", "errors"), BAD_INPUT)
@pytest.mark.parametrize("url", [PAGE, CSV_URL, JSON_URL])
def test_bad_input_gets_a_clear_message_never_a_500(en_client, yagi, url, query, errors):
    response = en_client.get(f"{url}?{query}")

    assert response.status_code == 400
    assert not response.streaming
    page = text(response)
    assert "The search could not be run. Please correct:" in page
    for label, message in errors.items():
        assert (f"{label}: {message}" if label else message) in page
    assert table(response) == []


def test_bad_input_is_explained_in_vietnamese_too(client, yagi):
    response = client.get(PAGE, {"date_from": "10/09/2024", "date_to": "08/09/2024", "amount": "¹²³"})
    page = text(response)
    assert "Chưa tìm được. Vui lòng sửa lại:" in page
    assert "Đến: Ngày kết thúc đang ở trước ngày bắt đầu." in page
    assert "Số tiền chính xác (đồng): Nhập số tiền theo đồng chẵn, ví dụ 500.000." in page


def test_a_cursor_error_offers_the_first_page_of_the_same_search(en_client, yagi):
    response = en_client.get(PAGE, {"q": "an", "size": "25", "cursor": "garbage"})
    assert 'href="?q=an&amp;size=25">Go to the first page</a>' in response.content.decode()


def test_ten_kilobytes_of_parameters(en_client, yagi):
    response = en_client.get(PAGE + "?" + "&".join(f"x{n}=1" for n in range(2_000)))
    assert response.status_code == 400
    assert "This address is too long to be a search. Start a new search below." in text(response)


# --- privacy --------------------------------------------------------------------------------------


def test_no_personal_data_in_the_page_or_downloads(client, en_client, yagi, staff, account_for_yagi):
    # given an organisation's pledge, an individual's masked pledge, and a statement whose rows carry
    # payer accounts and names (one transfer pays a pledge, one has no reference at all)
    org = DonorFactory(organization=True, public_display="full", phone="0912345678", email="ketoan@saomai.vn",
                       address="88 Lạch Tray, Ngô Quyền", full_name="Phòng Hành chính Sao Mai")
    person = DonorFactory(full_name="Lê Thị Thu Trang", phone="0987654321", email="trang.le@example.vn",
                          address="12 Ngõ Huế, Hai Bà Trưng")
    org_pledge = PledgeFactory(campaign=yagi, donor=org, amount=50_000_000, reference="ABCD2345")
    PledgeFactory(campaign=yagi, donor=person, amount=300_000, reference="EFGH6789")
    receive(yagi, staff, 50_000_000, pledge=org_pledge, channel="bank")
    content = statement(
        ("08/09/2024 09:15:02", "FT24252001", "", "300,000",
         "MBVCB.6986253876.YAGI24 EFGH6789.CT tu 0011004123456 LE THI THU TRANG toi 0011001932418"),
        ("08/09/2024 10:00:00", "FT24252002", "", "1,000,000",
         "IBFT ung ho dong bao CT tu 1903456789012 PHAM MINH TUAN toi 0011001932418"),
    )
    imp = statement_import_run(import_id=statement_import_create(
        account=account_for_yagi, file_name="sao-ke.csv", content=content, uploaded_by=staff).pk)
    assert (imp.matched, imp.direct) == (1, 1)
    campaign_totals_refresh(campaign_id=yagi.pk)

    pages = [
        client.get(PAGE).content.decode(),
        en_client.get(PAGE, {"q": "trang"}).content.decode(),
        b"".join(client.get(CSV_URL).streaming_content).decode(),
        b"".join(client.get(JSON_URL).streaming_content).decode(),
        client.get(f"/api/v1/campaigns/{yagi.slug}/ledger/").content.decode(),
    ]
    everything = "\n".join(pages)
    # then the public names are there, as chosen or as the import masked them
    for public in ("Công ty Cổ phần Thực phẩm Sao Mai", "Lê T. T. T.", "Pham M. T."):
        assert public in pages[0] and public in pages[2]
    # and nothing private is, anywhere
    for private in ("0912345678", "ketoan@saomai.vn", "88 Lạch Tray", "0101234567", "Phòng Hành chính",
                    "0987654321", "trang.le@example.vn", "12 Ngõ Huế", "Lê Thị Thu Trang", "Thu Trang",
                    "0011004123456", "1903456789012", "LE THI THU TRANG", "PHAM MINH TUAN", "Pham Minh Tuan",
                    "Minh Tuan", "FT24252001", "MBVCB", "ung ho dong bao", "0011001932418"):
        assert private not in everything, private

