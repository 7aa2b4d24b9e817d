"""Who gives, how much and when: Vietnamese names as people carry them, organisations, gift amounts
shaped like a real appeal's (mostly 10.000–500.000 đồng, round numbers favoured, a few lucky
numbers, rare very large company gifts) and the hours people give at. Plain functions of a
`random.Random`: no database.
"""

import random
from dataclasses import dataclass

from campaigns.text import strip_diacritics

# Family names with their rough share of the population (per cent).
FAMILY_NAMES = (
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4.5), ("Huỳnh", 3.5), ("Phan", 4.5),
    ("Vũ", 3.9), ("Võ", 2.5), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.8), ("Trịnh", 0.6), ("Đoàn", 0.6), ("Lương", 0.4), ("Mai", 0.4),
    ("Cao", 0.4), ("Tạ", 0.3), ("Lâm", 0.3), ("Hà", 0.4), ("Chu", 0.2), ("Tô", 0.2), ("Triệu", 0.2),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Ngọc", "Xuân", "Quang", "Công",
               "Anh", "Duy", "Tiến", "Gia", "Trọng", "Mạnh")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Thùy",
                 "Phương", "Bảo", "Hoài", "Mai", "Khánh", "Diệu")
SECOND_MIDDLE_FEMALE = ("Bích", "Thu", "Hồng", "Thanh", "Ngọc", "Kim", "Mỹ", "Phương")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
              "Khoa", "Long", "Lâm", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài",
              "Thắng", "Thành", "Thịnh", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hưng", "Toàn")
GIVEN_FEMALE = ("Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Huyền",
                "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh",
                "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trinh", "Vân", "Yến", "Hòa", "Nhàn")
_FAMILY, _FAMILY_WEIGHTS = zip(*FAMILY_NAMES, strict=True)

# Organisations (name, tax code): invented, but named the way Vietnamese organisations are.
ORGANISATIONS = (
    ("Công ty Cổ phần Thực phẩm Sao Mai", "0101234567"),
    ("Hội doanh nhân trẻ tỉnh Bắc Ninh", "2300123456"),
    ("Trường THPT Chu Văn An", "0100345678"),
    ("Công ty TNHH Vận tải Hoàng Long", "0201567890"),
    ("Tổng công ty Xây dựng Sông Hồng", "0100106225"),
    ("Công ty Cổ phần Thép Việt Bắc", "4600345127"),
    ("Công ty TNHH Điện tử Kinh Bắc", "2300987654"),
    ("Tập đoàn Điện máy Bình Minh", "0304567891"),
    ("Công ty Cổ phần Dược phẩm Trường Sơn", "0102233445"),
    ("Hội Doanh nhân Việt Nam tại Nhật Bản", "0108765432"),
    ("Công đoàn Tổng công ty Cảng Hải Phòng", "0200236845"),
    ("Công ty Cổ phần Sữa Ba Vì", "0500432198"),
    ("Ngân hàng TMCP Phát triển Miền Bắc", "0100150619"),
    ("Tổng công ty Hàng hải Hạ Long", "5700101234"),
    ("Hiệp hội Dệt may Thành phố Hồ Chí Minh", "0301458796"),
)

# Kinds and names of the many small organisations that give (schools, cooperatives, associations).
ORGANISATION_KINDS = ("Công ty TNHH", "Công ty Cổ phần", "Hợp tác xã", "Trường Tiểu học", "Trường THCS", "Trường THPT",
                      "Hội Phụ nữ phường", "Đoàn Thanh niên xã", "Hội Cựu chiến binh phường", "Nhóm thiện nguyện",
                      "Công đoàn Công ty", "Chi hội Doanh nhân")
ORGANISATION_NAMES = ("Sao Mai", "Hoàng Long", "Bình Minh", "An Phát", "Thành Công", "Việt Tiến", "Hưng Thịnh", "Phú Gia",
                      "Đại Dương", "Minh Anh", "Tân Tiến", "Hòa Bình", "Thăng Long", "Hồng Hà", "Trường Sơn", "Cửu Long",
                      "Tây Nguyên", "Bạch Đằng", "Phương Nam", "Kim Liên", "Ánh Dương", "Đồng Tâm")

# Gift amounts in đồng and their weights: what people actually send.
ROUND_GIFTS = (
    (10_000, 6), (20_000, 7), (30_000, 2), (50_000, 14), (100_000, 20), (150_000, 2), (200_000, 12),
    (300_000, 5), (500_000, 13), (1_000_000, 7), (2_000_000, 3), (3_000_000, 1), (5_000_000, 2),
    (10_000_000, 0.8), (20_000_000, 0.3), (50_000_000, 0.1),
)
LUCKY_GIFTS = (68_000, 86_000, 99_000, 168_000, 199_000, 268_000, 386_000, 468_000, 686_868, 868_868, 888_888,
               123_456, 99_999, 66_666)
COMPANY_GIFTS = (500_000_000, 1_000_000_000, 1_000_000_000, 2_000_000_000, 3_000_000_000, 5_000_000_000,
                 10_000_000_000, 20_000_000_000)
_ROUND, _ROUND_WEIGHTS = zip(*ROUND_GIFTS, strict=True)

# Transfers by hour of the day: few at night, a peak in the evening after work.
HOUR_WEIGHTS = (0.4, 0.2, 0.1, 0.1, 0.1, 0.3, 1, 2, 3.5, 4.5, 4.5, 4, 3.5, 3.5, 4, 4, 4, 4, 4.5, 5.5, 6, 5, 3, 1.2)


@dataclass(frozen=True)
class Person:
    family: str
    middle: str
    given: str
    female: bool

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.family, self.middle, self.given) if part)

    @property
    def ascii_upper(self) -> str:
        """As a bank prints it: `TRAN THI BICH NGOC`."""
        return strip_diacritics(self.name).upper()


def person(rng: random.Random) -> Person:
    female = rng.random() < 0.5
    family = rng.choices(_FAMILY, weights=_FAMILY_WEIGHTS)[0]
    if female:
        middle = rng.choice(MIDDLE_FEMALE)
        if middle == "Thị" and rng.random() < 0.3:
            middle += " " + rng.choice(SECOND_MIDDLE_FEMALE)
        return Person(family, middle, rng.choice(GIVEN_FEMALE), True)
    return Person(family, rng.choice(MIDDLE_MALE), rng.choice(GIVEN_MALE), False)


def organisation(rng: random.Random) -> tuple[str, str]:
    """One of the known organisations (name, tax code)."""
    return rng.choice(ORGANISATIONS)


def organisation_name(rng: random.Random) -> str:
    """One of many small organisations: `Trường THCS Kim Liên`, `Hợp tác xã Đồng Tâm`."""
    return f"{rng.choice(ORGANISATION_KINDS)} {rng.choice(ORGANISATION_NAMES)}"


def gift_amount(rng: random.Random) -> int:
    """One person's gift: mostly round, sometimes a lucky number or an odd number of thousands."""
    draw = rng.random()
    if draw < 0.84:
        return rng.choices(_ROUND, weights=_ROUND_WEIGHTS)[0]
    if draw < 0.92:
        return rng.choice(LUCKY_GIFTS)
    return rng.randrange(10, 501) * 1_000


def company_gift(rng: random.Random) -> int:
    return rng.choice(COMPANY_GIFTS)


def phone(rng: random.Random) -> str:
    return rng.choice(("09", "03", "08", "07")) + str(rng.randrange(10**7, 10**8))


def display_choice(rng: random.Random) -> str:
    """How a donor wants to be named in public: full 25 %, masked (Nguyễn V. A.) 50 %, anonymous 25 %."""
    return rng.choices(("full", "masked", "anonymous"), weights=(25, 50, 25))[0]
