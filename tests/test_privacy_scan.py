"""The privacy scan: every public page, API answer and download the URL resolver knows (everything
but the admin) is fetched for a campaign whose donors left contact data and whose bank statement
names payers and their accounts; none of it appears anywhere, and no request answers 500."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from allocations.services import (
    allocation_mark_disbursed,
    allocation_record,
    distribution_report_record,
)
from donations.models import BankTransaction, PublicDisplay, Receipt
from donations.services import (
    receipt_record,
    receipt_reverse,
    statement_import_create,
    statement_import_run,
)
from ledger.services import ItemLine, journal_heads_record
from tests.donations.helpers import statement
from tests.factories import (
    DonorFactory,
    PledgeFactory,
    PledgeItemFactory,
    category,
    province,
)

# What only staff may ever see.
PRIVATE = {
    # donors' contact data, tax code, and the names they chose not to show
    "phone": "0912736451",
    "phone, international": "+84912736451",
    "phone, spaced": "0912 736 451",
    "email": "bich.ngoc.pham@hopthu.vn",
    "address": "17 Ngõ Bảo Khánh, Hàng Trống",
    "full name of a masked donor": "Phạm Thị Bích Ngọc",
    "full name of an anonymous donor": "Đỗ Minh Quang",
    "phone of an anonymous donor": "0365218794",
    "organisation's tax code": "0318765432",
    "organisation's contact person": "Vũ Thị Thanh Hương",
    "organisation's phone": "0283945617",
    "organisation's email": "ketoan@dienmaythanhhuong.vn",
    "organisation's address": "235 Nguyễn Văn Cừ, Quận 5",
    # payers as the bank statement names them
    "payer account of a matched transfer": "0451000381927",
    "payer name of a matched transfer": "PHAM THI BICH NGOC",
    "payer account of a direct gift": "1903528716402",
    "payer name of a direct gift": "HOANG VAN LONG",
    "payer account of a queued transfer": "9704229381726",
    "payer name of a queued transfer": "TRINH CONG SON",
    # what a ward wrote in a distribution report's note
    "report note": "CCCD 001085012345",
}

# A value for each URL keyword a public pattern may take; a new keyword must be added here.
KWARGS = {
    "slug": lambda data: data["campaign"].slug,
    "reference": lambda data: data["pledge"].reference,
    "fmt": lambda data: "png",
    "number": lambda data: data["allocation"].number,
    "code": lambda data: data["allocation"].province.current.code,
    "province": lambda data: data["allocation"].province.current.code,
}


def public_get_patterns(patterns=None, namespace: str = "", prefix: str = ""):
    """(name to reverse, keyword names, route) of every URL pattern outside the admin."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith("admin/"):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_get_patterns(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"give the URL pattern {route} a name, so it can be scanned"
            keywords = (entry.pattern.converters if isinstance(entry.pattern, RoutePattern)
                        else entry.pattern.regex.groupindex)
            yield f"{namespace}{entry.name}", list(keywords), route


@pytest.fixture
def private_data(open_campaign, account, admin_user, django_capture_on_commit_callbacks):
    masked = DonorFactory(full_name=PRIVATE["full name of a masked donor"], phone=PRIVATE["phone"],
                          email=PRIVATE["email"], address=PRIVATE["address"], public_display=PublicDisplay.MASKED)
    anonymous = DonorFactory(full_name=PRIVATE["full name of an anonymous donor"],
                             phone=PRIVATE["phone of an anonymous donor"], public_display=PublicDisplay.ANONYMOUS)
    company = DonorFactory(
        organization=True, organization_name="Công ty TNHH Điện máy Thanh Hương",
        tax_code=PRIVATE["organisation's tax code"], full_name=PRIVATE["organisation's contact person"], phone=PRIVATE["organisation's phone"],
        email=PRIVATE["organisation's email"], address=PRIVATE["organisation's address"], public_display="full",
    )
    pledge = PledgeFactory(campaign=open_campaign, donor=masked, amount=2_500_000, reference="K7M3PQ9X")
    queued = PledgeFactory(campaign=open_campaign, donor=anonymous, amount=700_000, reference="AB23CD45")
    goods = PledgeFactory(campaign=open_campaign, donor=company, goods=True, reference="EF67GH89")
    PledgeItemFactory(pledge=goods, category=category("rice"), quantity=800)
    own = account.account_number
    content = statement(
        ("08/09/2024 09:15:02", "FT24252001", "", "2,500,000",
         f"MBVCB.6986253876.{open_campaign.code} K7M3PQ9X.CT tu {PRIVATE['payer account of a matched transfer']} "
         f"{PRIVATE['payer name of a matched transfer']} toi {own}"),
        ("08/09/2024 10:02:45", "FT24252002", "", "1,000,000",
         f"CT tu {PRIVATE['payer account of a direct gift']} {PRIVATE['payer name of a direct gift']} toi {own} "
         "ung ho dong bao lu lut"),
        ("08/09/2024 11:30:00", "FT24252003", "", "900,000",
         f"CT tu {PRIVATE['payer account of a queued transfer']} {PRIVATE['payer name of a queued transfer']} "
         f"toi {own} ung ho EF67GH89"),  # a goods pledge's reference: staff must look at it
    )
    with django_capture_on_commit_callbacks(execute=True):
        imported = statement_import_run(import_id=statement_import_create(
            account=account, file_name="sao-ke.csv", content=content, uploaded_by=admin_user).pk)
        desk = receipt_record(campaign=open_campaign, channel="cash_desk", amount=300_000, pledge=queued,
                              recorded_by=admin_user)
        receipt_reverse(receipt=desk, reason="Nhập trùng", recorded_by=admin_user)
        receipt_record(campaign=open_campaign, channel="goods", pledge=goods, recorded_by=admin_user,
                       items=[ItemLine(category=category("rice"), quantity=800)])
        allocation = allocation_record(
            campaign=open_campaign, province=province("19"), decision_number="301/QĐ-MTTW",
            decision_date=datetime.date(2024, 9, 20), purpose="Hỗ trợ hộ bị sập nhà", recorded_by=admin_user,
            amount=2_000_000,
        )
        allocation = allocation_mark_disbursed(allocation=allocation, disbursed_on=datetime.date(2024, 9, 22),
                                               user=admin_user)
        distribution_report_record(
            allocation=allocation, distributed_on=datetime.date(2024, 9, 24), commune="Xã Phú Đô", households=4,
            people=15, amount=2_000_000, reported_by=admin_user, note=f"Hộ ông Tám, {PRIVATE['report note']}",
        )
    journal_heads_record(until=timezone.localdate())
    # the statement did what the scan relies on: a matched transfer, a direct gift, a queued one
    assert (imported.matched, imported.direct, imported.queued) == (1, 1, 1)
    assert BankTransaction.objects.filter(payer_account=PRIVATE["payer account of a queued transfer"]).exists()
    assert Receipt.objects.filter(public_name="Hoang V. L.").exists()
    return {"campaign": open_campaign, "pledge": pledge, "allocation": allocation}


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def test_no_public_url_shows_personal_data(client, private_data):
    fetched = []
    for name, keywords, route in public_get_patterns():
        missing = [k for k in keywords if k not in KWARGS]
        assert not missing, f"add a value for {missing} to KWARGS to scan {route}"
        url = reverse(name, kwargs={k: KWARGS[k](private_data) for k in keywords})

        response = client.get(url)

        assert response.status_code < 500, url
        body = body_of(response).casefold()
        for what, value in PRIVATE.items():
            assert value.casefold() not in body, f"{what} appears in {url}"
        fetched.append((url, response.status_code))

    # the scan reached the pages, the API and the downloads of the campaign
    slug = private_data["campaign"].slug
    for url in (f"/campaigns/{slug}/", f"/api/v1/campaigns/{slug}/totals/", f"/api/v1/campaigns/{slug}/allocations/",
                f"/api/v1/campaigns/{slug}/journal/", f"/campaigns/{slug}/journal.csv", f"/campaigns/{slug}/3w.csv",
                "/pledges/K7M3PQ9X/", "/api/v1/pledges/K7M3PQ9X/", "/api/schema/"):
        assert (url, 200) in fetched, url
    assert len(fetched) >= 30
