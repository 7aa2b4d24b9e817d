"""Bank statements as imported: every row kept, credits turned into receipts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import ReceivingAccount
from campaigns.money import group_thousands

from ..statements.errors import statement_error_text
from .pledges import Pledge


class StatementColumnMapping(models.Model):
    """For a bank whose export we do not recognise: which column holds what, kept per account."""

    account = models.OneToOneField(
        ReceivingAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="statement_mapping"
    )
    date = models.CharField(_("date column"), max_length=120)
    description = models.CharField(_("transfer content column"), max_length=120)
    credit = models.CharField(_("credit column"), max_length=120, blank=True)
    debit = models.CharField(_("debit column"), max_length=120, blank=True)
    amount = models.CharField(_("signed amount column"), max_length=120, blank=True)
    reference = models.CharField(_("bank reference column"), max_length=120, blank=True)
    balance = models.CharField(_("balance column"), max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("statement column mapping")
        verbose_name_plural = _("statement column mappings")

    def __str__(self) -> str:
        return str(self.account)


class StatementImport(models.Model):
    """An uploaded statement and how far its import got.

    The import commits in chunks; `rows_done` and the counters are those of the committed chunks,
    so a run that stopped midway (`failed`, or `running` with an old `heartbeat_at`) resumes after them.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Stopped midway")

    account = models.ForeignKey(
        ReceivingAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="statement_imports"
    )
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    content_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    layout = models.CharField(_("layout"), max_length=20, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_done = models.PositiveIntegerField(_("rows imported so far"), default=0)
    credits = models.PositiveIntegerField(_("credits"), default=0)
    debits = models.PositiveIntegerField(_("debits"), default=0)
    matched = models.PositiveIntegerField(_("matched to pledges"), default=0)
    direct = models.PositiveIntegerField(_("direct donations"), default=0)
    queued = models.PositiveIntegerField(_("queued for staff"), default=0)
    duplicates = models.PositiveIntegerField(_("already imported"), default=0)
    skipped_lines = models.PositiveIntegerField(_("lines skipped"), default=0)
    credited_amount = models.BigIntegerField(_("new credits (đồng)"), default=0)
    # Why it was rejected, as the parser's reason code and parameters (line, column, value…),
    # worded in the reader's language when shown (``error_text``).
    error_code = models.CharField(_("rejection reason"), max_length=40, blank=True)
    error_params = models.JSONField(_("rejection details"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempt = models.PositiveIntegerField(_("runs started"), default=0, editable=False)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last retried by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    retried_at = models.DateTimeField(_("last retried at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "content_sha256"], name="statement_import_same_file")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.account})"

    def _error_text(self) -> str:
        """Why the statement was rejected, in the reader's language ("" when it was not)."""
        if not self.error_code:
            return ""
        return statement_error_text(self.error_code, self.error_params)

    _error_text.short_description = _("why it was rejected")
    error_text = property(_error_text)


class BankTransaction(models.Model):
    class QueueReason(models.TextChoices):
        UNKNOWN_REFERENCE = "unknown_reference", _("Unknown reference")
        OTHER_CAMPAIGN = "other_campaign", _("Reference of another campaign")
        CANCELLED = "cancelled", _("Cancelled pledge")
        GOODS_PLEDGE = "goods_pledge", _("Pledge of goods")
        AMOUNTS_DIFFER = "amounts_differ", _("Several references, amounts differ")

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched to a pledge")
        DIRECT = "direct", _("Direct donation")
        QUEUED = "queued", _("Waiting for staff")
        NOT_DONATION = "not_donation", _("Not a donation")
        DEBIT = "debit", _("Debit (money out)")

    account = models.ForeignKey(  # indexed by (account, checksum): no index of its own
        ReceivingAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="transactions",
        db_index=False,
    )
    statement_import = models.ForeignKey(
        StatementImport, verbose_name=_("import"), on_delete=models.PROTECT, related_name="transactions"
    )
    line = models.PositiveIntegerField(_("line in file"))
    booked_at = models.DateTimeField(_("booked at"))
    amount = models.BigIntegerField(_("amount (đồng)"))
    description = models.TextField(_("transfer content"))
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    payer_name = models.CharField(_("payer name"), max_length=120, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=34, blank=True)
    checksum = models.CharField(_("checksum"), max_length=64, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    queue_code = models.CharField(_("why it waits"), max_length=20, choices=QueueReason.choices, blank=True)
    queue_references = models.CharField(_("references concerned"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("imported at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")
        ordering = ["-booked_at", "line"]
        # The one status staff look rows up by is the queue; the import looks rows up by checksum.
        indexes = [
            models.Index(fields=["-booked_at"], condition=Q(status="queued"), name="bank_transaction_queue"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["account", "checksum"], name="bank_transaction_unique_checksum"),
        ]

    def _queue_reason(self) -> str:
        """Why the import left this credit to staff, in the reader's language."""
        if not self.queue_code:
            return ""
        return QUEUE_MESSAGES[self.queue_code] % {"refs": self.queue_references}

    _queue_reason.short_description = _("why it waits")
    queue_reason = property(_queue_reason)

    def __str__(self) -> str:
        sign = "+" if self.amount > 0 else ""
        # Shown in Vietnam's time, like every date on the site: stored in UTC, 16:30 on 31/12 is 23:30.
        booked = timezone.localtime(self.booked_at) if timezone.is_aware(self.booked_at) else self.booked_at
        return f"{booked:%d/%m/%Y} {sign}{group_thousands(self.amount)} ₫ {self.description[:40]}"


QUEUE_MESSAGES = {
    BankTransaction.QueueReason.UNKNOWN_REFERENCE: _("Unknown reference %(refs)s."),
    BankTransaction.QueueReason.OTHER_CAMPAIGN: _("Reference %(refs)s belongs to another campaign."),
    BankTransaction.QueueReason.CANCELLED: _("Reference %(refs)s is a cancelled pledge."),
    BankTransaction.QueueReason.GOODS_PLEDGE: _("Reference %(refs)s is a pledge of goods."),
    BankTransaction.QueueReason.AMOUNTS_DIFFER: _(
        "Several references (%(refs)s) whose pledged amounts do not add up to the transfer."
    ),
}


class BankTransactionDecision(models.Model):
    """A staff decision on a queued transaction: who decided what, and when."""

    class Decision(models.TextChoices):
        ASSIGN = "assign", _("Assigned to a pledge")
        DIRECT = "direct", _("Confirmed as a direct donation")
        NOT_DONATION = "not_donation", _("Marked as not a donation")

    transaction = models.ForeignKey(
        BankTransaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), null=True, blank=True, on_delete=models.PROTECT)
    note = models.CharField(_("note"), max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("queue decision")
        verbose_name_plural = _("queue decisions")
        ordering = ["-decided_at"]
