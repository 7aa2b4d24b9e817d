"""The Yagi appeal, 8–27 September 2024, replayed day by day.

The appeal opens on 8 September; giving peaks after the Làng Nủ flash flood of 10 September and
tails off. Every morning the previous day's Vietcombank statement (a few hundred transfers at the
peak) is imported; staff settle what the import could not (a mistyped reference, money sent for a
pledge of goods, another campaign's code); the desk takes cash and goods; the central committee
decides allocations to the provinces from what has come in, pays them out by bank transfer (the
debit appears on the next statement) and the provinces report what reached which commune.
"""

import datetime

from django.db.models import Prefetch

from campaigns.models import Campaign, ProvinceSet
from campaigns.text import strip_diacritics
from donations.models import REFERENCE_ALPHABET, Pledge, PledgeItem
from donations.services import (
    bank_transaction_assign,
    bank_transaction_confirm_direct,
)
from ledger.models import Kind
from ledger.services import ItemLine

from .people import gift_amount, person
from .statements import VIETCOMBANK_SHAPES, vietcombank_csv
from .story import Story

d = datetime.date
START = d(2024, 9, 8)
DAYS = 20
# How giving spreads over the 20 days: it peaks after the Làng Nủ flash flood of 10 September.
DAY_WEIGHTS = (2, 5, 12, 16, 15, 12, 9, 7, 5, 4, 3, 2.5, 2, 1.5, 1.2, 1, 0.8, 0.7, 0.6, 0.5)
OPENING_BALANCE = 4_213_560_000

# What donors type when they give without a pledge ({name}: their own name, as many do).
DIRECT_WORDS = (
    "ung ho dong bao mien Bac", "UNG HO DONG BAO BI BAO LU", "ung ho bao so 3", "Ung ho khac phuc hau qua bao so 3",
    "ung ho dong bao vung lu", "ung ho ba con Lang Nu", "Ung ho Lao Cai Yen Bai", "chung tay cung mien Bac",
    "mien Bac co len", "thuong lam mien Bac oi", "ung ho dong bao bi anh huong bao Yagi", "gia dinh em ung ho dong bao",
    "Lop 5A ung ho dong bao lu lut", "Tap the can bo cong nhan vien ung ho", "chia se voi dong bao vung bao lu",
    "ung ho MTTQ", "UH MTTQ khac phuc bao lu", "{name} ung ho dong bao mien Bac", "{name} ung ho bao lu",
    "{name} chuyen tien", "", "", "",
)
COMPANY_WORDS = "{name} UNG HO DONG BAO BI THIET HAI DO BAO SO 3"
# How donors quote a pledge reference: mostly as shown, sometimes in their own way.
REFERENCE_WORDS = (
    "YAGI24 {ref}", "YAGI24 {ref}", "YAGI24 {ref} ung ho dong bao bao lu", "yagi24 {lower}", "YAGI24-{ref}",
    "YAGI24{ref} ung ho mien Bac", "YAGI 24 {ref}", "{ref} ung ho", "Ung ho YAGI24 {ref}",
)
# Characters a donor misreads for one another when copying a reference.
LOOKALIKES = {"8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6", "U": "V", "V": "U"}

ALLOCATIONS = (
    # (day, decision, 2008 province, % cash, % goods, purpose, disbursed after days, đồng per household reported)
    (d(2024, 9, 10), "125/QĐ-BCTTW", "15", 25, 0, "Hỗ trợ khẩn cấp các hộ có nhà bị sập, trôi do lũ quét", 1, 10_000_000),
    (d(2024, 9, 10), "126/QĐ-BCTTW", "10", 30, 0, "Hỗ trợ khẩn cấp thôn Làng Nủ, xã Phúc Khánh, huyện Bảo Yên", 1,
     20_000_000),
    (d(2024, 9, 10), "127/QĐ-BCTTW", "04", 15, 0, "Hỗ trợ khắc phục sạt lở đất tại huyện Nguyên Bình", 2, 5_000_000),
    (d(2024, 9, 12), "131/QĐ-BCTTW", "22", 15, 0, "Hỗ trợ ngư dân bị thiệt hại tàu thuyền, lồng bè", 2, 10_000_000),
    (d(2024, 9, 12), "132/QĐ-BCTTW", "31", 12, 0, "Hỗ trợ sửa chữa nhà ở, trường học bị tốc mái", 2, 3_000_000),
    (d(2024, 9, 12), "133/QĐ-BCTTW", "19", 12, 0, "Hỗ trợ các hộ bị ngập sâu ven sông Cầu", 3, 2_000_000),
    (d(2024, 9, 13), "135/QĐ-BCTTW", "10", 0, 60, "Gạo, nước uống và mì ăn liền cho bà con vùng lũ", 1, 0),
    (d(2024, 9, 14), "140/QĐ-BCTTW", "08", 10, 0, "Hỗ trợ các hộ bị ngập lụt ven sông Lô", 2, 2_000_000),
    (d(2024, 9, 14), "141/QĐ-BCTTW", "24", 10, 0, "Hỗ trợ khắc phục ngập lụt tại huyện Lục Nam", None, 0),
    (d(2024, 9, 14), "142/QĐ-BCTTW", "25", 10, 0, "Hỗ trợ khắc phục hậu quả sập cầu Phong Châu và ngập lụt", 3,
     3_000_000),
    (d(2024, 9, 15), "145/QĐ-BCTTW", "15", 0, 60, "Gạo, thuốc và nhu yếu phẩm cho các xã vùng lũ", 1, 0),
    (d(2024, 9, 17), "150/QĐ-BCTTW", "15", 20, 0, "Hỗ trợ làm lại nhà cho các hộ mất nhà", 3, 40_000_000),
    (d(2024, 9, 17), "151/QĐ-BCTTW", "10", 20, 0, "Hỗ trợ tái định cư các hộ thôn Làng Nủ", 4, 50_000_000),
    (d(2024, 9, 17), "155/QĐ-BCTTW", "24", 12, 0,
     "Hỗ trợ khắc phục ngập lụt tại huyện Lục Nam, Lục Ngạn (thay Quyết định 141/QĐ-BCTTW)", 2, 2_000_000),
    (d(2024, 9, 21), "160/QĐ-BCTTW", "22", 15, 0, "Hỗ trợ khôi phục nuôi trồng thủy sản", 3, 8_000_000),
    (d(2024, 9, 21), "161/QĐ-BCTTW", "04", 10, 0, "Hỗ trợ sửa chữa đường giao thông nông thôn bị sạt lở", 4, 10_000_000),
    (d(2024, 9, 24), "170/QĐ-BCTTW", "19", 10, 0, "Hỗ trợ khôi phục sản xuất nông nghiệp", None, 0),
    (d(2024, 9, 24), "171/QĐ-BCTTW", "25", 10, 0, "Hỗ trợ sửa chữa trường học, trạm y tế", None, 0),
    (d(2024, 9, 26), "175/QĐ-BCTTW", "31", 0, 80, "Quần áo, nhu yếu phẩm và phần quà cho các hộ bị thiệt hại", None, 0),
)
# Decision 141 is replaced by 155 the morning 155 is decided.
REVERSAL = (d(2024, 9, 17), "141/QĐ-BCTTW", "Thay bằng Quyết định 155/QĐ-BCTTW: mở rộng hỗ trợ sang huyện Lục Ngạn.")
COMMUNES = {
    "10": ("Xã Phúc Khánh, huyện Bảo Yên", "Xã Cốc Lầu, huyện Bắc Hà", "Xã Bản Xèo, huyện Bát Xát",
           "Xã Xuân Quang, huyện Bảo Thắng"),
    "15": ("Xã Mỏ Vàng, huyện Văn Yên", "Xã Châu Quế Hạ, huyện Văn Yên", "Phường Hồng Hà, thành phố Yên Bái",
           "Xã Phúc An, huyện Yên Bình"),
    "04": ("Xã Ca Thành, huyện Nguyên Bình", "Xã Thành Công, huyện Nguyên Bình", "Phường Sông Bằng, thành phố Cao Bằng"),
    "22": ("Xã Quan Lạn, huyện Vân Đồn", "Phường Hà Khánh, thành phố Hạ Long", "Xã Thắng Lợi, huyện Vân Đồn"),
    "31": ("Xã Trân Châu, huyện Cát Hải", "Phường Đông Hải 1, quận Hải An"),
    "19": ("Phường Túc Duyên, thành phố Thái Nguyên", "Phường Gia Sàng, thành phố Thái Nguyên",
           "Xã Linh Sơn, thành phố Thái Nguyên"),
    "08": ("Phường Tân Quang, thành phố Tuyên Quang", "Xã An Tường, thành phố Tuyên Quang"),
    "24": ("Xã Lục Sơn, huyện Lục Nam", "Xã Quý Sơn, huyện Lục Ngạn"),
    "25": ("Xã Hồng Đà, huyện Tam Nông", "Thị trấn Lâm Thao, huyện Lâm Thao"),
}
# Handed in at the desk without a pledge: (day, who, cash) or (day, who, [(category, quantity, estimated value)]).
DESK_GIFTS = (
    (d(2024, 9, 9), "Trường THPT Chu Văn An", 52_350_000),
    (d(2024, 9, 10), "Hội Doanh nhân Việt Nam tại Nhật Bản",
     [("rice", 20_000, 360_000_000), ("drinking-water", 2_000, 140_000_000)]),
    (d(2024, 9, 11), "Công ty Cổ phần Thực phẩm Sao Mai", [("instant-food", 3_000, 330_000_000)]),
    (d(2024, 9, 11), "Công ty Cổ phần Dược phẩm Trường Sơn", [("medicine", 1_500, 450_000_000)]),
    (d(2024, 9, 12), "Công đoàn Tổng công ty Cảng Hải Phòng", 120_000_000),
    (d(2024, 9, 13), "Hiệp hội Dệt may Thành phố Hồ Chí Minh",
     [("clothes", 5_000, 500_000_000), ("necessities", 1_200, None)]),
    (d(2024, 9, 14), "Tổng công ty Hàng hải Hạ Long", [("gift-packages", 2_500, 1_250_000_000)]),
    (d(2024, 9, 16), "", [("rice", 1_500, None), ("drinking-water", 300, None)]),
    (d(2024, 9, 19), "Công ty Cổ phần Sữa Ba Vì", [("necessities", 800, 240_000_000), ("drinking-water", 600, 42_000_000)]),
)


class YagiStory(Story):
    def __init__(self, *, campaign: Campaign, staff: dict, transfers: int) -> None:
        super().__init__(
            campaign=campaign, staff=staff, start=START, day_weights=DAY_WEIGHTS, narrator_shapes=VIETCOMBANK_SHAPES,
            write=vietcombank_csv, periods=[(START + datetime.timedelta(days=n),) * 2 for n in range(DAYS)],
            opening_balance=OPENING_BALANCE, file_name="SaoKe_{account}_{start:%Y%m%d}.csv",
        )
        self.transfers = transfers

    def load(self) -> None:
        items = Prefetch("items", queryset=PledgeItem.objects.select_related("category").order_by("pk"))
        pledges = list(Pledge.objects.filter(campaign=self.campaign).select_related("donor")
                       .prefetch_related(items).order_by("pk"))
        self.pledges(pledges)
        self.strays()
        self.companies(count=16, words=COMPANY_WORDS, first=1, last=9)
        self.desk(gifts=DESK_GIFTS, walk_ins=30)
        self.direct_gifts(words=DIRECT_WORDS, until=self.transfers)
        self.allocations(decisions=ALLOCATIONS, communes=COMMUNES, province_set=ProvinceSet.Y2008)
        day, decision, reason = REVERSAL
        self.allocator.reverse(day=day, decision=decision, reason=reason)
        self.run()

    def pledges(self, pledges: list[Pledge]) -> None:
        """What became of each web-form pledge: paid by transfer (quoting the reference well or badly),
        in part, in two goes, together with another, at the desk, delivered as goods, or not yet."""
        rng = self.rng
        pair: Pledge | None = None  # waiting for a second pledge of the same family
        unclear: Pledge | None = None  # the same, but the family will send the wrong total
        for pledge in pledges:
            day, draw = self.day(last=DAYS - 4), rng.random()
            if pledge.kind == Kind.GOODS:
                self.goods_pledge(pledge, day, draw)
            elif draw < 0.50:
                self.pay(pledge, day, pledge.amount)
            elif draw < 0.57:
                self.pay(pledge, day, pledge.amount // 2_000 * 1_000)
            elif draw < 0.62:
                half = pledge.amount // 2_000 * 1_000
                self.pay(pledge, day, half)
                self.pay(pledge, day + rng.randint(2, 3), pledge.amount - half)
            elif draw < 0.67:
                if pair is None:
                    pair = pledge
                else:  # one transfer settles the pledges of two members of a family
                    words = f"YAGI24 {pair.reference} YAGI24 {pledge.reference}"
                    self.credit(day=day, amount=pair.amount + pledge.amount, payer=self.payer(pledge), words=words)
                    pair = None
            elif draw < 0.69:
                if unclear is None:
                    unclear = pledge
                else:  # two references, but not their total: it waits until staff reach the family
                    words = f"YAGI24 {unclear.reference} {pledge.reference} ung ho"
                    self.credit(day=day, amount=pledge.amount, payer=self.payer(pledge), words=words)
                    unclear = None
            elif draw < 0.75:
                self.receipt_at_desk(self.desk_at(day), channel="cash_desk", amount=pledge.amount, pledge=pledge)
            elif draw < 0.82:  # the reference mistyped: it waits until staff find the pledge (or still waits)
                line = self.credit(day=day, amount=pledge.amount, payer=self.payer(pledge),
                                   words=f"YAGI24 {self.mistype(pledge.reference)} ung ho")
                if rng.random() < 0.55:
                    self.later(line, lambda txn, ref=pledge.reference: bank_transaction_assign(
                        txn=txn, reference=ref, decided_by=self.central, note="Người ủng hộ gọi điện xác nhận mã ủng hộ."))
        for left in (pair, unclear):
            if left is not None:
                self.pay(left, self.day(last=DAYS - 4), left.amount)

    def goods_pledge(self, pledge: Pledge, day: int, draw: float) -> None:
        items = [ItemLine(category=i.category, quantity=i.quantity, estimated_value=i.estimated_value)
                 for i in pledge.items.all()]
        if draw < 0.75:  # brought to a drop-off point: all of it, or part of the first line
            if draw >= 0.62:
                first = items[0]
                items = [ItemLine(category=first.category, quantity=(first.quantity / 2).to_integral_value())]
            at = self.desk_at(day + self.rng.randint(0, 3))
            self.receipt_at_desk(at, channel="goods", items=items, pledge=pledge)
        elif draw < 0.82:  # money sent quoting a pledge of goods: it waits; staff take it as a gift
            line = self.credit(day=day, amount=gift_amount(self.rng) * 5, payer=self.payer(pledge),
                               words=f"YAGI24 {pledge.reference} ung ho tien")
            if self.rng.random() < 0.7:
                self.later(line, lambda txn: bank_transaction_confirm_direct(
                    txn=txn, decided_by=self.central, note="Nhà hảo tâm gửi tiền thay cho hàng đã đăng ký."))

    def pay(self, pledge: Pledge, day: int, amount: int) -> None:
        ref = pledge.reference
        words = self.rng.choice(REFERENCE_WORDS).format(ref=ref, lower=ref.lower())
        self.credit(day=day, amount=amount, payer=self.payer(pledge), words=words)

    def payer(self, pledge: Pledge) -> str:
        return strip_diacritics(pledge.donor.display_name).upper()

    def mistype(self, reference: str) -> str:
        rng = self.rng
        at = rng.randrange(len(reference) - 1)
        if rng.random() < 0.5 and reference[at] != reference[at + 1]:  # two characters swapped
            return reference[:at] + reference[at + 1] + reference[at] + reference[at + 2:]
        wrong = LOOKALIKES.get(reference[at]) or rng.choice(REFERENCE_ALPHABET.replace(reference[at], ""))
        return reference[:at] + wrong + reference[at + 1:]

    def strays(self) -> None:
        """Transfers quoting another campaign's code or a reference no pledge has: they wait for staff,
        who take some of them as gifts after calling the donor."""
        rng = self.rng
        for number in range(10):
            reference = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
            code = "COVID21" if number % 2 else "YAGI24"
            line = self.credit(day=self.day(last=DAYS - 3), amount=gift_amount(rng), payer=person(rng).ascii_upper,
                               words=f"{code} {reference} ung ho", shape="vcb")
            if number < 4:
                self.later(line, lambda txn: bank_transaction_confirm_direct(
                    txn=txn, decided_by=self.central, note="Đã liên hệ người chuyển: ủng hộ bão Yagi, không có mã."))
