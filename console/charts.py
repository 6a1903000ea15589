"""The geometry of the console's charts: inline SVG drawn by the templates from these numbers.
Each chart says its figures in words too (its aria-label) and the page shows them in a table."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = int | Decimal


@dataclass(frozen=True)
class Segment:
    """One rectangle of a bar: a series' part of it."""

    series: str
    value: Number
    y: float
    height: float


@dataclass(frozen=True)
class Column:
    label: str
    x: float
    width: float
    segments: tuple[Segment, ...]
    show_label: bool


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class StackedColumns:
    """Columns of stacked series (approvals under refusals, per day)."""

    width: int
    height: int
    plot_bottom: int
    plot_left: int
    columns: tuple[Column, ...]
    ticks: tuple[Tick, ...]
    series: tuple[str, ...]
    description: str


def _nice_ceiling(value: Number) -> int:
    """The axis' top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


def stacked_columns(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    label_every: int = 5,
    width: int = 720,
    height: int = 220,
) -> StackedColumns:
    top, bottom, left, right = 12, height - 28, 40, 8
    totals = [sum(values[index] for values in series.values()) for index in range(len(labels))]
    ceiling = _nice_ceiling(max(totals, default=0))
    scale = (bottom - top) / ceiling
    slot = (width - left - right) / max(len(labels), 1)
    columns = []
    for index, label in enumerate(labels):
        base = float(bottom)
        segments = []
        for name, values in series.items():
            size = values[index] * scale
            base -= size
            segments.append(Segment(name, values[index], round(base, 1), round(size, 1)))
        last = index == len(labels) - 1
        columns.append(
            Column(
                label=label,
                x=round(left + index * slot + slot * 0.15, 1),
                width=round(slot * 0.7, 1),
                segments=tuple(segments),
                show_label=index % label_every == 0 or last,
            )
        )
    ticks = tuple(
        Tick(round(bottom - (bottom - top) * part / 2, 1), f"{ceiling * part // 2}")
        for part in range(3)
    )
    parts = [
        f"{label}: " + ", ".join(f"{values[index]} {name}" for name, values in series.items())
        for index, label in enumerate(labels)
    ]
    return StackedColumns(
        width=width,
        height=height,
        plot_bottom=bottom,
        plot_left=left,
        columns=tuple(columns),
        ticks=ticks,
        series=tuple(series),
        description=f"{title}. " + "; ".join(parts) + ".",
    )


ROW_HEIGHT = 26
TRACK_LEFT, TRACK_WIDTH = 150, 130


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    # Share of the track the bar fills, 0–100 (of the largest value, or of its own limit).
    percent: float
    y: int

    @property
    def width(self) -> float:
        return round(TRACK_WIDTH * min(self.percent, 100.0) / 100, 1)


@dataclass(frozen=True)
class Bars:
    """Horizontal bars, one a line (loans per bucket, points per factor)."""

    bars: tuple[Bar, ...]
    description: str
    track_left: int = TRACK_LEFT
    track_width: int = TRACK_WIDTH
    width: int = 380

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars)


def bars(
    title: str, values: Sequence[tuple[str, Number, str]], *, of: Sequence[Number] | None = None
) -> Bars:
    """Bars for (label, value, value as shown); each as a share of the largest value, or of
    its own entry in `of` (a factor's weight)."""
    largest = max((value for _, value, _ in values), default=0) or 1
    made = []
    for index, (label, value, shown) in enumerate(values):
        whole = of[index] if of is not None else largest
        made.append(Bar(label, shown, _percent(value, whole), index * ROW_HEIGHT))
    description = f"{title}: " + ", ".join(f"{label} {shown}" for label, _, shown in values) + "."
    return Bars(tuple(made), description)


@dataclass(frozen=True)
class Meter:
    """How much of a limit is used: a bar that turns to a warning past `warn_at` percent and
    to an alarm past the limit."""

    label: str
    used_shown: str
    limit_shown: str
    share: str
    percent: float
    tone: str
    description: str


def meter(label: str, used: Decimal, limit: Decimal, used_shown: str, limit_shown: str) -> Meter:
    percent = _percent(used, limit) if limit > 0 else (0.0 if used == 0 else 100.0)
    tone = "alarm" if used > limit else "warn" if percent >= 80 else "ok"
    return Meter(
        label=label,
        used_shown=used_shown,
        limit_shown=limit_shown,
        share=f"{percent:.1f}%",
        percent=min(percent, 100.0),
        tone=tone,
        description=f"{label}: {used_shown} of {limit_shown} ({percent:.1f}%).",
    )


def _percent(value: Number, whole: Number) -> float:
    return round(float(Decimal(value) * 100 / Decimal(whole)), 1) if whole else 0.0
