"""Charts and the map of the public pages, drawn on the server as SVG geometry: no script needed.

Pure functions over rows already read (no database): `running_totals_chart` for cash received,
allocated and disbursed over time, `tile_map` for the 34 units of today's map shaded by quantile of
the cash each was allocated. Templates turn the geometry into SVG and give each a table alternative.
"""

import datetime
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from campaigns.money import vnd_short

# The plot is drawn in a 1000 × 1000 box stretched to the chart's size; labels are HTML placed in
# percent of that box, so they keep a readable size on a phone and on a desktop alike.
BOX = 1000


@dataclass(frozen=True)
class Tick:
    """A labelled tick, at `percent` of the axis from the left (x) or the top (y). Numbers meant for
    SVG and CSS are text with a decimal point, whatever the language's number format."""

    at: float
    label: str

    @property
    def percent(self) -> str:
        return _coordinate(self.at)

    @property
    def position(self) -> str:
        return _coordinate(self.at * BOX / 100)


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    path: str
    last: int


@dataclass(frozen=True)
class RunningChart:
    first_day: datetime.date
    last_day: datetime.date
    series: list[Series]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


SERIES = (
    ("received", _("Received")),
    ("allocated", _("Allocated")),
    ("disbursed", _("Disbursed")),
)


def nice_ceiling(value: int) -> tuple[int, int]:
    """A round top for an axis reaching `value`, and the step between its 3 to 6 ticks: the lowest
    top made of steps of 1, 2, 2,5 or 5 × 10ⁿ đồng."""
    if value <= 0:
        return 1_000_000, 250_000
    best = None
    magnitude = 10 ** max(len(str(value)) - 2, 0)
    for scale in (magnitude // 10 or 1, magnitude, magnitude * 10):
        for factor in (1, 2, 2.5, 5):
            step = int(factor * scale)
            if step <= 0:
                continue
            top = -(-value // step) * step
            if 3 <= top // step <= 6 and (best is None or top < best[0] or (top == best[0] and step > best[1])):
                best = (top, step)
    return best or (value, value)


def axis_amount(value: int) -> str:
    """An axis label: `1,5 tỷ`, `300 triệu`, `0`."""
    return vnd_short(value).removesuffix(" đồng") if value else "0"


def running_totals_chart(days: Sequence) -> RunningChart | None:
    """Running totals of cash received, allocated and disbursed, day by day (rows of `DailyTotals`).

    Each series is a step line: a running total holds until the next day that changes it.
    """
    if not days:
        return None
    first, last = days[0].day, days[-1].day
    span = max((last - first).days, 1)
    top, step = nice_ceiling(max(max(d.received_to_date, d.allocated_to_date, d.disbursed_to_date) for d in days))

    def x(day: datetime.date) -> str:
        return _coordinate((day - first).days * BOX / span)

    def y(value: int) -> str:
        return _coordinate(BOX - value * BOX / top)

    series = []
    for key, label in SERIES:
        values = [(d.day, getattr(d, f"{key}_to_date")) for d in days]
        path = [f"M0 {y(0)}"]
        for day, value in values:
            path.append(f"H{x(day)} V{y(value)}")
        path.append(f"H{BOX}")
        series.append(Series(key=key, label=str(label), path=" ".join(path), last=values[-1][1]))
    y_ticks = [Tick(at=100 - value * 100 / top, label=axis_amount(value)) for value in range(0, top + 1, step)]
    return RunningChart(first_day=first, last_day=last, series=series, y_ticks=y_ticks,
                        x_ticks=_day_ticks(first, span))


def _day_ticks(first: datetime.date, span: int, most: int = 5) -> list[Tick]:
    """Evenly spaced days: `15/09` within a few months, `09/2024` over a longer time."""
    every = max(1, -(-span // (most - 1)))
    label = "%d/%m" if span <= 120 else "%m/%Y"
    ticks = []
    for offset in range(0, span + 1, every):
        day = first + datetime.timedelta(days=offset)
        ticks.append(Tick(at=offset * 100 / span, label=day.strftime(label)))
    return ticks


def _coordinate(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# --- the tile map -----------------------------------------------------------------------------------

# Each unit of the 2025 map as a square on a 6 × 15 grid, placed roughly where it lies, north to south:
# code → (column, row). The archipelagos are drawn beside Đà Nẵng and Khánh Hòa, which they belong to.
TILES = {
    "12": (1, 0), "15": (2, 0), "08": (3, 0), "04": (4, 0),
    "11": (0, 1), "14": (1, 1), "25": (2, 1), "19": (3, 1), "20": (4, 1),
    "01": (2, 2), "24": (3, 2), "22": (4, 2),
    "37": (2, 3), "33": (3, 3), "31": (4, 3),
    "38": (2, 4),
    "40": (2, 5), "42": (3, 5),
    "44": (3, 6),
    "46": (3, 7), "48": (4, 7),
    "51": (4, 8),
    "52": (4, 9),
    "66": (4, 10),
    "68": (3, 11), "56": (4, 11),
    "80": (1, 12), "79": (2, 12), "75": (3, 12),
    "91": (0, 13), "82": (1, 13), "86": (2, 13),
    "96": (0, 14), "92": (1, 14),
}
ISLANDS = (
    ("Hoàng Sa", "48", (5, 7)),
    ("Trường Sa", "56", (5, 12)),
)
SHORT_NAMES = {"79": ("TP.HCM",)}
CELL = 60  # grid pitch in SVG units
TILE = 56  # side of a square
COLUMNS, ROWS = 6, 15
CLASSES = 4  # quantile classes of cash allocated (0 is a class of its own)


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    x: int
    y: int
    lines: tuple[str, ...]
    shade: int  # 0: nothing allocated; 1..CLASSES: quantile of cash allocated
    amount: int

    @property
    def centre_x(self) -> int:
        return self.x + TILE // 2

    @property
    def label_lines(self) -> list[tuple[str, str]]:
        """Each label line with its baseline, the lines centred in the square."""
        first = self.y + TILE / 2 - (len(self.lines) - 1) * 6.5 + 4
        return [(line, _coordinate(first + index * 13)) for index, line in enumerate(self.lines)]


@dataclass(frozen=True)
class LegendClass:
    shade: int
    low: int
    high: int


@dataclass
class TileMap:
    tiles: list[Tile]
    islands: list[dict]
    legend: list[LegendClass] = field(default_factory=list)
    tile: int = TILE
    width: int = COLUMNS * CELL
    height: int = ROWS * CELL

    @property
    def shaded(self) -> list[Tile]:
        return sorted((tile for tile in self.tiles if tile.amount > 0), key=lambda tile: -tile.amount)


def quantile_classes(amounts: Sequence[int], classes: int = CLASSES) -> tuple[dict[int, int], list[LegendClass]]:
    """Shade each positive amount by the quantile it falls in (equal counts of units per class, ties
    kept together), and the range of amounts each shade stands for."""
    ordered = sorted(a for a in amounts if a > 0)
    if not ordered:
        return {}, []
    count = min(classes, len(ordered))
    shade_of = {amount: 1 + bisect_left(ordered, amount) * count // len(ordered) for amount in ordered}
    legend = []
    for shade in sorted(set(shade_of.values())):
        members = [a for a in ordered if shade_of[a] == shade]
        legend.append(LegendClass(shade=shade, low=members[0], high=members[-1]))
    return shade_of, legend


def _label_lines(code: str, name: str) -> tuple[str, ...]:
    if code in SHORT_NAMES:
        return SHORT_NAMES[code]
    words = name.split()
    if len(words) <= 2:
        return tuple(words)
    return " ".join(words[:-1]), words[-1]


def tile_map(*, provinces: Sequence, allocated: dict[str, int]) -> TileMap:
    """The 34 units (`provinces` of the 2025 map) as squares shaded by the cash each was allocated
    (`allocated`: code → đồng)."""
    shade_of, legend = quantile_classes(list(allocated.values()))
    names = {p.code: p.name for p in provinces}
    tiles = []
    for code, (column, row) in TILES.items():
        amount = allocated.get(code, 0)
        tiles.append(Tile(
            code=code, name=names.get(code, code), x=column * CELL, y=row * CELL,
            lines=_label_lines(code, names.get(code, code)), shade=shade_of.get(amount, 0), amount=amount,
        ))
    islands = [
        {"name": name, "owner": names.get(owner, ""), "x": column * CELL + TILE // 2, "y": row * CELL + TILE // 2}
        for name, owner, (column, row) in ISLANDS
    ]
    return TileMap(tiles=tiles, islands=islands, legend=legend)


def percent_of(part: int | Decimal, whole: int | Decimal) -> int:
    """Whole percent, rounded down, between 0 and 100 (0 when there is no whole)."""
    if not whole or whole <= 0:
        return 0
    return max(0, min(100, int(part * 100 // whole)))

