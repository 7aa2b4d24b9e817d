"""Replaying a campaign in the order things happened, through the services.

A `Timeline` runs actions in date order (an action may schedule later ones), so that every service
sees the campaign as it stood that day: an allocation can only use money already imported, a queue
decision comes the morning after the statement that queued the transfer. A `StatementBook` gathers
an account's statement lines per period and imports each period's file the morning after it ends.
"""

import datetime
import heapq
import itertools
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import CommandError
from django.utils import timezone

from allocations.models import Allocation
from allocations.selectors import campaign_availability
from allocations.services import (
    allocation_mark_disbursed,
    allocation_record,
    allocation_reverse,
    distribution_report_record,
)
from campaigns.models import Campaign, ItemCategory, Province, ReceivingAccount
from campaigns.money import quantity
from campaigns.text import strip_diacritics
from donations.models import BankTransaction, StatementImport
from donations.services import statement_import_create, statement_import_run
from ledger.models import Kind
from ledger.services import ItemLine

from .statements import Line

OPENING = datetime.time(8, 0)


def moment(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    """A naive Vietnam-time moment of `day`."""
    return datetime.datetime.combine(day, datetime.time(hour, minute, second))


def aware(at: datetime.datetime) -> datetime.datetime:
    """A naive Vietnam-time moment as the services store it."""
    return timezone.make_aware(at, timezone.get_default_timezone())


class Timeline:
    """Actions run in the order of their moments (ties in the order they were scheduled)."""

    def __init__(self) -> None:
        self._events: list = []
        self._order = itertools.count()

    def at(self, when: datetime.datetime, action: Callable[[], object]) -> None:
        heapq.heappush(self._events, (when, next(self._order), action))

    def run(self) -> None:
        while self._events:
            _when, _order, action = heapq.heappop(self._events)
            action()


class StatementBook:
    """The statements of one receiving account: lines gathered per period (from, to), each period's
    file imported through `statement_import_create` and `statement_import_run` at 8:00 the next day."""

    def __init__(
        self, *, account: ReceivingAccount, rng: random.Random, write: Callable[..., bytes], file_name: str,
        periods: Sequence[tuple[datetime.date, datetime.date]], opening_balance: int, uploaded_by: AbstractBaseUser,
        timeline: Timeline,
    ) -> None:
        self.account, self.rng, self.write, self.file_name = account, rng, write, file_name
        self.periods, self.balance, self.uploaded_by = list(periods), opening_balance, uploaded_by
        self.lines: list[list[Line]] = [[] for _ in self.periods]
        self.imports: list[StatementImport] = []
        for index, (_start, end) in enumerate(self.periods):
            timeline.at(moment(end + datetime.timedelta(days=1), OPENING.hour), lambda index=index: self._import(index))

    def add(self, line: Line) -> bool:
        """Put a line on the statement of its day; False when no statement covers that day."""
        for index, (start, end) in enumerate(self.periods):
            if start <= line.at.date() <= end:
                self.lines[index].append(line)
                return True
        return False

    def transaction(self, line: Line) -> BankTransaction:
        """The bank transaction the import made of a line."""
        return BankTransaction.objects.get(account=self.account, bank_reference=line.reference)

    def _import(self, index: int) -> None:
        start, end = self.periods[index]
        lines = self.lines[index]
        number = self.account.account_number
        content = self.write(
            rng=self.rng, account=number, account_name=strip_diacritics(self.account.account_holder).upper(),
            day_from=start, day_to=end, opening_balance=self.balance, lines=lines,
        )
        self.balance += sum(line.amount for line in lines)
        imp = statement_import_create(
            account=self.account, file_name=self.file_name.format(account=number, start=start, end=end),
            content=content, uploaded_by=self.uploaded_by,
        )
        imp = statement_import_run(import_id=imp.pk)
        if imp.status != StatementImport.Status.DONE:
            raise CommandError(f"The demo statement {imp.file_name} was rejected: {imp.error_text}")
        self.imports.append(imp)


def round_amount(amount: int) -> int:
    """Down to what a decision would write: 100 million above a billion, 10 million above 100 million, else a million."""
    step = 100_000_000 if amount >= 1_000_000_000 else 10_000_000 if amount >= 100_000_000 else 1_000_000
    return amount // step * step


class Allocator:
    """Allocations of one campaign decided as shares of what is still unallocated that day, disbursed
    (with the bank transfer on the statement) and reported commune by commune."""

    def __init__(
        self, *, campaign: Campaign, rng: random.Random, timeline: Timeline, book: StatementBook | None,
        decided_by: AbstractBaseUser, reporters: Callable[[Province], AbstractBaseUser],
    ) -> None:
        self.campaign, self.rng, self.timeline, self.book = campaign, rng, timeline, book
        self.decided_by, self.reporters = decided_by, reporters
        self.by_decision: dict[str, Allocation] = {}

    def decide(
        self, *, day: datetime.date, decision: str, province: Province, purpose: str, cash_share: int = 0,
        goods_share: int = 0, disburse_after: int | None = None, communes: Sequence[str] = (),
        per_household: int = 5_000_000,
    ) -> None:
        """Schedule a decision of `day` (15:00), its disbursement `disburse_after` days later and its reports."""

        def record() -> None:
            available = campaign_availability(campaign_id=self.campaign.pk)
            amount, items = None, []
            if cash_share:
                amount = round_amount(available.cash_available * cash_share // 100)
            else:
                for category in ItemCategory.objects.order_by("position"):
                    left = available.goods_available(category.pk) * goods_share // 100
                    if left >= 1:
                        items.append(ItemLine(category=category, quantity=Decimal(int(left))))
            allocation = allocation_record(
                campaign=self.campaign, province=province, decision_number=decision, decision_date=day,
                purpose=purpose, recorded_by=self.decided_by, amount=amount, items=items,
            )
            self.by_decision[decision] = allocation
            if disburse_after is not None:
                paid_on = day + datetime.timedelta(days=disburse_after)
                self.timeline.at(moment(paid_on, 10, 30),
                                 lambda: self._disburse(allocation, paid_on, communes, per_household))

        self.timeline.at(moment(day, 15), record)

    def reverse(self, *, day: datetime.date, decision: str, reason: str) -> None:
        self.timeline.at(moment(day, 9), lambda: allocation_reverse(
            allocation=self.by_decision[decision], reason=reason, recorded_by=self.decided_by))

    def _disburse(self, allocation: Allocation, day: datetime.date, communes: Sequence[str], per_household: int) -> None:
        allocation = allocation_mark_disbursed(allocation=allocation, disbursed_on=day, user=self.decided_by)
        if allocation.kind == Kind.CASH and self.book is not None:
            province = strip_diacritics(allocation.province.name)
            decision = strip_diacritics(allocation.decision_number)
            self.book.add(Line(at=moment(day, 10, 30), amount=-allocation.amount,
                               text=f"Chuyen tien ho tro {province} theo QD {decision}"))
        self._report(allocation, communes, per_household)

    def _report(self, allocation: Allocation, communes: Sequence[str], per_household: int) -> None:
        """What the province handed out, commune by commune, in the days after the money arrived."""
        rng = self.rng
        weights = [rng.uniform(0.6, 1.4) for _ in communes]
        reported = rng.uniform(0.8, 1.0)
        items = list(allocation.items.select_related("category")) if allocation.kind == Kind.GOODS else []
        reporter = self.reporters(allocation.province)
        for commune, weight in zip(communes, weights, strict=True):
            part = weight / sum(weights) * reported
            day = allocation.disbursed_on + datetime.timedelta(days=rng.randint(1, 6))
            if allocation.kind == Kind.CASH:
                amount = int(allocation.amount * part) // 1_000_000 * 1_000_000
                households, goods = max(amount // per_household, 1), ""
            else:
                amount, households = None, rng.randrange(60, 400)
                goods = "; ".join(
                    f"{quantity(int(item.quantity * Decimal(part)))} {UNITS[item.category.unit]} "
                    f"{item.category.name_vi.lower()}"
                    for item in items
                )
            self.timeline.at(moment(day, 17), partial(
                distribution_report_record, allocation=allocation, distributed_on=day, commune=commune,
                households=households, people=int(households * rng.uniform(3.3, 4.6)), reported_by=reporter,
                amount=amount, goods=goods, note=rng.choice(NOTES)))


# Units as a Vietnamese report writes them (the report is stored text, not translated on display).
UNITS = {"kg": "kg", "thung": "thùng", "goi": "gói", "chai": "chai", "suat": "suất", "bo": "bộ", "cai": "cái",
         "lit": "lít"}
NOTES = (
    "Trao trực tiếp cho từng hộ tại nhà văn hóa thôn, có danh sách ký nhận.",
    "Ủy ban MTTQ xã phối hợp với trưởng thôn rà soát, trao tận tay các hộ.",
    "Chuyển khoản vào tài khoản của các hộ theo danh sách đã được UBND xã phê duyệt.",
    "Các hộ ở vùng bị chia cắt nhận qua lực lượng quân đội hỗ trợ vận chuyển.",
    "",
)
