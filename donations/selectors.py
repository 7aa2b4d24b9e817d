"""Reads of the donations app. Public selectors never load donor contact data."""

from datetime import timedelta

from django.db.models import Case, IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone

from campaigns.models import DropOffPoint, Province, ReceivingAccount

from .models import Pledge, Receipt, StatementImport
from .vietqr import vietqr_payload

# An import's run records a heartbeat with every chunk (a chunk takes about a second); an import
# that showed no sign of life for this long has stopped and may be taken over or retried.
STATEMENT_IMPORT_STALE_AFTER = timedelta(minutes=5)

PUBLIC_DONOR_FIELDS = ("donor__kind", "donor__full_name", "donor__organization_name", "donor__public_display")


def pledge_get_public(*, reference: str) -> Pledge | None:
    """The pledge with this reference, with only the donor fields needed for the public name."""
    reference = (reference or "").strip().upper().replace(" ", "")
    if not reference:
        return None
    return (
        Pledge.objects.select_related("campaign", "donor")
        .only(
            "reference", "transfer_content", "kind", "amount", "status", "created_at", "message", "source",
            "campaign__slug", "campaign__name", "campaign__code", "campaign__status", *PUBLIC_DONOR_FIELDS,
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


def dropoff_points_for(*, campaign_id: int, province: Province | None = None) -> QuerySet[DropOffPoint]:
    """A campaign's drop-off points, those in (or rolling up to) the given province first."""
    qs = DropOffPoint.objects.filter(campaign_id=campaign_id).select_related("province").prefetch_related("categories")
    if province is None:
        return qs
    current = province.current
    return qs.annotate(
        nearby=Case(
            When(province=current, then=Value(0)),
            When(province__successor=current, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("nearby", "province__name", "name")


def pledge_vietqr(*, pledge: Pledge, account: ReceivingAccount) -> str:
    """The VietQR payload a banking app scans to prefill bank, account, amount and content."""
    return vietqr_payload(
        bank_bin=account.bank.bin,
        account_number=account.account_number,
        amount=pledge.amount,
        purpose=pledge.transfer_content,
    )


def statement_import_same_file(*, account: ReceivingAccount, content_sha256: str) -> StatementImport | None:
    """The latest import of this account whose file had exactly this content (SHA-256), without the file."""
    if not content_sha256:
        return None
    return (
        StatementImport.objects.filter(account=account, content_sha256=content_sha256)
        .select_related("uploaded_by").defer("content").order_by("-created_at", "-pk").first()
    )


def statement_import_content(*, statement_import: StatementImport) -> bytes:
    """The stored file of an import (loaded only when needed: it can be 50 MB)."""
    return bytes(StatementImport.objects.values_list("content", flat=True).get(pk=statement_import.pk))


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
