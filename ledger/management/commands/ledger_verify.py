"""Recompute every campaign's journal chain and compare it with the ledgers as they stand."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from ledger.services import journal_verify


class Command(BaseCommand):
    help = "Check the hash chain of each campaign's journal against its ledgers; name the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", metavar="CODE", help="only this campaign (its transfer code, e.g. YAGI24)")

    def handle(self, *args, campaign=None, **options):
        campaigns = Campaign.objects.order_by("code")
        if campaign:
            campaigns = campaigns.filter(code=campaign.strip().upper())
            if not campaigns.exists():
                raise CommandError(f"No campaign has the code {campaign!r}.")
        broken = 0
        for each in campaigns:
            check = journal_verify(campaign=each)
            if check.ok:
                self.stdout.write(f"{check.campaign_code}: OK, {check.entries} entries")
                continue
            broken += 1
            where = f"entry {check.broken_at}" if check.broken_at else "after the last entry"
            self.stdout.write(self.style.ERROR(
                f"{check.campaign_code}: BROKEN at {where} ({check.entry_number}): {check.problem}"
            ))
        if broken:
            raise CommandError(f"{broken} journal(s) broken.")
