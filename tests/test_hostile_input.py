"""Hostile input, one table: what an attacker, a careless client or a damaged file sends to the API, the
donate form, the pledge pages, the staff's cash desk and the statement import. Each gets its exact
clean refusal (never a 500), and nothing is saved: no donor, pledge, receipt, bank transaction or
journal entry.
"""

import datetime
import json
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import translation

from donations.models import BankTransaction, Donor, Pledge, PledgeItem, Receipt, StatementImport
from donations.services import statement_import_create, statement_import_run
from donations.statements import statement_error_text
from ledger.models import MAX_CASH_AMOUNT, JournalEntry
from tests.donations.helpers import statement
from tests.donations.test_admin_receipts import form_data as desk_data
from tests.donations.test_forms_and_pages import form_data as donate_data
from tests.test_api import cash_body, goods_body
from transparency.models import DailyTotals
from transparency.services import campaign_totals_refresh

API_INVALID = "The request has errors: see “errors” for each field."
PLEDGE_TOO_LARGE = "The amount cannot exceed 100,000,000,000 đồng; for larger gifts please contact the committee."
ENTRY_TOO_LARGE = (
    "The amount is above 100,000,000,000 đồng, the most one entry may be: check it for a typing mistake."
)
NOT_AN_AMOUNT = "Enter the amount in whole đồng, for example 500.000."
NULL_CHARACTERS = "Null characters are not allowed."
SURROGATE = "The request body holds characters that are not text (a lone \\u-escaped surrogate)."
BEFORE_START = "This is before the campaign started on 08/09/2024."
DATE = "Ngày giao dịch/Transaction Date"
CREDIT = "Số tiền ghi có/Credit"
DEBIT = "Số tiền ghi nợ/Debit"


@dataclass
class World:
    """What a hostile input is sent against: the open campaign `bao-so-3` (from 08/09/2024) with its
    Vietcombank account, a visitor and a member of staff, both reading English."""

    campaign: object
    account: object
    visitor: object
    staff: object
    staff_user: object


@pytest.fixture
def world(open_campaign, account, client, admin_client, admin_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return World(open_campaign, account, client, admin_client, admin_user)


# --- how each kind of input is sent, and what its sender reads back -------------------------------------


def api(make_body):
    """POST /api/v1/pledges/ → (status, the field errors, or the one sentence when there are none)."""

    def send(w: World):
        body = make_body(w.campaign)
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = w.visitor.generic("POST", "/api/v1/pledges/", raw, content_type="application/json")
        answer = response.json()
        assert set(answer) == {"status", "code", "detail", "errors"}
        return response.status_code, answer["errors"] or answer["detail"]

    return send


def page(path):
    """GET a public page or API address → (status, None)."""

    def send(w: World):
        return w.visitor.get(path).status_code, None

    return send


def donate(**fields):
    """The donate form → (status, each field's errors; `items` for the goods lines)."""

    def send(w: World):
        response = w.visitor.post(f"/campaigns/{w.campaign.slug}/donate/", donate_data(**fields))
        errors = {name: list(messages) for name, messages in response.context["form"].errors.items()}
        items = response.context["items"]
        if items.is_bound and items.non_form_errors():
            errors["items"] = list(items.non_form_errors())
        return response.status_code, errors

    return send


def desk(**fields):
    """The staff's cash desk (record a receipt in the admin) → (status, each field's errors)."""

    def send(w: World):
        response = w.staff.post("/admin/donations/receipt/add/", desk_data(w.campaign, **fields))
        form = response.context["adminform"].form
        return response.status_code, {name: list(messages) for name, messages in form.errors.items()}

    return send


def import_statement(*rows):
    """A Vietcombank statement of `rows` (date, reference, debit, credit, text), its first row on line 7
    → (the import's status, the reason staff read)."""

    def send(w: World):
        imp = statement_import_create(
            account=w.account, file_name="sao-ke.csv", content=statement(*rows), uploaded_by=w.staff_user
        )
        imp = statement_import_run(import_id=imp.pk)
        with translation.override("en"):
            return imp.status, statement_error_text(imp.error_code, imp.error_params) if imp.error_code else ""

    return send


def lines(count):
    return lambda c: goods_body(c, items=[{"category": "rice", "quantity": 1}] * count)


def donor_with(**fields):
    return lambda c: cash_body(c, donor={**cash_body(c)["donor"], **fields})


OK_ROW = ("08/09/2024", "FT24252001", "", "500,000", "ung ho dong bao")

HOSTILE = [
    # --- the API ---
    pytest.param(api(lambda c: ('{"campaign": "x", "kind": ' + "[" * 1000 + "]" * 1000 + "}").encode()),
                 400, "The request body is nested more than 16 levels deep.", id="api-json-1000-deep"),
    pytest.param(api(lambda c: json.dumps(cash_body(c)).replace('"cash"', '"\\ud800"').encode()),
                 400, SURROGATE, id="api-lone-surrogate-kind"),
    pytest.param(api(lambda c: json.dumps(cash_body(c)).replace('"individual"', '"\\ud800"').encode()),
                 400, SURROGATE, id="api-lone-surrogate-donor-kind"),
    pytest.param(api(lambda c: cash_body(c, message="Chung tay\x00")),
                 400, {"message": [NULL_CHARACTERS]}, id="api-nul-in-message"),
    pytest.param(api(donor_with(full_name="Nguyễn\x00Văn An")),
                 400, {"donor": {"full_name": [NULL_CHARACTERS]}}, id="api-nul-in-name"),
    pytest.param(api(lines(21)), 400, {"items": {"non_field_errors": ["At most 20 goods lines can be pledged at once."]}},
                 id="api-21-goods-lines"),
    pytest.param(api(lines(50_000)), 413, "The request body is larger than 64 KB; send less at once.",
                 id="api-50000-goods-lines"),
    pytest.param(api(lambda c: cash_body(c, amount=10**30)), 400, {"amount": [PLEDGE_TOO_LARGE]},
                 id="api-amount-10e30"),
    pytest.param(api(lambda c: cash_body(c, amount="¹²³")), 400, {"amount": ["A valid integer is required."]},
                 id="api-superscript-amount"),
    pytest.param(api(lambda c: goods_body(c, items=[{"category": "rice", "quantity": "1e400"}])),
                 400, {"items": {"0": {"quantity": ["Ensure that there are no more than 14 digits in total."]}}},
                 id="api-quantity-1e400"),
    pytest.param(api(lambda c: goods_body(c, items=[{"category": "rice", "quantity": 1, "estimated_value": 2**70}])),
                 400, {"items": {"0": {"estimated_value": ["Ensure this value is less than or equal to 100000000000."]}}},
                 id="api-value-2e70"),
    pytest.param(api(lambda c: cash_body(c, campaign="bao-so-3\x00")),
                 400, {"campaign": [NULL_CHARACTERS,
                                    'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.']},
                 id="api-nul-in-campaign"),
    # --- the pledge pages: a NUL, which PostgreSQL refuses in a query ---
    pytest.param(page("/pledges/lookup/?reference=AB%00CD"), 404, None, id="lookup-nul"),
    pytest.param(page("/pledges/AB%00CD/"), 404, None, id="pledge-page-nul"),
    pytest.param(page("/api/v1/pledges/AB%00CD/"), 404, None, id="api-pledge-nul"),
    # --- the donate form ---
    pytest.param(donate(amount="¹²³"), 400, {"amount": [NOT_AN_AMOUNT]}, id="donate-superscript-amount"),
    pytest.param(donate(amount="100.000.000.001"), 400, {"amount": [PLEDGE_TOO_LARGE]}, id="donate-amount-too-large"),
    pytest.param(donate(full_name="An\x00"), 400, {"full_name": [NULL_CHARACTERS]}, id="donate-nul-in-name"),
    pytest.param(donate(kind="goods", amount="", **{"items-TOTAL_FORMS": "50000"}),
                 400, {"items": ["Please submit at most 20 forms."]}, id="donate-50000-goods-lines"),
    # --- the cash desk ---
    pytest.param(desk(amount="100.000.000.001"), 200, {"amount": [ENTRY_TOO_LARGE]}, id="desk-amount-too-large"),
    pytest.param(desk(amount="¹²³"), 200, {"amount": [NOT_AN_AMOUNT]}, id="desk-superscript-amount"),
    pytest.param(desk(amount="500.000", received_at_0="01/01/0001", received_at_1="00:00"),
                 200, {"received_at": [BEFORE_START]}, id="desk-year-1"),
    pytest.param(desk(amount="500.000", received_at_0="07/09/2024", received_at_1="23:59"),
                 200, {"received_at": [BEFORE_START]}, id="desk-before-the-campaign"),
    pytest.param(desk(amount="500.000", received_at_0="31/12/9999", received_at_1="23:59"),
                 200, {"received_at": ["The time received cannot be in the future."]}, id="desk-year-9999"),
    pytest.param(desk(amount="500.000", public_name="Nhà hảo tâm\x00"),
                 200, {"public_name": [NULL_CHARACTERS]}, id="desk-nul-in-name"),
    # --- the statement import ---
    pytest.param(import_statement(("01/01/0001", "FT1", "", "100,000", "ung ho")), "rejected",
                 f"Line 7, column “{DATE}”: “01/01/0001” is before the campaign started on 08/09/2024; "
                 "export the statement from that day on.", id="statement-year-1"),
    pytest.param(import_statement(OK_ROW, ("07/09/2024 23:59:00", "FT2", "", "100,000", "ung ho")), "rejected",
                 f"Line 8, column “{DATE}”: “07/09/2024 23:59” is before the campaign started on 08/09/2024; "
                 "export the statement from that day on.", id="statement-before-the-campaign"),
    pytest.param(import_statement(OK_ROW, ("01/01/2099", "FT2", "", "100,000", "ung ho")), "rejected",
                 f"Line 8, column “{DATE}”: “01/01/2099” is in the future.", id="statement-future"),
    pytest.param(import_statement(("08/09/2024", "FT1", "", "99999999999999999999", "ung ho")), "rejected",
                 f"Line 7, column “{CREDIT}”: “99999999999999999999” is larger than any amount a statement carries.",
                 id="statement-beyond-bigint"),
    pytest.param(import_statement(("08/09/2024", "FT1", "", "5,000,000,000,000,000,000", "ung ho"),
                                  ("08/09/2024", "FT2", "", "5,000,000,000,000,000,000", "ung ho")), "rejected",
                 f"Line 7, column “{CREDIT}”: “5,000,000,000,000,000,000” is larger than any amount a statement "
                 "carries.", id="statement-two-credits-whose-sum-overflows"),
    pytest.param(import_statement(OK_ROW, ("08/09/2024", "FT2", "", "100,000,000,001", "ung ho")), "rejected",
                 f"Line 8, column “{CREDIT}”: the credit “100.000.000.001 ₫” is above 100.000.000.000 ₫, the most "
                 "one receipt may be: check that the file is not damaged.", id="statement-credit-above-maximum"),
    pytest.param(import_statement(("08/09/2024", "FT1", "", "-50,000", "ung ho")), "rejected",
                 f"Line 7, column “{CREDIT}”: the credit “-50,000” is negative; money going out belongs in the "
                 "debit column.", id="statement-negative-credit"),
    pytest.param(import_statement(("08/09/2024", "FT1", "10,000,000,000,000,000", "", "chuyen di")), "rejected",
                 f"Line 7, column “{DEBIT}”: “10,000,000,000,000,000” is larger than any amount a statement carries.",
                 id="statement-debit-beyond-reason"),
    pytest.param(import_statement(("08/09/2024", "FT1", "", "100,000", "ung ho\x00")), "rejected",
                 "Line 7: wrong encoding — the file is neither UTF-8 nor UTF-16 text (probably Windows-1258). "
                 "Export the statement again as UTF-8 CSV or as Excel (.xlsx).", id="statement-nul"),
]


@pytest.mark.parametrize(("send", "status", "refusal"), HOSTILE)
def test_hostile_input_is_refused_cleanly_and_saves_nothing(world, send, status, refusal):
    # when the hostile input is sent
    answer = send(world)

    # then its sender reads exactly the clean refusal
    assert answer == (status, refusal)
    # and nothing at all was saved
    saved = [model.objects.count() for model in (Donor, Pledge, PledgeItem, Receipt, BankTransaction, JournalEntry)]
    assert saved == [0, 0, 0, 0, 0, 0]


# --- sums at the largest plausible size ------------------------------------------------------------------


def test_sums_of_entries_at_the_maximum_are_exact_in_python_and_in_sql(world):
    # given a statement of 2,000 credits of 100.000.000.000 ₫ each, the most one receipt may be, over ten
    # days: 200.000 tỷ đồng, a hundred times the largest appeal so far (Yagi, 2024). A bigint holds
    # 92 million entries at the maximum, so no realistic campaign can overflow a stored sum.
    rows = [
        (f"{8 + n % 10:02d}/09/2024", f"FT{n:08d}", "", "100,000,000,000", f"UH{n} ung ho") for n in range(2_000)
    ]
    total = 2_000 * MAX_CASH_AMOUNT

    # when it is imported and the campaign's figures are refreshed
    status, reason = import_statement(*rows)(world)
    totals = campaign_totals_refresh(campaign_id=world.campaign.pk)

    # then the import's own sum (Python), the ledger's sum (SQL) and the stored figures all agree, exactly
    imp = StatementImport.objects.get()
    assert (status, reason, imp.credits, imp.credited_amount) == ("done", "", 2_000, total)
    assert Receipt.objects.aggregate(total=Sum("amount"))["total"] == total
    assert sum(Receipt.objects.values_list("amount", flat=True)) == total
    assert (totals.cash_received, totals.receipts) == (total, 2_000)
    last_day = DailyTotals.objects.filter(campaign=world.campaign).order_by("day").last()
    assert (last_day.day, last_day.received_to_date) == (datetime.date(2024, 9, 17), total)


# --- bad rows of the past ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        # Saigon's local mean time before 1906 was UTC+7:06:40
        (datetime.datetime(1, 1, 1, 10, 0, tzinfo=datetime.UTC), "01/01/0001 17:06"),
        (datetime.datetime(9999, 12, 31, 23, 0, tzinfo=datetime.UTC), "31/12/9999 23:00 UTC"),
    ],
    ids=["year-1", "year-9999"],
)
def test_a_bad_date_stored_long_ago_never_breaks_the_staff_lists(world, stored, shown):
    # given a credit imported, whose receipt and bank transaction were then given an absurd date behind
    # the services' back (as rows accepted before dates were bounded)
    import_statement(OK_ROW)(world)
    Receipt.objects.update(received_at=stored)
    BankTransaction.objects.update(booked_at=stored)

    # when staff open the receipt and bank transaction lists
    receipts = world.staff.get("/admin/donations/receipt/")
    transfers = world.staff.get("/admin/donations/banktransaction/")

    # then both open, showing the row's date as well as it can be shown
    assert (receipts.status_code, transfers.status_code) == (200, 200)
    assert shown in receipts.content.decode() and shown in transfers.content.decode()
    # and a year typed into the address that no database can take is an invalid filter, not a 500
    assert world.staff.get("/admin/donations/receipt/?received_at__year=1").status_code in (200, 302)
