"""Reads of the donations app. Public selectors never load donor contact data."""

import functools
import re
import string
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from campaigns.cached import campaign_open_or_closed
from campaigns.models import Campaign, DropOffPoint, Province, ReceivingAccount
from campaigns.text import vietnamese_sort_key
from ledger.models import Kind

from .matching import fold, payer_from_text
from .models import BankTransaction, Donor, Pledge, Receipt, StatementImport
from .vietqr import vietqr_payload

# An import's run records a heartbeat with every chunk (a chunk takes about a second); an import
# that showed no sign of life for this long has stopped and may be taken over or retried.
STATEMENT_IMPORT_STALE_AFTER = timedelta(minutes=5)

PUBLIC_DONOR_FIELDS = ("donor__kind", "donor__full_name", "donor__organization_name", "donor__public_display")


def pledge_get_public(*, reference: str) -> Pledge | None:
    """The pledge with this reference, with only the donor fields needed for the public name."""
    reference = (reference or "").strip().upper().replace(" ", "")
    # Letters and digits only: anything else (a NUL, which PostgreSQL refuses in a query) is no reference.
    if not reference or len(reference) > 12 or not (reference.isascii() and reference.isalnum()):
        return None
    return (
        Pledge.objects.select_related("campaign", "donor")
        .only(
            "reference", "transfer_content", "kind", "amount", "status", "created_at", "message", "source",
            "cancelled_at", "campaign__slug", "campaign__name", "campaign__code", "campaign__status", *PUBLIC_DONOR_FIELDS,
        )
        .prefetch_related("items__category")
        .filter(reference=reference)
        .first()
    )


def pledge_donor_province(*, pledge: Pledge) -> Province | None:
    """Only the province of the donor (to list nearby drop-off points), never their contact data."""
    return Province.objects.filter(donor__pledges__pk=pledge.pk).first()


def pledge_cash_received(*, pledge: Pledge) -> int:
    """Cash received against a pledge so far, reversals included."""
    return Receipt.objects.filter(pledge=pledge).aggregate(total=Sum("amount"))["total"] or 0


def pledge_receiving_account(*, pledge: Pledge) -> ReceivingAccount | None:
    return ReceivingAccount.objects.select_related("bank").filter(campaign_id=pledge.campaign_id).first()


def dropoff_points_for(*, campaign_slug: str, province: Province | None = None) -> list[DropOffPoint]:
    """A campaign's drop-off points (by province name, then name), those in (or rolling up to) the
    given province first: from the campaign as this process keeps it (`campaigns.cached`)."""
    campaign = campaign_open_or_closed(campaign_slug)
    points = list(campaign.dropoff_points.all()) if campaign is not None else []
    current = province.current if province is not None else None

    def key(point: DropOffPoint) -> tuple:
        nearby = current is not None and current.pk in (point.province_id, point.province.successor_id)
        return not nearby, vietnamese_sort_key(point.province.name), vietnamese_sort_key(point.name)

    return sorted(points, key=key)


def pledge_vietqr(*, pledge: Pledge, account: ReceivingAccount) -> str:
    """The VietQR payload a banking app scans to prefill bank, account, amount and content."""
    return vietqr_payload(
        bank_bin=account.bank.bin,
        account_number=account.account_number,
        amount=pledge.amount,
        purpose=pledge.transfer_content,
    )


def pledge_receipt_list(*, pledge: Pledge) -> list[Receipt]:
    """The receipts recorded against a pledge, oldest first, reversals included, with their goods lines
    and the number of the entry each reverses or is reversed by: what its donor may see of them."""
    reversal = Receipt.objects.filter(reverses=OuterRef("pk")).values("number")[:1]
    return list(
        Receipt.objects.filter(pledge_id=pledge.pk)
        .only("number", "received_at", "kind", "amount", "channel", "sequence", "reverses__number")
        .select_related("reverses")
        .annotate(reversed_by_number=Subquery(reversal))
        .prefetch_related("items__category")
        .order_by("received_at", "sequence")
    )


def receipt_acknowledgement(*, receipt_id: int) -> dict:
    """What the printed acknowledgement (giấy xác nhận ủng hộ) of a receipt shows."""
    receipt = (
        Receipt.objects.select_related("campaign", "donor", "pledge", "recorded_by")
        .annotate(is_reversed=Exists(Receipt.objects.filter(reverses=OuterRef("pk"))))
        .get(pk=receipt_id)
    )
    items = list(receipt.items.select_related("category"))
    valued = [item.estimated_value for item in items if item.estimated_value]
    return {
        "receipt": receipt,
        "items": items,
        "items_value": sum(valued) if len(valued) > 1 else None,
        "donor_name": receipt.donor.display_name if receipt.donor_id else receipt.public_name,
        "reversal": Receipt.objects.filter(reverses=receipt).first() if receipt.is_reversed else None,
    }


# --- the bank queue -------------------------------------------------------------------------------

CANDIDATE_DAYS_BEFORE = 7  # a transfer usually follows its pledge within days
NAME_MATCH_DAYS_BEFORE = 60  # a pledge by the payer is worth a look over a longer span
CANDIDATE_DAYS_AFTER = 1  # date-only statements book at 00:00 a transfer made later that day
# Company-name abbreviations as banks and donors write them, spelled out before names are compared.
_COMPANY_ABBREVIATIONS = {"CTY": "CONGTY", "CP": "COPHAN", "TNHH": "TRACHNHIEMHUUHAN", "MTV": "MOTTHANHVIEN"}


def bank_queue_count() -> int:
    """How many credits wait for a staff decision."""
    return BankTransaction.objects.filter(status=BankTransaction.Status.QUEUED).count()


def bank_transaction_pledge_shares(*, txn_id: int) -> list[tuple[Pledge, int]]:
    """The pledges a transfer settles now, with each one's amount (reversed receipts left out)."""
    receipts = (
        Receipt.objects.filter(bank_transaction_id=txn_id, pledge__isnull=False, reverses__isnull=True,
                               reversed_by__isnull=True)
        .select_related("pledge").only("amount", "pledge__reference").order_by("sequence")
    )
    return [(receipt.pledge, receipt.amount) for receipt in receipts]


def name_key(name: str, *, company: bool = False) -> str:
    """A name compared the way banks write it: no diacritics, case, spacing or punctuation
    (`Trần Thị Bích` is `TRANTHIBICH`); a company's abbreviations spelled out, so that
    `Cty CP Sao Mai` and `CONG TY CO PHAN SAO MAI` are one key."""
    words = re.findall(r"[A-Z0-9]+", fold(name))
    return "".join(_COMPANY_ABBREVIATIONS.get(w, w) if company else w for w in words)


@functools.cache
def _folding_to() -> dict[str, str]:
    """For each of A–Z and 0–9, every Latin letter that folds to it, both cases (`A`: `AaÀàÁá…Ặặ`)."""
    letters = {c: {c, c.lower()} for c in string.ascii_uppercase + string.digits}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        folded = fold(chr(code))
        if folded in letters:
            letters[folded].add(chr(code))
    return {c: "".join(sorted(chars)) for c, chars in letters.items()}


def _name_pattern(key: str) -> str:
    """A regular expression (read alike by PostgreSQL and Python) matching every name whose plain
    `name_key` is `key`, composed or decomposed, and a few more: the database narrows, `name_key` decides."""
    between = "[^A-Za-z0-9]*"  # spaces, punctuation, the combining marks of decomposed text
    letters = _folding_to()
    return "^" + between + between.join(f"[{letters[c]}]" for c in key) + between + "$"


@dataclass(frozen=True)
class PledgeCandidate:
    """An open cash pledge a queued transfer may be for, and why it is suggested."""

    pledge: Pledge
    same_amount: bool
    near_date: bool
    same_name: bool

    @property
    def reasons(self) -> list[str]:
        return [text for flag, text in (
            (self.same_name, _("payer's name")),
            (self.same_amount, _("same amount")),
            (self.near_date, _("pledged shortly before")),
        ) if flag]


def bank_transaction_candidates(*, txn: BankTransaction, limit: int = 8) -> list[PledgeCandidate]:
    """Open cash pledges of the account's campaign that a queued credit may settle, best first.

    A pledge is suggested when its amount (or what is still owed on it) equals the transfer and it
    was pledged within a week before the booking, or when its donor's name is the payer's name read
    from the transfer text (compared folded: no diacritics, case or spacing). The name and the
    amount each weigh twice the date; ties go to the pledge made closest to the booking.
    Only the donor's names are read, never their contact data.
    """
    booked = txn.booked_at
    near_from = booked - timedelta(days=CANDIDATE_DAYS_BEFORE)
    open_cash = Pledge.objects.filter(
        campaign_id=txn.account.campaign_id, kind=Kind.CASH,
        status__in=[Pledge.Status.PLEDGED, Pledge.Status.PARTLY_RECEIVED],
        created_at__lte=booked + timedelta(days=CANDIDATE_DAYS_AFTER),
    )
    found: dict[int, dict] = {}  # pk → what it has in common with the transfer

    def add(pk: int, amount: int, status: str, created_at, same_name: bool) -> None:
        found[pk] = {"amount": amount, "partly": status == Pledge.Status.PARTLY_RECEIVED,
                     "same_amount": amount == txn.amount, "near_date": created_at >= near_from,
                     "same_name": same_name, "distance": abs(created_at - booked)}

    by_amount = open_cash.filter(Q(amount=txn.amount) | Q(status=Pledge.Status.PARTLY_RECEIVED),
                                 created_at__gte=near_from)
    for pk, amount, status, created_at in by_amount.values_list("pk", "amount", "status", "created_at"):
        add(pk, amount, status, created_at, same_name=False)

    payer = txn.payer_name or payer_from_text(txn.description)[1]
    if key := name_key(payer):
        company_key = name_key(payer, company=True)
        by_name = open_cash.filter(
            Q(donor__kind=Donor.Kind.ORGANIZATION) | Q(donor__full_name__regex=_name_pattern(key)),
            created_at__gte=booked - timedelta(days=NAME_MATCH_DAYS_BEFORE),
        ).values_list("pk", "amount", "status", "created_at", "donor__kind", "donor__full_name",
                      "donor__organization_name")
        for pk, amount, status, created_at, kind, full_name, organization_name in by_name:
            same_name = name_key(full_name) == key or (
                kind == Donor.Kind.ORGANIZATION and name_key(organization_name, company=True) == company_key
            )
            if same_name:
                add(pk, amount, status, created_at, same_name=True)

    owing = [pk for pk, c in found.items() if c["partly"] and not c["same_amount"]]
    if owing:  # what is still owed on a partly paid pledge may be the amount transferred
        received = (
            Receipt.objects.filter(pledge_id__in=owing, kind=Kind.CASH)
            .values("pledge_id").annotate(total=Sum("amount")).values_list("pledge_id", "total")
        )
        for pk, total in received:
            found[pk]["same_amount"] = found[pk]["amount"] - (total or 0) == txn.amount

    def rank(pk: int) -> tuple:
        c = found[pk]
        return -(2 * c["same_name"] + 2 * c["same_amount"] + c["near_date"]), c["distance"], pk

    chosen = sorted((pk for pk, c in found.items() if c["same_name"] or (c["same_amount"] and c["near_date"])),
                    key=rank)[:limit]
    pledges = Pledge.objects.select_related("donor").only(
        "reference", "amount", "status", "created_at", "campaign_id", "kind", *PUBLIC_DONOR_FIELDS
    ).in_bulk(chosen)
    return [
        PledgeCandidate(pledge=pledges[pk], same_amount=found[pk]["same_amount"],
                        near_date=found[pk]["near_date"], same_name=found[pk]["same_name"])
        for pk in chosen
    ]
def staff_province_scope(*, user) -> Province | None:
    """The 2025 province a provincial staff member records for; None for everyone else.

    Committees and staff roles belong to a later app (allocations), which this one never imports:
    the setting STAFF_PROVINCE_SCOPE names the function that answers.
    """
    if not user.is_authenticated:
        return None
    return import_string(settings.STAFF_PROVINCE_SCOPE)(user=user)


def _in_province(province: Province, *, prefix: str) -> Q:
    """A 2025 unit, or a 2008 unit that rolls up to it."""
    return Q(**{prefix: province}) | Q(**{f"{prefix}__successor": province})


def receipt_list_for(*, user) -> QuerySet[Receipt]:
    """The receipts a staff member sees: all of them, or for provincial staff those received at a
    point of their province."""
    scope = staff_province_scope(user=user)
    qs = Receipt.objects.all()
    return qs if scope is None else qs.filter(_in_province(scope, prefix="point__province"))


def desk_points_for(*, province_scope: Province | None) -> QuerySet[DropOffPoint]:
    """The points of active campaigns a receipt can be recorded at: all, or those of one province."""
    qs = DropOffPoint.objects.filter(campaign__status=Campaign.Status.ACTIVE).select_related("province", "campaign")
    if province_scope is not None:
        qs = qs.filter(_in_province(province_scope, prefix="province"))
    return qs.order_by("campaign__code", "province__name", "name")
def statement_import_same_file(*, account: ReceivingAccount, content_sha256: str) -> StatementImport | None:
    """The latest import of this account whose file had exactly this content (SHA-256), without the file."""
    if not content_sha256:
        return None
    return (
        StatementImport.objects.filter(account=account, content_sha256=content_sha256)
        .select_related("uploaded_by").defer("content").order_by("-created_at", "-pk").first()
    )


STATEMENT_CONTENT_SLICE = 4 * 2**20  # bytes of a stored file fetched at a time


def statement_import_content(*, statement_import: StatementImport) -> bytes:
    """The stored file of an import (loaded only when needed: it can be 30 MB), fetched a slice at a
    time: the driver receives a file as text twice its size, and a whole one at once would put
    the worker's memory three or four times the file's size above what it needs."""
    stored = StatementImport.objects.filter(pk=statement_import.pk)
    size = stored.annotate(size=Length("content")).values_list("size", flat=True).get()
    if size is None:
        size = 0
    parts = [
        bytes(stored.annotate(part=Substr("content", start, STATEMENT_CONTENT_SLICE)).values_list("part", flat=True).get())
        for start in range(1, size + 1, STATEMENT_CONTENT_SLICE)
    ]
    return b"".join(parts)


def statement_import_stalled(*, statement_import: StatementImport) -> bool:
    """Whether an unfinished import has stopped: it failed midway, or showed no sign of life for
    STATEMENT_IMPORT_STALE_AFTER (a worker killed mid-file, or a task the broker lost)."""
    imp = statement_import
    if imp.status == StatementImport.Status.FAILED:
        return True
    if imp.status == StatementImport.Status.RUNNING:
        last_sign = imp.heartbeat_at or imp.created_at  # a run's heartbeat: its claim, then every chunk
    elif imp.status == StatementImport.Status.PENDING:
        last_sign = imp.retried_at or imp.created_at  # when its task was (last) sent
    else:
        return False
    return last_sign < timezone.now() - STATEMENT_IMPORT_STALE_AFTER


@dataclass(frozen=True)
class TransferDue:
    """What a donor still has to transfer for a cash pledge, and the VietQR code that asks for exactly that."""

    account: ReceivingAccount | None
    received: int
    remaining: int
    payload: str | None  # None when nothing is due, the pledge is cancelled or no account is published


def pledge_transfer_due(*, pledge: Pledge) -> TransferDue:
    """The pledged amount minus the cash the receipts ledger holds for it (reversals included).

    The QR code asks for the remainder, so a donor who paid part and scans again never overpays; a
    pledge that is paid in full or cancelled asks for nothing.
    """
    account = pledge_receiving_account(pledge=pledge)
    received = pledge_cash_received(pledge=pledge)
    remaining = 0 if pledge.status == Pledge.Status.CANCELLED else max((pledge.amount or 0) - received, 0)
    payload = None
    if remaining and account is not None:
        payload = vietqr_payload(
            bank_bin=account.bank.bin,
            account_number=account.account_number,
            amount=remaining,
            purpose=pledge.transfer_content,
        )
    return TransferDue(account=account, received=received, remaining=remaining, payload=payload)
