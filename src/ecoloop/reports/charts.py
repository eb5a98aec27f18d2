"""The bulletin's charts (matplotlib, Agg, CJK font from fonts-noto-cjk) as PNG bytes.

Each function draws figures the modules returned; none computes an indicator. A chart with no data returns None
and the document leaves it out.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import rc_context  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from ecoloop.reports import official_layout as L  # noqa: E402
from ecoloop.reports.bulletin_data import (  # noqa: E402
    MonthlyCategoryDays,
    MonthlyValue,
    Ranking,
    WaterSectionRow,
)

DPI = 150  # 150 mm wide → ~890 px: sharp in print, light in the .docx
WIDTH_IN = 150 / 25.4  # the figure is placed 150 mm wide (版心 156 mm)
RANKING_WINDOW = 20  # long lists (168 cities) are shown as the 20 entries around the region itself
_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [L.CHART_FONT, "Noto Sans CJK JP", "DejaVu Sans"],
    "axes.unicode_minus": False,
    "font.size": 9,
    "svg.fonttype": "none",
}
_FALLBACK_COLOURS = ["#4C72B0", "#55A868", "#C44E52", "#8172B2", "#CCB974", "#64B5CD", "#8C8C8C"]
# Water classes without colours from the water module: a neutral light → dark ramp (no meaning beyond order).
_CLASS_RAMP = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


@contextmanager
def _figure(height_in: float) -> Iterator[MplFigure]:
    with rc_context(_RC):
        fig = MplFigure(figsize=(WIDTH_IN, height_in), dpi=DPI)
        FigureCanvasAgg(fig)
        yield fig


def _png(fig: MplFigure) -> bytes:
    buf = io.BytesIO()
    with rc_context(_RC):
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def _month_label(month: str) -> str:
    year, mon = month.split("-")
    return f"{int(mon)}月"


def _text_colour(background: str) -> str:
    r, g, b = to_rgb(background)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def aqi_category_chart(
    months: Sequence[MonthlyCategoryDays], order: Sequence[str], colours: dict[str, str]
) -> bytes | None:
    """Monthly stacked bars of days per AQI category (HJ 633 categories and colours, from the air module)."""
    if not months:
        return None
    categories = list(order) or sorted({c for m in months for c in m.days})
    with _figure(3.2) as fig:
        ax = fig.add_subplot()
        x = list(range(len(months)))
        bottom = [0] * len(months)
        for i, cat in enumerate(categories):
            values = [m.days.get(cat, 0) for m in months]
            if not any(values):
                continue
            colour = colours.get(cat, _FALLBACK_COLOURS[i % len(_FALLBACK_COLOURS)])
            ax.bar(x, values, bottom=bottom, color=colour, edgecolor="#555555", linewidth=0.4, label=cat, width=0.7)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xticks(x, [_month_label(m.month) for m in months])
        ax.set_ylabel("天数")
        ax.set_ylim(0, max(31, max(bottom) + 1))
        ax.legend(ncol=min(6, len(categories)), loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def pm25_trend_chart(
    monthly: Sequence[MonthlyValue],
    target: float | None,
    target_label: str = "目标",
    last_year: Sequence[MonthlyValue] = (),
) -> bytes | None:
    """Monthly PM2.5 against the period target (and the same months last year where given)."""
    points = [m for m in monthly if m.value is not None]
    if not points:
        return None
    with _figure(3.0) as fig:
        ax = fig.add_subplot()
        labels = [_month_label(m.month) for m in monthly]
        x = list(range(len(monthly)))
        ax.plot(
            x, [m.value for m in monthly], marker="o", color="#1f5fa8", linewidth=1.6, label="本期月均浓度"
        )
        for xi, m in zip(x, monthly, strict=True):
            if m.value is not None:
                ax.annotate(f"{m.value:g}", (xi, m.value), textcoords="offset points", xytext=(0, 5),
                            ha="center", fontsize=7)
        if last_year:
            ax.plot(x[: len(last_year)], [m.value for m in last_year], marker="s", color="#999999",
                    linewidth=1.0, linestyle=":", label="去年同期")
        if target is not None:
            ax.axhline(target, color="#d62728", linestyle="--", linewidth=1.2, label=f"{target_label}（{target:g}）")
        ax.set_xticks(x, labels)
        ax.set_ylabel("PM2.5（微克/立方米）")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def ranking_window(ranking: Ranking, size: int = RANKING_WINDOW) -> list:
    """The entries shown: all of a short list, or ``size`` entries around the region itself."""
    entries = sorted(ranking.entries, key=lambda e: (e.rank, e.name))
    if len(entries) <= size:
        return entries
    self_idx = next((i for i, e in enumerate(entries) if e.is_self), len(entries) // 2)
    start = max(0, min(self_idx - size // 2, len(entries) - size))
    return entries[start:start + size]


def ranking_chart(ranking: Ranking | None, value_label: str = "综合指数") -> bytes | None:
    """Horizontal bars of the composite index by rank, the region itself highlighted."""
    if ranking is None or not ranking.entries:
        return None
    shown = ranking_window(ranking)
    with _figure(max(2.5, 0.18 * len(shown) + 0.8)) as fig:
        ax = fig.add_subplot()
        y = list(range(len(shown)))
        colours = ["#d62728" if e.is_self else "#7f9fbf" for e in shown]
        ax.barh(y, [e.value for e in shown], color=colours, height=0.7)
        ax.set_yticks(y, [f"{e.rank}. {e.name}" for e in shown], fontsize=7)
        ax.invert_yaxis()
        for yi, e in zip(y, shown, strict=True):
            ax.text(e.value, yi, f" {e.value:g}", va="center", fontsize=6.5)
        ax.set_xlabel(value_label)
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def water_class_matrix_chart(
    months: Sequence[str], rows: Sequence[WaterSectionRow], order: Sequence[str], colours: dict[str, str]
) -> bytes | None:
    """Sections × months, each cell coloured by its water class and labelled with it."""
    if not rows or not months:
        return None
    classes = list(order) or sorted({c for r in rows for c in r.monthly_classes if c})
    with _figure(max(2.0, 0.32 * len(rows) + 1.0)) as fig:
        ax = fig.add_subplot()
        for yi, row in enumerate(rows):
            for xi, cls in enumerate(row.monthly_classes[: len(months)]):
                if cls is None:
                    face, label = "#f2f2f2", "—"
                else:
                    idx = classes.index(cls) if cls in classes else 0
                    face = colours.get(cls, _CLASS_RAMP[min(idx, len(_CLASS_RAMP) - 1)])
                    label = cls
                ax.add_patch(Rectangle((xi, yi), 1, 1, facecolor=face, edgecolor="white"))
                ax.text(xi + 0.5, yi + 0.5, label, ha="center", va="center", fontsize=7,
                        color=_text_colour(face))
        ax.set_xlim(0, len(months))
        ax.set_ylim(len(rows), 0)
        ax.set_xticks([i + 0.5 for i in range(len(months))], [_month_label(m) for m in months])
        ax.set_yticks([i + 0.5 for i in range(len(rows))], [r.name for r in rows], fontsize=7)
        ax.tick_params(length=0)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        return _png(fig)
