"""Fill a PostgreSQL database with a national-size campaign in a few minutes, as the services would
have written it, then check its journal and print the figures. Not part of the test run.

    createdb -h 127.0.0.1 -U postgres relief_national
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/relief_national
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/generate_national.py [--receipts 1000000] [--pledges 200000] [--allocations 20000] [--seed 2025]

By default: 1,000,000 receipts over 30 days (mostly 10.000–500.000 đồng, round numbers favoured,
rare company gifts of billions; bank transfers, cash desk and goods; Vietnamese names shown as each
donor chose), 200,000 web pledges (cash and goods; paid in full, in two goes, in part or not yet),
and 20,000 allocation rows to the 34 provinces of today's map (some reversed, most disbursed).
It refuses SQLite, and a database that already holds receipts unless `--force` (a new campaign is
then added beside them).

Rows are written with PostgreSQL's COPY, bypassing the services for speed, but exactly as they
would have left them: receipts and allocations numbered per campaign in the order they happened,
no allocation ever above what had come in by then, each pledge's status what its receipts make it,
every entry (and every disbursement) chained into the campaign's journal with the canonical text
and hash of `ledger.journal`, daily journal heads recorded and the transparency totals refreshed
(by the services themselves). Left out: the audit trail (django-simple-history's historical rows)
of what is written here, and bank statement rows: a bank receipt is a settled transfer as
`receipt_record` records it, without a `BankTransaction`. Journal entries are dated when their
event happened (not when this script ran), so the daily heads follow the campaign's 30 days.
"""

import argparse
import csv
import datetime
import heapq
import io
import itertools
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

if __name__ == "__main__":  # run as a script: Django is set up before the models are imported
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relief_portal.settings.local")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from allocations.models import Allocation, AllocationItem, CampaignCommittee, Committee  # noqa: E402
from campaigns.models import (  # noqa: E402
    Bank,
    Campaign,
    ItemCategory,
    Province,
    ProvinceSet,
    ReceivingAccount,
)
from campaigns.text import search_key  # noqa: E402
from donations.models import (  # noqa: E402  # noqa: E402
    ANONYMOUS_NAME,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Donor,
    Pledge,
    PledgeItem,
    Receipt,
    ReceiptItem,
    mask_name,
)
from donations.services import transfer_content_for  # noqa: E402
from ledger.journal import (  # noqa: E402
    GENESIS,
    JournalEvent,
    canonical_text,
    chain_hash,
    goods_text,
    utc_time,
)
from ledger.models import JournalEntry, JournalHead, Kind  # noqa: E402
from transparency.demo.people import (  # noqa: E402
    HOUR_WEIGHTS,
    company_gift,
    display_choice,
    gift_amount,
    organisation_name,
    person,
    phone,
)
from transparency.services import campaign_totals_refresh  # noqa: E402

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime.date(2025, 10, 1)
DAYS = 30
# Giving over the 30 days: it peaks on days 3–6 and tails off.
DAY_WEIGHTS = [12, 30, 70, 100, 95, 80, 65, 52, 42, 35, 29, 25, 21, 18, 16, 14, 12, 11, 10, 9, 8, 7, 7, 6, 6, 5, 5, 5, 4, 4]
# Provinces that take most of the help (2025 codes: the flooded centre and north), the others less.
HARD_HIT = {"40": 5, "42": 5, "44": 5, "46": 6, "48": 6, "51": 5, "52": 4, "56": 3, "66": 3, "38": 4, "15": 3, "22": 2}
PURPOSES = (
    "Hỗ trợ khẩn cấp các hộ có nhà bị sập, trôi", "Hỗ trợ các hộ bị ngập sâu", "Hỗ trợ sửa chữa nhà ở bị tốc mái",
    "Hỗ trợ khôi phục sản xuất nông nghiệp", "Hỗ trợ sửa chữa trường học, trạm y tế", "Hỗ trợ gia đình có người mất",
    "Hỗ trợ ngư dân bị thiệt hại tàu thuyền", "Hỗ trợ tái định cư các hộ vùng sạt lở",
)
PLEDGE_AMOUNTS = ((100_000, 10), (200_000, 12), (300_000, 6), (500_000, 20), (1_000_000, 18), (2_000_000, 10),
                  (5_000_000, 10), (10_000_000, 6), (20_000_000, 3), (50_000_000, 2), (100_000_000, 1))
REVERSED_SHARE, DISBURSED_SHARE, GOODS_SHARE = 0.02, 0.6, 0.05


# --- writing rows with COPY -------------------------------------------------------------------


class Table:
    """Rows of one model gathered as CSV and written with COPY; every concrete field must be given."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f.attname for f in model._meta.concrete_fields]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.pending = self.written = 0

    def add(self, values: dict) -> None:
        self.writer.writerow([_cell(values[name] if name in values else self.default(name)) for name in self.fields])
        self.pending += 1

    def default(self, name: str) -> object:
        """A field the generator does not set (a pledge's cancellation, say): its default, or NULL."""
        field = next(f for f in self.model._meta.concrete_fields if f.attname == name)
        return field.get_default()  # the declared default; else NULL for a nullable field, "" for text

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {self.model._meta.db_table} ({self.columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                self.buffer,
            )
        self.written += self.pending
        self.buffer.seek(0)
        self.buffer.truncate()
        self.pending = 0


def _cell(value: object) -> object:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def reserve_ids(model: type[models.Model], count: int) -> Iterable[int]:
    """`count` fresh primary keys of `model`'s table, taken from its sequence in one go."""
    if not count:
        return iter(())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
        last = cursor.fetchone()[0]
    return iter(range(last - count + 1, last + 1))


# --- the plan ---------------------------------------------------------------------------------


@dataclass(slots=True)
class PlannedPledge:
    id: int
    donor_id: int
    kind: str
    amount: int | None
    items: list[tuple[ItemCategory, Decimal, int | None]]
    public_name: str
    created_at: datetime.datetime
    status: str = Pledge.Status.PLEDGED
    updated_at: datetime.datetime | None = None


@dataclass(slots=True, order=True)
class PlannedReceipt:
    at: datetime.datetime
    channel: str = field(compare=False)
    amount: int | None = field(compare=False)
    items: list = field(compare=False, default_factory=list)
    public_name: str = field(compare=False, default=ANONYMOUS_NAME)
    pledge: PlannedPledge | None = field(compare=False, default=None)


@dataclass
class Result:
    campaign: Campaign
    rows: dict[str, int]
    seconds: dict[str, float]


class Refused(Exception):
    """The database is not one to fill (SQLite, or receipts already there without --force)."""


class NationalCampaign:
    def __init__(self, *, receipts: int, pledges: int, allocations: int, seed: int) -> None:
        self.receipts, self.pledges, self.allocations = receipts, pledges, allocations
        self.rng = random.Random(seed)
        self.categories = list(ItemCategory.objects.order_by("position"))
        self.provinces = list(Province.objects.filter(set=ProvinceSet.Y2025).order_by("code"))
        self.province_weights = [HARD_HIT.get(p.code, 1) for p in self.provinces]
        self.seconds: dict[str, float] = {}

    def moment(self, day: int, hours: Sequence[float] = HOUR_WEIGHTS) -> datetime.datetime:
        rng = self.rng
        hour = rng.choices(range(24), weights=hours)[0]
        return datetime.datetime.combine(START + datetime.timedelta(days=day), datetime.time(
            hour, rng.randrange(60), rng.randrange(60)), tzinfo=VIETNAM)

    def day(self, last: int = DAYS - 1) -> int:
        return self.rng.choices(range(last + 1), weights=DAY_WEIGHTS[: last + 1])[0]

    # --- setting up -------------------------------------------------------------------------------

    def campaign(self) -> Campaign:
        taken = set(Campaign.objects.values_list("code", flat=True))
        code = next(c for c in ("QUOCGIA", *(f"QG{a}{b}" for a in REFERENCE_ALPHABET for b in REFERENCE_ALPHABET))
                    if c not in taken)
        campaign = Campaign.objects.create(
            slug=f"thu-tai-quoc-gia-{code.lower()}", code=code, status=Campaign.Status.ACTIVE, starts_on=START,
            name="Ủng hộ đồng bào khắc phục hậu quả bão lũ năm 2025 (dữ liệu thử tải quy mô quốc gia)",
            summary="Dữ liệu sinh tự động để đo tải: một triệu khoản tiếp nhận trong 30 ngày.",
            description="Chiến dịch này do công cụ đo tải sinh ra; số liệu không có thật.",
            target_amount=5_000_000_000_000, province_set=ProvinceSet.Y2025,
        )
        campaign.provinces.set(self.provinces)
        CampaignCommittee.objects.create(campaign=campaign, committee=Committee.objects.get(level="central"))
        ReceivingAccount.objects.create(
            campaign=campaign, bank=Bank.objects.get(bin="970436"), account_holder="Ban Cứu trợ Trung ương",
            account_number=f"00110025{Campaign.objects.count():05d}", branch="Sở giao dịch Vietcombank",
        )
        self.user, _ = get_user_model().objects.get_or_create(username="thu-tai", defaults={"is_staff": True})
        return campaign

    # --- pledges ----------------------------------------------------------------------------------

    def plan_pledges(self) -> list[PlannedReceipt]:
        """Write the pledges with their donors and goods lines; return the receipts that will settle them
        (the earliest, when there are more than the receipts asked for)."""
        rng, taken = self.rng, set(Pledge.objects.values_list("reference", flat=True))
        donors, pledges, items = Table(Donor), Table(Pledge), Table(PledgeItem)
        donor_ids, pledge_ids = reserve_ids(Donor, self.pledges), reserve_ids(Pledge, self.pledges)
        item_ids = _ids(PledgeItem)
        planned, rows, payments = [], [], []
        amounts, weights = zip(*PLEDGE_AMOUNTS, strict=True)
        for number in range(self.pledges):
            created = self.moment(self.day(last=DAYS - 2))
            donor = self._donor(number, created, next(donor_ids))
            donors.add(donor)
            kind = Kind.GOODS if rng.random() < 0.1 else Kind.CASH
            lines = [] if kind == Kind.CASH else [
                (category, Decimal(rng.choice((10, 20, 50, 100, 200, 500))), rng.choice((None, 1_000_000, 5_000_000)))
                for category in rng.sample(self.categories, rng.choice((1, 1, 2)))
            ]
            reference = ""
            while not reference or reference in taken:
                reference = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
            taken.add(reference)
            public_name = Donor(kind=donor["kind"], full_name=donor["full_name"], public_display=donor["public_display"],
                                organization_name=donor["organization_name"]).public_name
            pledge = PlannedPledge(
                id=next(pledge_ids), donor_id=donor["id"], kind=kind, items=lines, public_name=public_name,
                amount=rng.choices(amounts, weights=weights)[0] if kind == Kind.CASH else None, created_at=created,
            )
            planned.append(pledge)
            payments += self._payments(pledge)
            rows.append({
                "id": pledge.id, "campaign_id": self.campaign_id, "donor_id": pledge.donor_id, "kind": kind,
                "amount": pledge.amount, "reference": reference,
                "transfer_content": transfer_content_for(campaign_code=self.code, reference=reference),
                "source": rng.choice((Pledge.Source.WEB,) * 9 + (Pledge.Source.API,)), "message": "",
                "created_at": created,
            })
            for category, quantity, value in lines:
                items.add({"id": next(item_ids), "pledge_id": pledge.id, "category_id": category.pk,
                           "quantity": quantity, "estimated_value": value})
        payments.sort()
        del payments[self.receipts:]
        self._statuses(planned, payments)
        for row, pledge in zip(rows, planned, strict=True):
            pledges.add({**row, "status": pledge.status, "updated_at": pledge.updated_at or pledge.created_at})
        for table in (donors, pledges, items):
            table.flush()
        self.rows.update({"donors": donors.written, "pledges": pledges.written, "pledge items": items.written})
        return payments

    def _donor(self, number: int, created: datetime.datetime, pk: int) -> dict:
        rng = self.rng
        values = {"id": pk, "kind": "individual", "full_name": "", "organization_name": "", "tax_code": "",
                  "phone": phone(rng), "email": f"nguoiungho{number}@example.vn" if rng.random() < 0.3 else "",
                  "address": "", "province_id": rng.choice(self.provinces).pk, "public_display": display_choice(rng),
                  "created_at": created}
        if rng.random() < 0.08:
            values.update(kind="organization", organization_name=organisation_name(rng), full_name="Phòng Hành chính",
                          tax_code=str(rng.randrange(10**9, 10**10)), public_display="full")
        else:
            values["full_name"] = person(rng).name
        return values

    def _payments(self, pledge: PlannedPledge) -> list[PlannedReceipt]:
        """Cash: in full 55 %, in two goes 10 %, in part 10 %, not yet 25 %; goods: all 60 %, part 15 %."""
        rng, draw = self.rng, self.rng.random()
        last = datetime.datetime.combine(START + datetime.timedelta(days=DAYS - 1), datetime.time(23, 59), tzinfo=VIETNAM)

        def later(days: float) -> datetime.datetime:
            return min(pledge.created_at + datetime.timedelta(hours=rng.uniform(0.2, 24 * days)), last)

        name = pledge.public_name
        if pledge.kind == Kind.GOODS:
            if draw >= 0.75:
                return []
            lines = pledge.items if draw < 0.6 else [(pledge.items[0][0], pledge.items[0][1] / 2, None)]
            return [PlannedReceipt(later(3), "goods", None, lines, name, pledge)]
        channel = "bank" if rng.random() < 0.9 else "cash_desk"
        if draw < 0.55:
            return [PlannedReceipt(later(2), channel, pledge.amount, [], name, pledge)]
        half = pledge.amount // 2_000 * 1_000
        if draw < 0.65:
            return [PlannedReceipt(later(1), channel, half, [], name, pledge),
                    PlannedReceipt(later(6), channel, pledge.amount - half, [], name, pledge)]
        if draw < 0.75:
            return [PlannedReceipt(later(2), channel, half, [], name, pledge)]
        return []

    def _statuses(self, planned: list[PlannedPledge], payments: list[PlannedReceipt]) -> None:
        """What `pledge_status_refresh` makes of each pledge given the receipts it will have."""
        cash: dict[int, int] = {}
        goods: dict[tuple[int, int], Decimal] = {}
        for payment in payments:
            pledge = payment.pledge
            pledge.updated_at = payment.at  # every receipt of a pledge changes its status
            if payment.amount is not None:
                cash[pledge.id] = cash.get(pledge.id, 0) + payment.amount
            for category, quantity, _value in payment.items:
                goods[(pledge.id, category.pk)] = goods.get((pledge.id, category.pk), Decimal(0)) + quantity
        for pledge in planned:
            if pledge.kind == Kind.CASH:
                got = cash.get(pledge.id, 0)
                covered, some = got >= pledge.amount, got > 0
            else:
                wanted: dict[int, Decimal] = {}
                for category, quantity, _value in pledge.items:
                    wanted[category.pk] = wanted.get(category.pk, Decimal(0)) + quantity
                covered = all(goods.get((pledge.id, c), 0) >= q for c, q in wanted.items())
                some = any(goods.get((pledge.id, c), 0) > 0 for c in wanted)
            pledge.status = "received" if covered else "partly_received" if some else "pledged"

    # --- what came in without a pledge ----------------------------------------------------------

    def direct_receipts(self, day: int, count: int) -> list[PlannedReceipt]:
        """Gifts without pledge on `day`: bank transfers 85 % (the payer's name masked when the bank
        shows it), cash desk 12 %, goods 3 %."""
        rng, planned = self.rng, []
        for _number in range(count):
            draw = rng.random()
            if draw < 0.85:
                payer = person(rng).ascii_upper.title()
                amount = company_gift(rng) if rng.random() < 0.0002 else gift_amount(rng)
                name = mask_name(payer) if rng.random() < 0.55 else ANONYMOUS_NAME
                planned.append(PlannedReceipt(self.moment(day), "bank", amount, [], name))
            elif draw < 0.97:
                who = rng.random()
                name = person(rng).name if who < 0.5 else organisation_name(rng) if who < 0.6 else ANONYMOUS_NAME
                planned.append(PlannedReceipt(self.moment(day, DESK_HOURS), "cash_desk",
                                              gift_amount(rng) * rng.choice((1, 2, 5)), [], name))
            else:
                lines = [(c, Decimal(rng.randrange(10, 2_000) if c.unit == "kg" else rng.randrange(5, 500)),
                          rng.choice((None, 2_000_000, 10_000_000)))
                         for c in rng.sample(self.categories, rng.choice((1, 2)))]
                name = organisation_name(rng) if rng.random() < 0.5 else person(rng).name
                planned.append(PlannedReceipt(self.moment(day, DESK_HOURS), "goods", None, lines, name))
        return planned

    # --- the ledger, in the order things happened ------------------------------------------------

    def ledger(self, payments: list[PlannedReceipt]) -> None:
        rng = self.rng
        self.receipt_rows, self.receipt_items = Table(Receipt), Table(ReceiptItem)
        self.allocation_rows, self.allocation_items = Table(Allocation), Table(AllocationItem)
        self.journal = Table(JournalEntry)
        self.receipt_ids = reserve_ids(Receipt, self.receipts)
        self.allocation_ids = reserve_ids(Allocation, self.allocations)
        self.receipt_item_ids, self.allocation_item_ids = _ids(ReceiptItem), _ids(AllocationItem)
        self.journal_ids = _ids(JournalEntry)
        self.journal_sequence, self.previous, self.heads = 0, GENESIS, {}
        self.receipt_sequence = self.allocation_sequence = 0
        self.cash_in = self.cash_out = 0
        self.goods: dict[int, Decimal] = {c.pk: Decimal(0) for c in self.categories}
        self.disbursements = 0

        # The direct gifts fill what the pledges leave, spread over the days as giving went.
        direct = self.receipts - len(payments)
        per_day = _spread(direct, DAY_WEIGHTS)
        by_day: dict[int, list[PlannedReceipt]] = {}
        for payment in payments:
            by_day.setdefault((payment.at.date() - START).days, []).append(payment)

        # Decisions, each with its fate: reversed (2 %), disbursed (60 % of the others) or planned.
        events: list = []
        order = itertools.count()
        reversals = round(self.allocations * REVERSED_SHARE) if self.allocations >= 2 else 0
        decisions = self.allocations - reversals
        reversed_ones = set(rng.sample(range(decisions), reversals))
        for number, day in enumerate(sorted(self.day(last=DAYS - 1) for _ in range(decisions))):
            day = max(day, 1)
            fate = "reverse" if number in reversed_ones else "disburse" if rng.random() < DISBURSED_SHARE else "plan"
            heapq.heappush(events, (self.moment(day, DECISION_HOURS), next(order), self.decide, (number, fate)))

        day = 0
        while day < DAYS or events:
            receipts = sorted(by_day.pop(day, []) + (self.direct_receipts(day, per_day[day]) if day < DAYS else []))
            end = datetime.datetime.combine(START + datetime.timedelta(days=day + 1), datetime.time(), tzinfo=VIETNAM)
            index = 0
            while True:
                upcoming = events[0][0] if events and events[0][0] < end else None
                if index < len(receipts) and (upcoming is None or receipts[index].at <= upcoming):
                    self.receive(receipts[index])
                    index += 1
                elif upcoming is not None:
                    _at, _order, action, arguments = heapq.heappop(events)
                    for later in action(_at, *arguments) or ():
                        heapq.heappush(events, (later[0], next(order), *later[1:]))
                else:
                    break
            for table in (self.receipt_rows, self.receipt_items, self.allocation_rows, self.allocation_items,
                          self.journal):
                table.flush()
            day += 1
        self.rows.update({
            "receipts": self.receipt_rows.written, "receipt items": self.receipt_items.written,
            "allocations": self.allocation_rows.written, "allocation items": self.allocation_items.written,
            "disbursements": self.disbursements, "journal entries": self.journal.written,
        })

    def chain(self, *, event: str, number: str, values: dict[str, str], at: datetime.datetime) -> None:
        self.journal_sequence += 1
        text = canonical_text(campaign_code=self.code, sequence=self.journal_sequence,
                              event=JournalEvent(event=event, number=number, values=values))
        self.previous = chain_hash(self.previous, text)
        self.heads[at.astimezone(VIETNAM).date()] = (self.journal_sequence, self.previous)
        self.journal.add({"id": next(self.journal_ids), "campaign_id": self.campaign_id,
                          "sequence": self.journal_sequence, "event": event, "entry_number": number,
                          "canonical": text, "hash": self.previous, "recorded_at": at})

    def receive(self, planned: PlannedReceipt) -> None:
        self.receipt_sequence += 1
        pk, number = next(self.receipt_ids), Receipt.number_for(campaign_code=self.code, sequence=self.receipt_sequence)
        kind = Kind.GOODS if planned.items else Kind.CASH
        pledge = planned.pledge
        self.receipt_rows.add({
            "id": pk, "campaign_id": self.campaign_id, "sequence": self.receipt_sequence, "number": number,
            "kind": kind, "amount": planned.amount, "reverses_id": None, "reason": "", "recorded_by_id": self.user.pk,
            "created_at": planned.at, "received_at": planned.at, "channel": planned.channel,
            "pledge_id": pledge.id if pledge else None, "donor_id": pledge.donor_id if pledge else None,
            "bank_transaction_id": None, "public_name": planned.public_name, "note": "",
            "search_name": search_key(planned.public_name), "point_id": None,
        })
        values = {"kind": kind, "amount": "" if planned.amount is None else str(planned.amount), "reverses": "",
                  "time": utc_time(planned.at), "channel": planned.channel, "name": planned.public_name}
        if planned.items:
            values["goods"] = self.goods_lines(self.receipt_items, "receipt_id", pk, planned.items)
            for category, quantity, _value in planned.items:
                self.goods[category.pk] += quantity
        else:
            self.cash_in += planned.amount
        self.chain(event="receipt", number=number, values=values, at=planned.at)

    def goods_lines(self, table: Table, parent: str, pk: int, lines) -> str:
        """Write an entry's goods lines; return them as the journal writes them."""
        ids = self.receipt_item_ids if table.model is ReceiptItem else self.allocation_item_ids
        for category, quantity, value in lines:
            table.add({"id": next(ids), parent: pk, "category_id": category.pk, "quantity": quantity,
                       "estimated_value": value})
        return goods_text((category.slug, quantity, value) for category, quantity, value in lines)

    def decide(self, at: datetime.datetime, number: int, fate: str) -> list:
        """An allocation decided at `at` from what is still unallocated; its reversal or disbursement later."""
        rng = self.rng
        province = rng.choices(self.provinces, weights=self.province_weights)[0]
        lines, amount = [], None
        if rng.random() < GOODS_SHARE:
            stocked = [c for c in self.categories if self.goods[c.pk] >= 10]
            if stocked:
                category = rng.choice(stocked)
                share = Decimal(rng.uniform(0.05, 0.3))
                lines = [(category, Decimal(max(int(self.goods[category.pk] * share), 1)), None)]
        if not lines:
            available = self.cash_in - self.cash_out
            amount = _round_down(int(available * rng.uniform(0.001, 0.004)))
            if amount < 1_000:
                if available < 1_000:  # nothing to allocate yet: the committee decides an hour later
                    return [(at + datetime.timedelta(hours=1), self.decide, (number, fate))]
                amount = 1_000
        allocation = self.allocate(at=at, province=province, amount=amount, lines=lines, fate=fate,
                                   decision=f"{number + 1}/QĐ-BCT{province.code}", purpose=rng.choice(PURPOSES))
        if fate == "reverse":
            return [(at + datetime.timedelta(hours=rng.uniform(2, 48)), self.reverse, (allocation,))]
        if fate == "disburse":
            return [(allocation["disbursed_at"], self.disburse, (allocation,))]
        return []

    def allocate(self, *, at, province, amount, lines, fate, decision, purpose, reverses: dict | None = None) -> dict:
        self.allocation_sequence += 1
        pk = next(self.allocation_ids)
        number = Allocation.number_for(campaign_code=self.code, sequence=self.allocation_sequence)
        disbursed_at = None
        if fate == "disburse":
            disbursed_at = datetime.datetime.combine(
                at.date() + datetime.timedelta(days=self.rng.randint(1, 5)),
                datetime.time(self.rng.randint(8, 16), self.rng.randrange(60)), tzinfo=VIETNAM)
        kind = Kind.GOODS if lines else Kind.CASH
        decided_on = reverses["decision_date"] if reverses else at.date()
        row = {
            "id": pk, "campaign_id": self.campaign_id, "sequence": self.allocation_sequence, "number": number,
            "kind": kind, "amount": amount, "reverses_id": reverses["id"] if reverses else None,
            "reason": "Quyết định được thay thế, điều chỉnh đối tượng hỗ trợ." if reverses else "",
            "recorded_by_id": self.user.pk, "created_at": at, "province_id": province.pk, "decision_number": decision,
            "decision_date": decided_on, "purpose": purpose,
            "status": Allocation.Status.DISBURSED if disbursed_at else Allocation.Status.PLANNED,
            "disbursed_on": disbursed_at.date() if disbursed_at else None,
        }
        self.allocation_rows.add(row)
        values = {"kind": kind, "amount": "" if amount is None else str(amount),
                  "reverses": reverses["number"] if reverses else "", "time": decided_on.isoformat(),
                  "province": f"{province.set}:{province.code}"}
        if lines:
            values["goods"] = self.goods_lines(self.allocation_items, "allocation_id", pk, lines)
            for category, quantity, _value in lines:
                self.goods[category.pk] -= quantity
        else:
            self.cash_out += amount
        self.chain(event="allocation_reversal" if reverses else "allocation", number=number, values=values, at=at)
        return {**row, "province": province, "lines": lines, "disbursed_at": disbursed_at}

    def reverse(self, at: datetime.datetime, original: dict) -> None:
        """What `allocation_reverse` writes: an entry of opposite sign pointing at the original."""
        lines = [(c, -q, -v if v else None) for c, q, v in original["lines"]]
        self.allocate(at=at, province=original["province"], lines=lines, fate="plan",
                      amount=-original["amount"] if original["amount"] is not None else None,
                      decision=original["decision_number"], purpose=original["purpose"], reverses=original)

    def disburse(self, at: datetime.datetime, allocation: dict) -> None:
        province = allocation["province"]
        self.disbursements += 1
        self.chain(event="disbursement", number=allocation["number"], at=at, values={
            "kind": allocation["kind"], "province": f"{province.set}:{province.code}",
            "date": allocation["disbursed_on"].isoformat()})

    # --- all of it ----------------------------------------------------------------------------------

    def record_heads(self) -> None:
        """What `journal_heads_record` writes just after each day's midnight: that day's last link."""
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        heads = JournalHead.objects.bulk_create(
            JournalHead(campaign_id=self.campaign_id, day=day, count=count, hash=digest,
                        recorded_at=datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 5),
                                                              tzinfo=VIETNAM))
            for day, (count, digest) in sorted(self.heads.items()) if day <= yesterday
        )
        self.rows["daily journal heads"] = len(heads)

    def run(self) -> Result:
        self.rows: dict[str, int] = {}
        with transaction.atomic():
            started = time.perf_counter()
            campaign = self.campaign()
            self.campaign_id, self.code = campaign.pk, campaign.code
            payments = self.plan_pledges()
            self.seconds["pledges and donors"] = time.perf_counter() - started
            started = time.perf_counter()
            self.ledger(payments)
            self.seconds["receipts, allocations, journal"] = time.perf_counter() - started
            started = time.perf_counter()
            self.record_heads()
            campaign_totals_refresh(campaign_id=campaign.pk)
            self.seconds["journal heads and totals"] = time.perf_counter() - started
        with connection.cursor() as cursor:
            for model in (Donor, Pledge, PledgeItem, Receipt, ReceiptItem, Allocation, AllocationItem, JournalEntry):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        return Result(campaign=campaign, rows=self.rows, seconds=self.seconds)


DESK_HOURS = [0] * 8 + [3, 4, 4, 3, 2, 3, 4, 4, 3] + [0] * 7
DECISION_HOURS = [0] * 13 + [2, 3, 3, 2, 1] + [0] * 6


def _spread(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, largest remainders first, summing exactly."""
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for index in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _round_down(amount: int) -> int:
    """To three significant digits, as a decision writes a sum: 12.345.678 → 12.300.000."""
    step = 10 ** max(len(str(max(amount, 1))) - 3, 3)
    return amount // step * step


def _ids(model: type[models.Model], batch: int = 10_000) -> Iterator[int]:
    """Primary keys of a table, reserved `batch` at a time."""
    while True:
        yield from reserve_ids(model, batch)


def generate(*, receipts: int = 1_000_000, pledges: int = 200_000, allocations: int = 20_000, seed: int = 2025,
             force: bool = False, out=sys.stdout) -> Result:
    """Fill the database (PostgreSQL only) with one national-size campaign, then run `ledger_verify` on it
    (its report goes to `out`; it raises CommandError if the journal does not verify)."""
    if connection.vendor != "postgresql":
        raise Refused("This generator fills PostgreSQL only: set DATABASE_URL=postgres://….")
    if Receipt.objects.exists() and not force:
        raise Refused("The database already holds receipts; run with --force to add a campaign beside them.")
    result = NationalCampaign(receipts=receipts, pledges=pledges, allocations=allocations, seed=seed).run()
    started = time.perf_counter()
    call_command("ledger_verify", campaign=result.campaign.code, stdout=out)
    result.seconds["ledger_verify"] = time.perf_counter() - started
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=1_000_000)
    parser.add_argument("--pledges", type=int, default=200_000)
    parser.add_argument("--allocations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--force", action="store_true", help="add a campaign even if the database holds receipts")
    args = parser.parse_args(argv)
    if min(args.receipts, args.pledges, args.allocations) < 0 or args.receipts < 1:
        parser.error("counts must not be negative, and there must be at least one receipt")
    try:
        result = generate(receipts=args.receipts, pledges=args.pledges, allocations=args.allocations, seed=args.seed,
                          force=args.force)
    except Refused as refusal:
        print(refusal, file=sys.stderr)
        return 2
    for name, count in result.rows.items():
        print(f"  {name:<32} {count:>12,}")
    generating = sum(seconds for name, seconds in result.seconds.items() if name != "ledger_verify")
    written = sum(count for name, count in result.rows.items() if name != "disbursements")
    for name, seconds in result.seconds.items():
        print(f"  {name:<32} {seconds:>10.1f} s")
    print(f"  {'generated':<32} {generating:>10.1f} s  {written / generating:>10,.0f} rows/s")
    verified = result.rows["journal entries"] / result.seconds["ledger_verify"]
    print(f"  {'verified':<32} {result.seconds['ledger_verify']:>10.1f} s  {verified:>10,.0f} journal entries/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
