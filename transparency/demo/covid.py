"""The COVID-19 appeal of 2021, closed since, replayed so its history can be read.

Two waves of giving: May 2021 (the outbreak in the industrial parks of Bắc Giang and Bắc Ninh) and
July–August 2021 (Hồ Chí Minh City and the South under lockdown). The VietinBank account's monthly
history is imported the first morning of the next month; companies hand in medical supplies, rice
and gift packages; everything allocated was disbursed and reported. No pledges: the web form did
not exist yet.
"""

import datetime

from campaigns.models import Campaign, ProvinceSet

from .statements import VIETINBANK_SHAPES, vietinbank_csv
from .story import Story

d = datetime.date
START = d(2021, 5, 1)
END = d(2021, 9, 30)
TRANSFERS = 400
OPENING_BALANCE = 1_785_240_000
MONTHS = ((d(2021, 5, 1), d(2021, 5, 31)), (d(2021, 6, 1), d(2021, 6, 30)), (d(2021, 7, 1), d(2021, 7, 31)),
          (d(2021, 8, 1), d(2021, 8, 31)), (d(2021, 9, 1), d(2021, 9, 30)))


def _day_weight(day: datetime.date) -> float:
    """The two waves: Bắc Giang and Bắc Ninh in May, the South in July and August."""
    if d(2021, 5, 10) <= day <= d(2021, 5, 31):
        return 4
    if d(2021, 7, 9) <= day <= d(2021, 8, 31):
        return 5
    return 0.6


DIRECT_WORDS = (
    "ung ho phong chong dich COVID 19", "ung ho quy vac xin", "UNG HO CHONG DICH", "ung ho Bac Giang chong dich",
    "ung ho Bac Giang Bac Ninh", "Sai Gon co len", "ung ho TP HCM chong dich", "chung tay day lui COVID",
    "ung ho luc luong tuyen dau", "ung ho ATM gao", "{name} ung ho chong dich", "{name} chuyen tien", "", "",
)
COMPANY_WORDS = "{name} UNG HO PHONG CHONG DICH COVID-19"
ALLOCATIONS = (
    # (day, decision, 2008 province, % cash, % goods, purpose, disbursed after days, đồng per household reported)
    (d(2021, 6, 2), "35/QĐ-BCTTW", "24", 35, 0,
     "Hỗ trợ công nhân, người lao động tại các khu công nghiệp bị phong tỏa", 3, 1_000_000),
    (d(2021, 6, 2), "36/QĐ-BCTTW", "27", 25, 0, "Hỗ trợ các khu cách ly tập trung và lực lượng tuyến đầu", 3, 1_500_000),
    (d(2021, 6, 3), "37/QĐ-BCTTW", "24", 0, 80, "Vật tư y tế, gạo cho các khu cách ly", 2, 0),
    (d(2021, 7, 2), "52/QĐ-BCTTW", "79", 40, 0, "Hỗ trợ người dân khó khăn trong thời gian giãn cách xã hội", 2, 1_000_000),
    (d(2021, 7, 2), "53/QĐ-BCTTW", "74", 20, 0, "Hỗ trợ công nhân mất việc làm do dịch", 3, 1_000_000),
    (d(2021, 8, 2), "60/QĐ-BCTTW", "79", 0, 70, "Gạo, nhu yếu phẩm cho các khu phong tỏa", 1, 0),
    (d(2021, 8, 2), "61/QĐ-BCTTW", "75", 25, 0, "Hỗ trợ các khu cách ly và bệnh viện dã chiến", 4, 2_000_000),
    (d(2021, 8, 3), "62/QĐ-BCTTW", "01", 20, 0, "Hỗ trợ lực lượng tuyến đầu chống dịch", 3, 2_000_000),
    (d(2021, 9, 2), "70/QĐ-BCTTW", "79", 50, 0, "Hỗ trợ trẻ em mồ côi do COVID-19", 5, 10_000_000),
    (d(2021, 9, 2), "71/QĐ-BCTTW", "74", 0, 90, "Phần quà, nhu yếu phẩm cho người lao động ở lại khu trọ", 2, 0),
    (d(2021, 9, 3), "72/QĐ-BCTTW", "75", 90, 0, "Hỗ trợ người dân bị ảnh hưởng bởi dịch COVID-19", 3, 1_500_000),
)
COMMUNES = {
    "24": ("Xã Vân Trung, huyện Việt Yên", "Xã Quang Châu, huyện Việt Yên", "Xã Đình Trì, thành phố Bắc Giang"),
    "27": ("Phường Đình Bảng, thị xã Từ Sơn", "Xã Hạp Lĩnh, thành phố Bắc Ninh"),
    "79": ("Phường Bình Hưng Hòa A, quận Bình Tân", "Phường 14, quận 8", "Xã Vĩnh Lộc A, huyện Bình Chánh",
           "Phường Linh Trung, thành phố Thủ Đức"),
    "74": ("Phường Thuận Giao, thành phố Thuận An", "Phường Dĩ An, thành phố Dĩ An", "Phường Tân Định, thị xã Bến Cát"),
    "75": ("Phường Tam Phước, thành phố Biên Hòa", "Xã Hố Nai 3, huyện Trảng Bom"),
    "01": ("Phường Thanh Xuân Trung, quận Thanh Xuân", "Phường Văn Chương, quận Đống Đa"),
}
DESK_GIFTS = (
    (d(2021, 5, 18), "Công ty TNHH Điện tử Kinh Bắc", [("medicine", 2_000, 600_000_000)]),
    (d(2021, 5, 25), "Trường THPT Chu Văn An", 31_800_000),
    (d(2021, 5, 27), "Công ty Cổ phần Thực phẩm Sao Mai", [("rice", 30_000, 450_000_000)]),
    (d(2021, 7, 12), "Hiệp hội Dệt may Thành phố Hồ Chí Minh", [("necessities", 3_000, 450_000_000)]),
    (d(2021, 7, 20), "Công ty Cổ phần Thực phẩm Sao Mai",
     [("rice", 50_000, 750_000_000), ("instant-food", 5_000, 500_000_000)]),
    (d(2021, 7, 28), "", [("rice", 2_000, None)]),
    (d(2021, 8, 10), "Tập đoàn Điện máy Bình Minh", [("medicine", 500, 1_200_000_000)]),
    (d(2021, 8, 15), "Công đoàn Tổng công ty Cảng Hải Phòng", 250_000_000),
    (d(2021, 8, 20), "Tổng công ty Hàng hải Hạ Long", [("gift-packages", 10_000, 3_000_000_000)]),
)


class CovidStory(Story):
    def __init__(self, *, campaign: Campaign, staff: dict) -> None:
        days = (END - START).days + 1
        super().__init__(
            campaign=campaign, staff=staff, start=START,
            day_weights=[_day_weight(START + datetime.timedelta(days=n)) for n in range(days)],
            narrator_shapes=VIETINBANK_SHAPES, write=vietinbank_csv, periods=MONTHS, opening_balance=OPENING_BALANCE,
            file_name="LichSuGiaoDich_{account}_{start:%Y%m}.csv",
        )

    def load(self) -> None:
        self.companies(count=8, words=COMPANY_WORDS, first=12, last=115)
        self.desk(gifts=DESK_GIFTS, walk_ins=15)
        self.direct_gifts(words=DIRECT_WORDS, until=TRANSFERS)
        self.allocations(decisions=ALLOCATIONS, communes=COMMUNES, province_set=ProvinceSet.Y2008)
        self.run()
