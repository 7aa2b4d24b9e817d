from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import ReceivingAccount
from donations.models import StatementImport
from donations.services import statement_import_create, statement_import_run


class Command(BaseCommand):
    help = "Import a bank statement (CSV or XLSX) of one receiving account and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--account", required=True, help="receiving account number")
        parser.add_argument("--user", default="", help="staff username recorded as importer (default: first superuser)")

    def handle(self, *args, file: Path, account: str, user: str, **options):
        accounts = ReceivingAccount.objects.select_related("bank", "campaign").filter(account_number=account.strip())
        if accounts.count() != 1:
            raise CommandError(f"No single receiving account has number {account}.")
        users = get_user_model().objects
        importer = users.filter(username=user).first() if user else users.filter(is_superuser=True).order_by("pk").first()
        if importer is None:
            raise CommandError("No staff user to record as importer; pass --user.")
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            imp = statement_import_create(
                account=accounts[0], file_name=file.name, content=content, uploaded_by=importer, enqueue=False
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        import_id = imp.pk
        del imp, content  # stored: the import reads it again, a slice at a time, and holds it once
        imp = statement_import_run(import_id=import_id)
        if imp.status == StatementImport.Status.REJECTED:
            raise CommandError(f"Rejected {file.name}: {imp.error_text}")
        if imp.status != StatementImport.Status.DONE:
            raise CommandError(
                f"Stopped after {imp.rows_done} of {imp.rows_read} rows of {file.name} (see the log); what was "
                "imported is kept, and importing the file again adds the rest."
            )
        self.stdout.write(
            f"{file.name} ({imp.layout}) → {imp.account} / {imp.account.campaign.code}\n"
            f"  rows read:          {imp.rows_read}\n"
            f"  credits:            {imp.credits}\n"
            f"  debits:             {imp.debits}\n"
            f"  matched to pledges: {imp.matched}\n"
            f"  direct donations:   {imp.direct}\n"
            f"  queued for staff:   {imp.queued}\n"
            f"  already imported:   {imp.duplicates}\n"
            f"  lines skipped:      {imp.skipped_lines}\n"
            f"  new credits:        {imp.credited_amount:,} đồng".replace(",", ".")
        )
