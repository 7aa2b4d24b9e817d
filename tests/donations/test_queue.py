"""The bank queue: one transfer split between pledges, suggested pledges, what staff typed kept after
an error, the queue count, and every date of a bank line in Vietnam's time."""

import datetime
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from donations.models import BankTransaction, BankTransactionDecision, Pledge, Receipt
from donations.selectors import bank_queue_count, bank_transaction_candidates, name_key
from donations.services import (
    PledgeShare,
    bank_transaction_assign_shares,
    bank_transaction_confirm_direct,
    receipt_record,
    statement_import_create,
    statement_import_run,
)
from ledger.signals import ledger_changed
from tests.donations.helpers import statement
from tests.factories import CampaignFactory, DonorFactory, PledgeFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _english():
    # Messages raised by the services are in the active language; assert on the English originals.
    with translation.override("en"):
        yield


@pytest.fixture
def staff_en(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


def import_rows(account, user, *rows) -> dict[str, BankTransaction]:
    imp = statement_import_create(account=account, file_name="sao-ke.csv", content=statement(*rows), uploaded_by=user)
    statement_import_run(import_id=imp.pk)
    return {t.bank_reference: t for t in BankTransaction.objects.filter(statement_import=imp)}


def change_url(txn) -> str:
    return reverse("admin:donations_banktransaction_change", args=[txn.pk])


def assign_url(txn) -> str:
    return reverse("admin:donations_banktransaction_assign", args=[txn.pk])


def shares_post(reference, amount="", *more, note="") -> dict:
    """The assign form as the browser posts it: the first pledge, then the rows of the others."""
    data = {"reference": reference, "amount": amount, "note": note,
            "shares-TOTAL_FORMS": "9", "shares-INITIAL_FORMS": "0",
            "shares-MIN_NUM_FORMS": "0", "shares-MAX_NUM_FORMS": "9"}
    for row in range(9):
        ref, amt = more[row] if row < len(more) else ("", "")
        data[f"shares-{row}-reference"], data[f"shares-{row}-amount"] = ref, amt
    return data


def field_errors(page: str, input_id: str) -> list[str]:
    """The error messages Django renders for one input (the errorlist right before it)."""
    match = re.search(r'<ul class="errorlist"[^>]*>((?:(?!</ul>).)*)</ul>\s*<input[^>]*id="%s"' % input_id, page, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


# --- one transfer, several pledges ----------------------------------------------------------------


@pytest.fixture
def company(open_campaign):
    """Three pledges of one company (300.000, 500.000, 700.000 ₫)."""
    donor = DonorFactory(
        organization=True, organization_name="Công ty Cổ phần Thực phẩm Sao Mai", public_display="full"
    )
    return [
        PledgeFactory(campaign=open_campaign, donor=donor, amount=amount, reference=reference)
        for reference, amount in (("AAAA2222", 300_000), ("BBBB3333", 500_000), ("CCCC4444", 700_000))
    ]


@pytest.fixture
def company_transfer(account, admin_user, company):
    """1.000.000 ₫ quoting the three references, whose pledged amounts add up to 1.500.000 ₫: queued."""
    code = account.campaign.code
    txn = import_rows(account, admin_user, (
        "10/09/2024 14:05:00", "FT900", "", "1,000,000",
        f"{code} AAAA2222 {code} BBBB3333 {code} CCCC4444 CTY CP THUC PHAM SAO MAI ung ho",
    ))["FT900"]
    assert (txn.status, txn.queue_code) == ("queued", "amounts_differ")
    return txn


def test_a_transfer_split_between_three_pledges(
    account, admin_user, company, company_transfer, django_capture_on_commit_callbacks
):
    # given a queued transfer of 1.000.000 ₫ paying three pledges of one company
    code = account.campaign.code
    announced = []

    def listener(sender, campaign_id, **kwargs):
        announced.append(campaign_id)

    ledger_changed.connect(listener)
    try:
        # when staff split it: 300.000 + 200.000 + 500.000
        with django_capture_on_commit_callbacks(execute=True):
            receipts = bank_transaction_assign_shares(
                txn=company_transfer, decided_by=admin_user, note="Công văn số 12/SM",
                shares=[PledgeShare("aaaa2222", 300_000), PledgeShare(" BBBB 3333", 200_000),
                        PledgeShare("CCCC4444", 500_000)],
            )
    finally:
        ledger_changed.disconnect(listener)

    # then each share is a receipt of its pledge, numbered in order, dated at the booking
    assert [(r.number, r.pledge.reference, r.amount) for r in receipts] == [
        (f"{code}-000001", "AAAA2222", 300_000), (f"{code}-000002", "BBBB3333", 200_000),
        (f"{code}-000003", "CCCC4444", 500_000),
    ]
    name, booked = "Công ty Cổ phần Thực phẩm Sao Mai", company_transfer.booked_at
    assert list(
        Receipt.objects.order_by("sequence").values_list(
            "pledge__reference", "amount", "channel", "bank_transaction", "public_name", "received_at")
    ) == [
        ("AAAA2222", 300_000, "bank", company_transfer.pk, name, booked),
        ("BBBB3333", 200_000, "bank", company_transfer.pk, name, booked),
        ("CCCC4444", 500_000, "bank", company_transfer.pk, name, booked),
    ]
    # and the pledge statuses follow what came in
    assert dict(Pledge.objects.values_list("reference", "status")) == {
        "AAAA2222": "received", "BBBB3333": "partly_received", "CCCC4444": "partly_received",
    }
    # and one decision is logged, the transfer is matched and one ledger change is announced
    decisions = BankTransactionDecision.objects.values_list("transaction", "decision", "pledge", "note", "decided_by")
    assert list(decisions) == [(company_transfer.pk, "assign", None, "Công văn số 12/SM", admin_user.pk)]
    assert BankTransaction.objects.get(pk=company_transfer.pk).status == "matched"
    assert announced == [account.campaign_id]


def test_a_split_whose_amounts_differ_from_the_transfer_is_refused_and_nothing_saved(
    admin_user, company, company_transfer
):
    with pytest.raises(ValidationError) as refused:
        bank_transaction_assign_shares(
            txn=company_transfer, decided_by=admin_user,
            shares=[PledgeShare("AAAA2222", 300_000), PledgeShare("BBBB3333", 500_000)],
        )

    assert refused.value.message_dict == {
        "shares": ["The amounts add up to 800.000 ₫ but the transfer is 1.000.000 ₫: they must be equal."]
    }
    assert not Receipt.objects.exists()
    assert not BankTransactionDecision.objects.exists()
    assert BankTransaction.objects.get(pk=company_transfer.pk).status == "queued"
    assert set(Pledge.objects.values_list("status", flat=True)) == {"pledged"}


def test_each_wrong_share_is_named_with_its_row(admin_user, company, company_transfer):
    # given a cancelled pledge and a pledge of another campaign
    PledgeFactory(campaign=company[0].campaign, reference="DDDD5555", status=Pledge.Status.CANCELLED)
    PledgeFactory(campaign=CampaignFactory(), reference="EEEE6666")

    with pytest.raises(ValidationError) as refused:
        bank_transaction_assign_shares(txn=company_transfer, decided_by=admin_user, shares=[
            PledgeShare("AAAA2222", 300_000), PledgeShare("ZZZZ9999", 100_000), PledgeShare("aaaa2222", 100_000),
            PledgeShare("DDDD5555", 100_000), PledgeShare("EEEE6666", 100_000), PledgeShare("BBBB3333"),
            PledgeShare("", 0),
        ])

    errors = refused.value.error_dict
    assert [(e.params["row"], e.params["reference"], e.messages[0]) for e in errors["reference"]] == [
        (1, "ZZZZ9999", "No pledge has this reference."),
        (2, "AAAA2222", "This pledge is listed twice."),
        (3, "DDDD5555", "Only an open cash pledge can be settled by a transfer."),
        (4, "EEEE6666", "This pledge belongs to another campaign."),
        (6, "", "Enter a pledge reference."),
    ]
    assert [(e.params["row"], e.messages[0]) for e in errors["amount"]] == [
        (5, "Enter the amount of this pledge's share."),
        (6, "The amount must be a positive number of đồng."),
    ]
    assert not Receipt.objects.exists() and not BankTransactionDecision.objects.exists()


def test_a_direct_gift_reassigned_to_two_pledges(account, admin_user, company):
    # given a transfer without reference, taken as a direct gift
    txn = import_rows(account, admin_user, ("10/09/2024", "FT901", "", "800,000", "ung ho bao lu"))["FT901"]
    code = account.campaign.code
    assert list(Receipt.objects.values_list("number", "amount", "pledge")) == [(f"{code}-000001", 800_000, None)]

    # when staff learn it paid two pledges
    bank_transaction_assign_shares(
        txn=txn, decided_by=admin_user, shares=[PledgeShare("AAAA2222", 300_000), PledgeShare("BBBB3333", 500_000)]
    )

    # then the direct receipt is reversed and each pledge gets its receipt: the ledger counts 800.000 ₫ once
    assert list(
        Receipt.objects.order_by("sequence").values_list("number", "amount", "pledge__reference", "reason")
    ) == [
        (f"{code}-000001", 800_000, None, ""),
        (f"{code}-000002", -800_000, None, "Assigned to pledges AAAA2222, BBBB3333"),
        (f"{code}-000003", 300_000, "AAAA2222", ""),
        (f"{code}-000004", 500_000, "BBBB3333", ""),
    ]
    assert sum(Receipt.objects.values_list("amount", flat=True)) == 800_000
    assert dict(Pledge.objects.values_list("reference", "status")) == {
        "AAAA2222": "received", "BBBB3333": "received", "CCCC4444": "pledged",
    }


def test_admin_splits_a_transfer_between_pledges(staff_en, admin_user, account, company, company_transfer):
    code = account.campaign.code

    response = staff_en.post(assign_url(company_transfer), shares_post(
        "AAAA2222", "300.000", ("bbbb3333", "200.000"), ("", ""), ("CCCC4444", "500000"), note="Công văn 12/SM",
    ), follow=True)

    page = response.content.decode()
    assert (
        f"Assigned to pledges AAAA2222, BBBB3333, CCCC4444: receipts {code}-000001, {code}-000002, {code}-000003."
        in page
    )
    assert list(Receipt.objects.order_by("sequence").values_list("pledge__reference", "amount")) == [
        ("AAAA2222", 300_000), ("BBBB3333", 200_000), ("CCCC4444", 500_000),
    ]
    assert BankTransactionDecision.objects.get().pledge is None
    # the decision log names each pledge with its share
    log = page[page.index("Decision log"):page.index("Receipts created from this transaction")]
    assert re.sub(r"<[^>]+>", "", log).count("AAAA2222 (300.000 ₫), BBBB3333 (200.000 ₫), CCCC4444 (500.000 ₫)") == 1


def test_admin_refuses_a_split_that_does_not_add_up_and_keeps_what_was_typed(staff_en, company, company_transfer):
    # when staff split 1.000.000 ₫ as 300.000 + 500.000
    response = staff_en.post(assign_url(company_transfer), shares_post(
        "AAAA2222", "300.000", ("bbbb3333", "500.000"), note="Theo công văn",
    ))

    # then the page comes back with the message and every value typed, and nothing is saved
    assert response.status_code == 200
    page = response.content.decode()
    assert "The amounts add up to 800.000 ₫ but the transfer is 1.000.000 ₫: they must be equal." in page
    assert 'name="reference" value="AAAA2222"' in page
    assert 'name="amount" value="300.000"' in page
    assert 'name="shares-0-reference" value="bbbb3333"' in page
    assert 'name="shares-0-amount" value="500.000"' in page
    assert 'name="note" value="Theo công văn"' in page
    assert '<details class="more-pledges" open>' in page
    assert not Receipt.objects.exists() and not BankTransactionDecision.objects.exists()
    assert BankTransaction.objects.get(pk=company_transfer.pk).status == "queued"


def test_admin_puts_each_refusal_on_its_row(staff_en, company, company_transfer):
    response = staff_en.post(assign_url(company_transfer), shares_post(
        "AAAA2222", "300.000", ("ZZZZ9999", "200.000"), ("", "500.000"),
    ))

    page = response.content.decode()
    assert field_errors(page, "id_assign_reference") == []
    assert field_errors(page, "id_assign_shares-0-reference") == ["No pledge has this reference."]
    assert field_errors(page, "id_assign_shares-1-reference") == ["Enter a pledge reference."]
    assert 'name="shares-0-reference" value="ZZZZ9999"' in page
    assert not Receipt.objects.exists()


def test_admin_keeps_a_wrong_reference_and_shows_why(staff_en, company, company_transfer):
    # when staff assign the whole transfer to a reference no pledge has
    response = staff_en.post(assign_url(company_transfer), {"reference": "zzzz3333", "note": "Khách gọi điện"})

    # then the change page is shown again with the typed values and the error on the reference field
    assert response.status_code == 200
    page = response.content.decode()
    assert field_errors(page, "id_assign_reference") == ["No pledge has this reference."]
    assert 'name="reference" value="zzzz3333"' in page
    assert 'name="note" value="Khách gọi điện"' in page
    assert 'id="banktransaction_form"' in page  # the whole change page, not a bare form
    assert BankTransaction.objects.get(pk=company_transfer.pk).status == "queued"
    assert not BankTransactionDecision.objects.exists()


def test_admin_keeps_a_note_refused_by_the_form(staff_en, company_transfer):
    response = staff_en.post(
        reverse("admin:donations_banktransaction_not_donation", args=[company_transfer.pk]),
        {"note": "Hoàn tiền <script>"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="note" value="Hoàn tiền &lt;script&gt;"' in page
    assert re.search(r'<ul class="errorlist"[^>]*><li>[^<]+</li></ul>\s*<input[^>]*id="id_not_donation_note"', page)
    assert BankTransaction.objects.get(pk=company_transfer.pk).status == "queued"


def test_a_decision_on_a_transfer_decided_meanwhile_is_a_message(staff_en, admin_user, company_transfer):
    bank_transaction_confirm_direct(txn=company_transfer, decided_by=admin_user)

    response = staff_en.post(
        reverse("admin:donations_banktransaction_not_donation", args=[company_transfer.pk]), {}, follow=True
    )

    assert response.redirect_chain == [(change_url(company_transfer), 302)]
    assert "This transaction has already been decided." in response.content.decode()
    assert BankTransaction.objects.get(pk=company_transfer.pk).status == "direct"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_one_transfer_at_once_write_one_decision(reference_data, account, admin_user, company):
    # given a queued transfer of 1.000.000 ₫
    code = account.campaign.code
    txn = import_rows(account, admin_user, ("10/09/2024", "FT950", "", "1,000,000",
                                            f"{code} AAAA2222 {code} BBBB3333"))["FT950"]
    assert txn.status == "queued"
    plans = {"split": [PledgeShare("AAAA2222", 300_000), PledgeShare("CCCC4444", 700_000)],
             "whole": [PledgeShare("BBBB3333")]}
    barrier = threading.Barrier(len(plans), timeout=30)
    outcomes: dict[str, object] = {}

    def race(name, shares):
        try:
            with translation.override("en"):
                barrier.wait()  # both call the service at the same moment, each on its own connection
                outcomes[name] = bank_transaction_assign_shares(txn=txn, shares=shares, decided_by=admin_user)
        except Exception as exc:  # noqa: BLE001 - a ValidationError is expected; anything else fails below
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=item) for item in plans.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one decision wins whole, the other is refused, and the ledger holds the transfer once
    assert not any(thread.is_alive() for thread in threads)
    refused = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    won = [name for name, o in outcomes.items() if isinstance(o, list)]
    assert (len(won), [e.messages for e in refused]) == (1, [["This transaction has already been decided."]]), outcomes
    assert BankTransactionDecision.objects.filter(transaction=txn).count() == 1
    assert sorted(Receipt.objects.filter(bank_transaction=txn).values_list("pledge__reference", "amount")) == sorted(
        (share.reference, share.amount or 1_000_000) for share in plans[won[0]]
    )
    assert list(Receipt.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, len(plans[won[0]]) + 1)
    )


# --- suggested pledges ----------------------------------------------------------------------------


def at(day: int, hour: int = 10, month: int = 9) -> datetime.datetime:
    return datetime.datetime(2024, month, day, hour, 0, tzinfo=VN)


@pytest.fixture
def payer_transfer(account, admin_user):
    """500.000 ₫ booked on 10/09/2024 10:00 by TRAN THI BICH, quoting a reference nobody has."""
    code = account.campaign.code
    return import_rows(account, admin_user, (
        "10/09/2024 10:00:00", "FT777", "", "500,000",
        f"MBVCB.123.{code} ZZZZ2222.CT tu 0011004123456 TRAN THI BICH toi 0011001932418",
    ))["FT777"]


@pytest.fixture
def suggested(open_campaign, admin_user):
    """Pledges around the transfer; the comment says what each one has in common with it."""
    bich = dict(full_name="Trần Thị Bích", phone="0912000111", email="bich@example.vn")
    other = dict(full_name="Lê Văn Cường")

    def pledge(reference, created_at, amount=500_000, donor=other, campaign=open_campaign, **kwargs):
        return PledgeFactory(campaign=campaign, donor=DonorFactory(**donor), reference=reference, amount=amount,
                             created_at=created_at, **kwargs)

    pledge("NAME5AMT", at(9), donor=bich)  # name, amount, a day before
    pledge("AMT2HOUR", at(10, 8))  # amount, two hours before
    pledge("AMT5DAYS", at(5))  # amount, five days before
    pledge("NAMEONLY", at(20, month=8), amount=2_000_000,
           donor=dict(full_name="TRẦN  thị BÍCH", phone="0912000222"))  # name (folded), three weeks before
    pledge("NAME2DAY", at(8), amount=300_000, donor=bich)  # name, two days before
    partly = pledge("OWED3DAY", at(7), amount=1_000_000)  # 500.000 still owed, three days before
    receipt_record(campaign=open_campaign, channel="cash_desk", recorded_by=admin_user, amount=500_000, pledge=partly)
    # not suggested: too early, cancelled, received, goods, another campaign, pledged after the transfer
    pledge("TOOEARLY", at(1))
    pledge("CANCELED", at(9), donor=bich, status=Pledge.Status.CANCELLED)
    pledge("RECEIVED", at(9), donor=bich, status=Pledge.Status.RECEIVED)
    pledge("GOODSXYZ", at(9), donor=bich, goods=True, amount=None)
    pledge("ELSEWHER", at(9), donor=bich, campaign=CampaignFactory())
    pledge("TOOLATE2", at(12))


def test_candidates_are_ranked_by_name_amount_then_date(payer_transfer, suggested):
    candidates = bank_transaction_candidates(txn=payer_transfer)

    assert [(c.pledge.reference, c.reasons) for c in candidates] == [
        ("NAME5AMT", ["payer's name", "same amount", "pledged shortly before"]),
        ("AMT2HOUR", ["same amount", "pledged shortly before"]),
        ("NAME2DAY", ["payer's name", "pledged shortly before"]),
        ("OWED3DAY", ["same amount", "pledged shortly before"]),
        ("AMT5DAYS", ["same amount", "pledged shortly before"]),
        ("NAMEONLY", ["payer's name"]),
    ]
    assert [c.pledge.reference for c in bank_transaction_candidates(txn=payer_transfer, limit=2)] == [
        "NAME5AMT", "AMT2HOUR",
    ]
    # only what the public name needs is loaded: never the donor's contact data
    assert {"phone", "email", "address", "tax_code"} <= candidates[0].pledge.donor.get_deferred_fields()


def test_without_a_payer_name_only_amount_and_date_suggest(account, admin_user, suggested):
    txn = import_rows(account, admin_user, ("10/09/2024 10:00:00", "FT778", "", "500,000",
                                            f"{account.campaign.code} ZZZZ2222 ung ho"))["FT778"]

    assert [c.pledge.reference for c in bank_transaction_candidates(txn=txn)] == [
        "AMT2HOUR", "NAME5AMT", "OWED3DAY", "AMT5DAYS",
    ]


def test_names_compare_folded_with_company_abbreviations_spelled_out():
    assert name_key("Trần Thị Bích") == name_key("tran thibich") == "TRANTHIBICH"
    assert name_key("Đỗ Đức Dũng") == "DODUCDUNG"
    assert name_key("Nguyễn Văn An") != name_key("Nguyễn Văn Ánh")
    assert name_key("Công ty Cổ phần Thực phẩm Sao Mai", company=True) == name_key(
        "CTY CP THUC PHAM  SAO-MAI", company=True) == "CONGTYCOPHANTHUCPHAMSAOMAI"


@pytest.mark.parametrize("name", [
    "Trần Thị Bích", "TRẦN  thị-BÍCH", "tran thi bich", "Tra\u0300n Thi\u0323 Bi\u0301ch",  # the last decomposed
])
def test_the_database_finds_a_payer_name_however_it_was_typed(open_campaign, payer_transfer, name):
    # given a pledge whose donor typed the payer's name with other case, spacing or (decomposed) accents
    PledgeFactory(campaign=open_campaign, donor=DonorFactory(full_name=name), amount=9_000, reference="WHOEVER2",
                  created_at=at(1))

    # then the database's narrowing keeps it and the folded comparison takes it
    assert [(c.pledge.reference, c.reasons) for c in bank_transaction_candidates(txn=payer_transfer)] == [
        ("WHOEVER2", ["payer's name"]),
    ]


def test_the_page_lists_candidates_and_one_click_prefills_the_reference(staff_en, payer_transfer, suggested):
    page = staff_en.get(change_url(payer_transfer)).content.decode()

    rows = re.findall(r'<tr class="candidate">(.*?)</tr>', page, re.S)
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]
    assert [cell[:5] for cell in cells] == [
        ["NAME5AMT", "Trần T. B.", "500.000 ₫", "09/09/2024 10:00",
         "payer&#x27;s name, same amount, pledged shortly before"],
        ["AMT2HOUR", "Lê V. C.", "500.000 ₫", "10/09/2024 08:00", "same amount, pledged shortly before"],
        ["NAME2DAY", "Trần T. B.", "300.000 ₫", "08/09/2024 10:00", "payer&#x27;s name, pledged shortly before"],
        ["OWED3DAY", "Lê V. C.", "1.000.000 ₫", "07/09/2024 10:00", "same amount, pledged shortly before"],
        ["AMT5DAYS", "Lê V. C.", "500.000 ₫", "05/09/2024 10:00", "same amount, pledged shortly before"],
        ["NAMEONLY", "TRẦN T. B.", "2.000.000 ₫", "20/08/2024 10:00", "payer&#x27;s name"],
    ]
    for private in ("0912000111", "0912000222", "bich@example.vn"):
        assert private not in page
    assert f'href="{change_url(payer_transfer)}?reference=NAME5AMT#assign"' in page

    prefilled = staff_en.get(change_url(payer_transfer) + "?reference=NAME5AMT").content.decode()
    assert 'name="reference" value="NAME5AMT"' in prefilled


def test_candidates_are_shown_only_to_staff_who_decide(client, django_user_model, payer_transfer, suggested):
    user = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_banktransaction"))
    client.force_login(user)

    page = client.get(change_url(payer_transfer)).content.decode()

    assert "NAME5AMT" not in page


# --- the queue count ------------------------------------------------------------------------------


def test_bank_queue_count_counts_only_waiting_credits(staff_en, account, admin_user):
    code = account.campaign.code
    import_rows(account, admin_user,
                ("11/09/2024", "FT1", "", "100,000", f"{code} YYYY2222"),
                ("11/09/2024", "FT2", "", "100,000", "ung ho"),
                ("11/09/2024", "FT3", "15,000", "", "phi SMS"),
                ("11/09/2024", "FT4", "", "200,000", f"{code} XXXX3333 ung ho"))

    assert bank_queue_count() == 2
    listing = staff_en.get(reverse("admin:donations_banktransaction_changelist")).content.decode()
    assert "Queue (2 waiting)" in listing


# --- Vietnam's time -------------------------------------------------------------------------------


@pytest.mark.parametrize(("booked", "utc", "shown"), [
    ("31/12/2024 23:30:00", datetime.datetime(2024, 12, 31, 16, 30, tzinfo=datetime.UTC), "31/12/2024"),
    ("01/01/2025 00:30:00", datetime.datetime(2024, 12, 31, 17, 30, tzinfo=datetime.UTC), "01/01/2025"),
])
def test_a_bank_line_shows_its_vietnam_date_everywhere(staff_en, account, admin_user, booked, utc, shown):
    # given a transfer booked near midnight, Vietnam time (stored in UTC)
    txn = import_rows(account, admin_user, (booked, "FT0", "", "100,000", "ung ho"))["FT0"]
    assert txn.booked_at == utc
    time = booked[11:16]

    # then str(), the list row and the change page's title all give the Vietnamese date
    assert str(txn) == f"{shown} +100.000 ₫ ung ho"
    listing = staff_en.get(reverse("admin:donations_banktransaction_changelist")).content.decode()
    assert re.search(r'<th class="field-booked_at_short"><a href="[^"]+">%s %s</a></th>' % (shown, time), listing)
    page = staff_en.get(change_url(txn)).content.decode()
    assert re.search(r"<title>%s \+100\.000 ₫ ung ho \|" % shown, page)
    assert f"<h2>{shown} +100.000 ₫ ung ho</h2>" in page
    assert f"{shown} {time}" in page  # the decision panel's facts
