"""No side doors in the staff admin: ledger rows and pledges accept no change, no delete, no revert.

Logged in as central staff (who hold every permission of the portal's apps), each ledger and pledge
model is attacked by its admin URLs with a plausible changed payload — the change form, the delete
page, the "delete selected" action, the history revert form — and every row of every one of these
tables must read exactly as before. Rows shown only inside another page (items, decisions) have no
admin of their own, and their parent's change form refuses them.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from simple_history.admin import SimpleHistoryAdmin

from allocations.models import Allocation, AllocationItem
from campaigns.history import HistoryAdmin
from campaigns.models import Campaign
from donations.models import (
    BankTransaction,
    BankTransactionDecision,
    Pledge,
    PledgeItem,
    Receipt,
    ReceiptItem,
    StatementImport,
)
from donations.services import (
    DonorData,
    PledgeData,
    bank_transaction_mark_not_donation,
    pledge_create,
    receipt_record,
    statement_import_create,
    statement_import_run,
)
from ledger.services import ItemLine
from tests.allocations.helpers import allocate
from tests.donations.helpers import statement
from tests.factories import category

LEDGER_MODELS = [
    Pledge, PledgeItem, Receipt, ReceiptItem, Allocation, AllocationItem, BankTransaction, BankTransactionDecision,
    StatementImport,
]
DONOR = DonorData(kind="individual", full_name="Trần Thị Bình", phone="0912345678")


def snapshot() -> dict:
    """Every row of every ledger and pledge table, every column."""
    return {
        model.__name__: [
            tuple(getattr(row, f.attname) for f in model._meta.concrete_fields) for row in model.objects.order_by("pk")
        ]
        for model in LEDGER_MODELS
    }


@pytest.fixture
def ledger(open_campaign, central) -> dict:
    """One real row of each ledger and pledge model."""
    pledge = pledge_create(campaign=open_campaign, donor=DONOR, pledge=PledgeData(kind="cash", amount=500_000))
    goods_pledge = pledge_create(
        campaign=open_campaign, donor=DONOR,
        pledge=PledgeData(kind="goods", items=[ItemLine(category=category("rice"), quantity=Decimal("100"))]),
    )
    receipt = receipt_record(
        campaign=open_campaign, channel="goods", pledge=goods_pledge, recorded_by=central,
        items=[ItemLine(category=category("rice"), quantity=Decimal("60"), estimated_value=1_200_000)],
    )
    allocation = allocate(open_campaign, to="15", goods={"rice": "40"}, by=central)
    content = statement(("08/09/2024", "FT24252001", "", "300,000", f"{open_campaign.code} ZZZZ2222 ung ho"))
    imp = statement_import_create(
        account=open_campaign.accounts.get(), file_name="sao-ke.csv", content=content, uploaded_by=central
    )
    imp = statement_import_run(import_id=imp.pk)
    txn = BankTransaction.objects.get()
    bank_transaction_mark_not_donation(txn=txn, decided_by=central, note="Hoàn tiền nhầm")
    return {
        "pledge": pledge,
        "pledge_item": goods_pledge.items.get(),
        "receipt": receipt,
        "receipt_item": receipt.items.get(),
        "allocation": allocation,
        "allocation_item": allocation.items.get(),
        "bank_transaction": txn,
        "decision": txn.decisions.get(),
        "statement_import": imp,
    }


def management(prefix: str, total: int = 1, initial: int = 1) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# What a member of staff would type to turn each row into something else.
def pledge_payload(rows):
    pledge = rows["pledge"]
    return {
        "campaign": pledge.campaign_id, "donor": pledge.donor_id, "kind": "cash", "amount": "5000",
        "status": "received", "source": "staff", "message": "", **management("items", 0, 0),
    }


def pledge_item_payload(rows):
    item = rows["pledge_item"]
    return {
        "campaign": item.pledge.campaign_id, "donor": item.pledge.donor_id, "kind": "goods", "status": "received",
        "source": "web", **management("items"),
        "items-0-id": item.pk, "items-0-pledge": item.pledge_id, "items-0-category": item.category_id,
        "items-0-quantity": "1", "items-0-DELETE": "on",
    }


def receipt_payload(rows):
    receipt = rows["receipt"]
    return {
        "campaign": receipt.campaign_id, "kind": "cash", "amount": "1", "channel": "cash_desk",
        "public_name": "Người khác", "received_at_0": "2024-09-10", "received_at_1": "09:30", "reason": "x",
        **management("items"),
    }


def receipt_item_payload(rows):
    item = rows["receipt_item"]
    return {
        **receipt_payload(rows), "items-0-id": item.pk, "items-0-receipt": item.receipt_id,
        "items-0-category": item.category_id, "items-0-quantity": "1000", "items-0-DELETE": "on",
    }


def allocation_payload(rows):
    allocation = rows["allocation"]
    return {
        "campaign": allocation.campaign_id, "province": allocation.province_id, "kind": "cash", "amount": "1",
        "decision_number": "999/QĐ", "decision_date": "2024-09-20", "purpose": "Khác", "status": "disbursed",
        "disbursed_on": "2024-09-21", **management("items"),
    }


def allocation_item_payload(rows):
    item = rows["allocation_item"]
    return {
        **allocation_payload(rows), "items-0-id": item.pk, "items-0-allocation": item.allocation_id,
        "items-0-category": item.category_id, "items-0-quantity": "4000", "items-0-DELETE": "on",
    }


def bank_transaction_payload(rows):
    txn = rows["bank_transaction"]
    return {
        "account": txn.account_id, "statement_import": txn.statement_import_id, "line": "1",
        "booked_at_0": "2024-09-08", "booked_at_1": "00:00", "amount": "30000000", "description": "SAI",
        "status": "matched", **management("decisions"), **management("receipts", 0, 0),
    }


def decision_payload(rows):
    decision = rows["decision"]
    return {
        **bank_transaction_payload(rows), "decisions-0-id": decision.pk, "decisions-0-transaction": decision.transaction_id,
        "decisions-0-decision": "assign", "decisions-0-note": "sửa", "decisions-0-DELETE": "on",
    }


def statement_import_payload(rows):
    imp = rows["statement_import"]
    return {"account": imp.account_id, "file_name": "khac.csv", "status": "rejected", "credited_amount": "1"}


@dataclass
class Target:
    key: str
    admin_name: str  # the model whose admin URLs are attacked (the parent's for inline rows)
    payload: object
    expected: dict = field(default_factory=dict)


REFUSED = {"change": 403, "delete": 403}
TARGETS = [
    # "delete selected": a redirect with "no action" for an admin with actions (pledges can only be
    # cancelled), the list shown again for one without; the history form of a history admin: 403,
    # elsewhere the admin's catch-all redirect to the (read-only) change page.
    Target("pledge", "donations_pledge", pledge_payload, {**REFUSED, "delete selected": 302, "revert": 403}),
    Target("pledge_item", "donations_pledge", pledge_item_payload, {"change": 403}),
    Target("receipt", "donations_receipt", receipt_payload, {**REFUSED, "delete selected": 200, "revert": 302}),
    Target("receipt_item", "donations_receipt", receipt_item_payload, {"change": 403}),
    Target("allocation", "allocations_allocation", allocation_payload, {**REFUSED, "delete selected": 200, "revert": 403}),
    Target("allocation_item", "allocations_allocation", allocation_item_payload, {"change": 403}),
    Target("bank_transaction", "donations_banktransaction", bank_transaction_payload,
           {**REFUSED, "delete selected": 200, "revert": 302}),
    Target("decision", "donations_banktransaction", decision_payload, {"change": 403}),
    Target("statement_import", "donations_statementimport", statement_import_payload,
           {**REFUSED, "delete selected": 200, "revert": 302}),
]
PARENT = {"pledge_item": "pledge", "receipt_item": "receipt", "allocation_item": "allocation", "decision": "bank_transaction"}


def parent_of(rows: dict, target: Target):
    """The row whose admin page shows this one: itself, or the pledge/receipt/allocation/transaction it belongs to."""
    if target.key not in PARENT:
        return rows[target.key]
    row = rows[target.key]
    return {"pledge_item": lambda: row.pledge, "receipt_item": lambda: row.receipt,
            "allocation_item": lambda: row.allocation, "decision": lambda: row.transaction}[target.key]()


def history_url(target: Target, obj) -> str:
    version = obj.history.order_by("history_id").first().history_id if hasattr(obj, "history") else 1
    try:
        return reverse(f"admin:{target.admin_name}_simple_history", args=[obj.pk, version])
    except NoReverseMatch:  # no history admin: the path still exists as the admin's catch-all
        return reverse(f"admin:{target.admin_name}_change", args=[obj.pk]).replace("/change/", f"/history/{version}/")


@pytest.mark.parametrize("target", TARGETS, ids=[t.key for t in TARGETS])
def test_central_staff_change_nothing_through_the_admin(ledger, staff_client, central, target):
    # given central staff, who hold every permission of the portal's apps, and one row of each ledger table
    client = staff_client(central)
    obj = parent_of(ledger, target)
    before = snapshot()

    # when they post a changed row to its change page, confirm its deletion, pick "delete selected"
    # on the list, and post to its history form
    responses = {"change": client.post(reverse(f"admin:{target.admin_name}_change", args=[obj.pk]), target.payload(ledger))}
    if target.key not in PARENT:
        responses["delete"] = client.post(reverse(f"admin:{target.admin_name}_delete", args=[obj.pk]), {"post": "yes"})
        responses["delete selected"] = client.post(
            reverse(f"admin:{target.admin_name}_changelist"),
            {"action": "delete_selected", "index": "0", "_selected_action": [obj.pk], "post": "yes"},
        )
        responses["revert"] = client.post(history_url(target, obj), target.payload(ledger))

    # then each is refused or leads nowhere
    assert {name: response.status_code for name, response in responses.items()} == target.expected
    if target.expected.get("delete selected") == 302:
        assert responses["delete selected"]["Location"] == reverse(f"admin:{target.admin_name}_changelist")
    if target.expected.get("revert") == 302:  # the catch-all takes "<id>/history/<v>" for an id and finds nothing
        assert responses["revert"]["Location"].endswith("/change/")
    # and every row of every ledger and pledge table reads exactly as before
    assert snapshot() == before


def test_the_bug_that_started_it_a_pledge_cannot_be_marked_received(ledger, staff_client, central):
    client = staff_client(central)
    pledge = ledger["pledge"]

    response = client.post(reverse("admin:donations_pledge_change", args=[pledge.pk]), pledge_payload(ledger))
    page = client.get(reverse("admin:donations_pledge_change", args=[pledge.pk])).content.decode()

    assert response.status_code == 403
    pledge.refresh_from_db()
    assert (pledge.amount, pledge.status) == (500_000, "pledged")
    # the page only shows: no form field to type a status or an amount into, no save or delete button
    assert 'name="status"' not in page and 'name="amount"' not in page
    assert 'name="_save"' not in page and "deletelink" not in page
    assert "500.000 ₫" in page


@pytest.mark.parametrize("key", ["pledge_item", "receipt_item", "allocation_item", "decision"])
def test_rows_shown_inside_another_page_have_no_admin_of_their_own(ledger, key):
    model = type(ledger[key])

    assert model not in admin.site._registry
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[ledger[key].pk])


# --- every registered admin --------------------------------------------------------------------

APPS = ("campaigns", "donations", "allocations")
READ_ONLY = {model.__name__ for model in LEDGER_MODELS}


def registered():
    return sorted(
        ((model, model_admin) for model, model_admin in admin.site._registry.items()
         if model._meta.app_label in APPS),
        key=lambda pair: pair[0].__name__,
    )


@pytest.mark.parametrize(("model", "model_admin"), registered(), ids=[m.__name__ for m, _a in registered()])
def test_every_admin_is_read_only_or_edits_with_history_and_never_deletes(central, model, model_admin):
    request = RequestFactory().get("/admin/")
    request.user = central
    actions = model_admin.get_actions(request)

    # nothing is deleted in the staff admin: not a row, not by a bulk action, not from an inline
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in actions
    assert all(not inline.can_delete or not inline.has_delete_permission(request, None)
               for inline in model_admin.get_inline_instances(request))
    if model.__name__ in READ_ONLY:
        # ledgers and pledges: no change form, no editable list, no inline that edits
        assert not model_admin.has_change_permission(request)
        assert not model_admin.list_editable
    elif model_admin.has_change_permission(request) or model_admin.has_add_permission(request):
        # what staff may write is kept with its history, which never writes back
        assert isinstance(model_admin, HistoryAdmin), model.__name__
        assert model_admin.revert_disabled(request)
    if isinstance(model_admin, SimpleHistoryAdmin):
        assert isinstance(model_admin, HistoryAdmin), model.__name__


def test_a_past_version_cannot_be_posted_back_even_by_staff_who_may_change(open_campaign, staff_client, central):
    # given a campaign renamed once, so its history holds the old name
    old_name = open_campaign.name
    open_campaign.name = "Tên mới của cuộc vận động"
    open_campaign.save()
    first = open_campaign.history.order_by("history_id").first()
    client = staff_client(central)
    url = reverse("admin:campaigns_campaign_simple_history", args=[open_campaign.pk, first.history_id])

    # when central staff (who may change campaigns) open the old version and post it back
    shown = client.get(url)
    posted = client.post(url, {
        "slug": open_campaign.slug, "name": old_name, "summary": "x", "description": "x", "status": "active",
        "starts_on": "2024-09-08", "code": open_campaign.code, "province_set": "2025",
        **management("accounts", 0, 0), **management("dropoff_points", 0, 0),
    })

    # then the version is shown read-only, without a revert button, and the post is refused
    assert shown.status_code == 200
    assert old_name in shown.content.decode() and 'name="_save"' not in shown.content.decode()
    assert posted.status_code == 403
    open_campaign.refresh_from_db()
    assert open_campaign.name == "Tên mới của cuộc vận động"
    assert Campaign.objects.get(pk=open_campaign.pk).history.count() == 2


# --- the pages that stop someone --------------------------------------------------------------


def test_the_403_page_is_the_portals_with_a_way_back(ledger, client, lao_cai_staff):
    client.force_login(lao_cai_staff)

    response = client.get(reverse("admin:donations_pledge_changelist"))

    page = response.content.decode()
    assert response.status_code == 403
    assert 'class="site-header"' in page and 'data-testid="forbidden"' in page
    assert "Bạn không có quyền thực hiện thao tác này" in page
    assert "You are not allowed to do this" in page
    assert f'href="{reverse("admin:index")}"' in page and f'href="{reverse("transparency:home")}"' in page


def test_the_lockout_page_is_the_portals_with_a_way_back(db, settings, client, central):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    reset()
    for n in range(5):
        response = client.post("/admin/login/", {"username": "trunguong", "password": f"sai-{n}"},
                               REMOTE_ADDR="203.0.113.9")
    reset()

    page = response.content.decode()
    assert response.status_code == 429
    assert 'class="site-header"' in page and 'data-testid="locked-out"' in page
    assert "Tạm khóa đăng nhập" in page and "Login temporarily locked" in page
    assert f'href="{reverse("admin:login")}"' in page
