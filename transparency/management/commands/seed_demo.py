"""Loads the demo: the Yagi appeal of September 2024 day by day and the closed COVID-19 appeal of 2021
(see `transparency.demo`). Safe to run again: what exists is never touched, nothing is duplicated."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q, Sum

from allocations.models import Allocation, DistributionReport
from campaigns.models import Campaign
from campaigns.money import group_thousands, vnd_short
from donations.models import BankTransaction, Receipt
from transparency.demo.covid import CovidStory
from transparency.demo.setup import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    COVID,
    DEMO_STAFF,
    YAGI,
    admin_ensure,
    campaign_ensure,
    pledges_ensure,
    staff_ensure,
)
from transparency.demo.yagi import YagiStory


class Command(BaseCommand):
    help = "Load the demo campaigns with their pledges, bank statements, receipts, allocations and reports (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--pledges", type=int, default=240, help="web-form pledges of the active campaign")
        parser.add_argument("--transfers", type=int, default=3000, help="transfers on the active campaign's statements")

    @transaction.atomic
    def handle(self, *args, pledges: int, transfers: int, **options):
        admin_ensure()
        yagi, covid = campaign_ensure(YAGI), campaign_ensure(COVID)
        created = pledges_ensure(yagi, count=pledges)
        staff = staff_ensure()
        receipts, allocations = Receipt.objects.count(), Allocation.objects.count()
        # A campaign's story is told once: any receipt means it was (or the campaign is real data).
        if not Receipt.objects.filter(campaign=yagi).exists():
            YagiStory(campaign=yagi, staff=staff, transfers=transfers).load()
        if not Receipt.objects.filter(campaign=covid).exists():
            CovidStory(campaign=covid, staff=staff).load()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {created} new pledges, {Receipt.objects.count() - receipts} new receipts, "
            f"{Allocation.objects.count() - allocations} new allocations."
        ))
        for campaign in (yagi, covid):
            self.stdout.write(self._summary(campaign))
        self.stdout.write(f"Admin: http://127.0.0.1:8000/admin/  user: {ADMIN_USERNAME}  password: {ADMIN_PASSWORD}")
        for username, password, role, province in DEMO_STAFF:
            self.stdout.write(f"  {role} staff{' (' + province + ')' if province else ''}: {username} / {password}")

    def _summary(self, campaign: Campaign) -> str:
        transfers = BankTransaction.objects.filter(account__campaign=campaign, amount__gt=0).aggregate(
            all=Count("pk"), waiting=Count("pk", filter=Q(status=BankTransaction.Status.QUEUED)))
        receipts = Receipt.objects.filter(campaign=campaign).aggregate(count=Count("pk"), cash=Sum("amount"))
        allocations = Allocation.objects.filter(campaign=campaign).aggregate(
            count=Count("pk"), cash=Sum("amount"), disbursed=Count("pk", filter=Q(status=Allocation.Status.DISBURSED)))
        reports = DistributionReport.objects.filter(allocation__campaign=campaign).count()
        return (
            f"  {campaign.code}: {group_thousands(transfers['all'])} transfers ({transfers['waiting']} waiting for staff), "
            f"{group_thousands(receipts['count'])} receipts, {vnd_short(receipts['cash'] or 0)} received; "
            f"{allocations['count']} allocations ({allocations['disbursed']} disbursed), "
            f"{vnd_short(allocations['cash'] or 0)} allocated; {reports} distribution reports."
        )
