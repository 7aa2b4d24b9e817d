"""What every demo campaign's story is made of: days weighted by how much was given, transfers on the
statement, the desk, staff decisions on the queue, and allocations with their reports."""

import datetime
import random
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser

from campaigns.models import Campaign, ItemCategory, Province
from campaigns.text import strip_diacritics
from donations.models import BankTransaction
from donations.services import receipt_record
from ledger.services import ItemLine

from .people import HOUR_WEIGHTS, company_gift, gift_amount, organisation, person
from .replay import Allocator, StatementBook, Timeline, aware, moment
from .statements import Line, Narrator

# An allocation decided on `day`: `cash`% of the unallocated cash or `goods`% of each unallocated good,
# disbursed `after` days later (None: still planned), reported at `per_household` đồng per household.
Decision = tuple[datetime.date, str, str, int, int, str, int | None, int]


class Story:
    """A campaign replayed from `start` over `len(day_weights)` days through the services."""

    def __init__(
        self, *, campaign: Campaign, staff: dict[str, AbstractBaseUser], start: datetime.date,
        day_weights: Sequence[float], narrator_shapes: Sequence[tuple[str, float]], write: Callable[..., bytes],
        periods: Sequence[tuple[datetime.date, datetime.date]], opening_balance: int, file_name: str,
    ) -> None:
        self.campaign, self.start, self.day_weights = campaign, start, list(day_weights)
        self.rng = random.Random(f"{campaign.code}-story")
        self.central, self.provincial = staff["trunguong"], staff["laocai"]
        self.timeline = Timeline()
        self.account = campaign.accounts.get()
        holder = strip_diacritics(self.account.account_holder).upper()
        self.narrator = Narrator(self.rng, account=self.account.account_number, holder=holder, shapes=narrator_shapes)
        self.book = StatementBook(
            account=self.account, rng=self.rng, write=write, file_name=file_name, periods=periods,
            opening_balance=opening_balance, uploaded_by=self.central, timeline=self.timeline,
        )
        self.allocator = Allocator(
            campaign=campaign, rng=self.rng, timeline=self.timeline, book=self.book, decided_by=self.central,
            reporters=lambda province: self.provincial if province.current.code == "15" else self.central,
        )
        self.categories = {c.slug: c for c in ItemCategory.objects.all()}
        self.credits = 0

    # --- when -----------------------------------------------------------------------------------

    def date(self, day: int) -> datetime.date:
        return self.start + datetime.timedelta(days=day)

    def day(self, last: int | None = None) -> int:
        """A day drawn as giving went (`last`: no later than this one)."""
        last = len(self.day_weights) - 1 if last is None else last
        return self.rng.choices(range(last + 1), weights=self.day_weights[: last + 1])[0]

    def transfer_at(self, day: int) -> datetime.datetime:
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        return moment(self.date(day), hour, self.rng.randrange(60), self.rng.randrange(60))

    def desk_at(self, day: int) -> datetime.datetime:
        return moment(self.date(day), self.rng.randint(8, 16), self.rng.randrange(60))

    # --- money in -------------------------------------------------------------------------------

    def credit(self, *, day: int, amount: int, payer: str, words: str, shape: str = "") -> Line:
        """A transfer on the statement of `day`."""
        at = self.transfer_at(day)
        line = Line(at=at, amount=amount, text=self.narrator.credit(payer=payer, words=words, at=at, shape=shape))
        self.book.add(line)
        self.credits += 1
        return line

    def later(self, line: Line, action: Callable[[BankTransaction], object]) -> None:
        """A staff decision on the transaction of `line`, the morning after its statement was imported or the next."""
        day = line.at.date() + datetime.timedelta(days=self.rng.choice((1, 1, 2)))
        self.timeline.at(moment(day, 10, self.rng.randrange(60)), lambda: action(self.book.transaction(line)))

    def companies(self, *, count: int, words: str, first: int, last: int) -> None:
        """Large gifts of organisations, by interbank transfer between days `first` and `last`."""
        rng = self.rng
        for _number in range(count):
            name = strip_diacritics(organisation(rng)[0]).upper()
            self.credit(day=rng.randint(first, last), amount=company_gift(rng), payer=name,
                        words=words.format(name=name), shape=rng.choice(("ibft", "ft", "napas")))

    def direct_gifts(self, *, words: Sequence[str], until: int) -> None:
        """Transfers without reference until the statements hold `until` credits."""
        rng = self.rng
        while self.credits < until:
            payer = person(rng).ascii_upper
            self.credit(day=self.day(), amount=gift_amount(rng), payer=payer, words=rng.choice(words).format(name=payer))

    def receipt_at_desk(self, at: datetime.datetime, **fields) -> None:
        """Cash or goods handed in at `at` (a pledge's or not), recorded at once by central staff."""
        self.timeline.at(at, lambda: receipt_record(
            campaign=self.campaign, received_at=aware(at), recorded_by=self.central, **fields))

    def desk(self, *, gifts: Sequence[tuple], walk_ins: int) -> None:
        """Gifts handed in without a pledge: `gifts` of (date, who, cash or [(slug, quantity, value)]),
        and `walk_ins` people leaving cash, named or not."""
        rng = self.rng
        for date, name, what in gifts:
            at = moment(date, rng.randint(8, 16), rng.randrange(60))
            if isinstance(what, int):
                self.receipt_at_desk(at, channel="cash_desk", amount=what, public_name=name)
            else:
                items = [ItemLine(category=self.categories[slug], quantity=Decimal(q), estimated_value=v)
                         for slug, q, v in what]
                self.receipt_at_desk(at, channel="goods", items=items, public_name=name)
        for _number in range(walk_ins):
            who = person(rng)
            self.receipt_at_desk(self.desk_at(self.day()), channel="cash_desk",
                                 amount=gift_amount(rng) * rng.choice((1, 2, 5, 10)),
                                 public_name=who.name if rng.random() < 0.6 else "")

    # --- money out ------------------------------------------------------------------------------

    def allocations(
        self, *, decisions: Sequence[Decision], communes: dict[str, Sequence[str]], province_set: str,
    ) -> None:
        provinces = {p.code: p for p in Province.objects.filter(set=province_set)}
        for day, decision, code, cash, goods, purpose, after, per_household in decisions:
            self.allocator.decide(
                day=day, decision=decision, province=provinces[code], purpose=purpose, cash_share=cash,
                goods_share=goods, disburse_after=after, communes=communes[code], per_household=per_household,
            )

    def run(self) -> None:
        self.timeline.run()
