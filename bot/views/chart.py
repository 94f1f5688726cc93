"""The digest's chart: per rep, A and B rolling coverage against the under-reached line, sized for a phone.

Each panel is one tier: its window's dates in the title (the same rolling windows as /team), a bar per rep
with the covered share, red when under-reached, and a dashed line at the digest's coverage_target (below it
a tier is under-reached, bot.services.coverage.under_reached_below).

Drawn on a bare Agg `Figure` (no pyplot), so no figure, rcParam or backend choice outlives the call.
Chinese needs a CJK font; CI and servers install `fonts-wqy-microhei` (Debian/Ubuntu). Without one,
the chart is drawn with English labels and rep names in pinyin, never with empty boxes.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Patch

from bot.i18n import t
from bot.services.coverage import TierCoverage
from bot.services.digest import Digest, most_behind_first
from bot.views.common import percent, shorten
from bot.views.team import short_day

log = logging.getLogger(__name__)

WIDTH_PX, HEIGHT_PX, DPI = 1080, 1350, 150  # 4:5 portrait: Telegram shows it full width on a phone
CHART_REPS = 15
TITLE_SIZE, TITLE_PAD = 14, 24  # points; the pad leaves room for the target line's label under the title
COLOURS = {"under": "#d62728", "on_track": "#4c72b0"}

# Where the usual CJK fonts live (Debian/Ubuntu, Fedora, Arch, Alpine, macOS, Windows); first found wins.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
CJK_FONT_NAMES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)
_PROBE = "覆盖率戶"  # simplified and traditional characters the chart needs


def _has_chinese(path: str) -> bool:
    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(char) in charmap for char in _PROBE)


@cache
def cjk_font_path() -> str | None:
    """A font file that renders Chinese: known paths first, then matplotlib's list of system fonts."""
    candidates = [path for path in CJK_FONT_FILES if Path(path).is_file()]
    candidates += [entry.fname for entry in font_manager.fontManager.ttflist if entry.name in CJK_FONT_NAMES]
    for path in candidates:
        if _has_chinese(path):
            return path
    return None


@cache
def _warn_no_cjk_font() -> None:
    # Cached: logged once per process, not once per manager.
    log.warning("no CJK font found (install fonts-wqy-microhei); digest charts fall back to English labels")


@cache
def _charmap(path: str) -> frozenset[int]:
    return frozenset(FT2Font(path).get_charmap())


def _drawable(text: str, path: str, *, romanize: bool) -> str:
    """The text with only glyphs the font has; Chinese in pinyin first when the font has no Chinese."""
    if romanize and any("\u3400" <= char <= "\u9fff" for char in text):
        from pypinyin import lazy_pinyin

        text = " ".join(part.strip().capitalize() for part in lazy_pinyin(text) if part.strip())
    charmap = _charmap(path)
    return "".join(char for char in text if ord(char) in charmap or char.isspace()).strip() or "?"


def digest_chart(digest: Digest, lang: str) -> bytes:
    """A PNG of the digest's A and B coverage per rep, in the reader's language when a font allows."""
    figure = draw_chart(digest, lang)
    try:
        buffer = io.BytesIO()
        FigureCanvasAgg(figure).print_png(buffer)
        return buffer.getvalue()
    finally:
        figure.clear()


def draw_chart(digest: Digest, lang: str) -> Figure:
    """The chart as a drawn Agg figure (the caller clears it): what digest_chart prints, and tests measure."""
    font_path = cjk_font_path()
    if font_path is None:
        _warn_no_cjk_font()
        lang = "en"
        font_path = font_manager.findfont(FontProperties(family="DejaVu Sans"))
    romanize = not _has_chinese(font_path)

    def font(size: float, weight: str = "normal") -> FontProperties:
        return FontProperties(fname=font_path, size=size, weight=weight)

    def label(text: str) -> str:
        return _drawable(str(text), font_path, romanize=romanize)

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    _draw(figure, digest, lang, font, label)
    return figure


def _draw(figure: Figure, digest: Digest, lang: str, font, label) -> None:
    title = t(lang, "digest.chart.title", week=digest.week_number)
    subtitle = t(
        lang,
        "digest.chart.subtitle" if digest.at_risk_is_new else "digest.chart.subtitle_first",
        up=len(digest.moved_up),
        down=len(digest.moved_down),
        at_risk=len(digest.newly_at_risk),
    )
    figure.text(0.04, 0.965, label(title), fontproperties=font(17, "bold"), va="top", parse_math=False)
    figure.text(0.04, 0.925, label(subtitle), fontproperties=font(12.5), color="#444444", va="top", parse_math=False)
    reps = most_behind_first(digest.reps)[:CHART_REPS]
    if not reps:
        figure.text(0.5, 0.5, label(t(lang, "digest.chart.no_reps")), fontproperties=font(16), ha="center")
        return
    if len(digest.reps) > CHART_REPS:
        note = t(lang, "digest.chart.shown", shown=CHART_REPS, total=len(digest.reps))
        figure.text(0.04, 0.895, label(note), fontproperties=font(11), color="#666666", va="top", parse_math=False)
    axes = figure.subplots(
        1, 2, sharey=True, gridspec_kw={"left": 0.25, "right": 0.94, "wspace": 0.22, "top": 0.80, "bottom": 0.1}
    )
    rows = list(range(len(reps)))
    for axis, tier in zip(axes, ("A", "B"), strict=True):
        items = [next(item for item in rep.tiers if item.tier == tier) for rep in reps]
        _tier_panel(axis, tier, items, rows, digest.coverage_target, lang, font, label)
    axes[0].set_yticks(rows)
    axes[0].set_yticklabels([label(shorten(rep.name, 10)) for rep in reps])
    for tick in axes[0].get_yticklabels():
        tick.set_fontproperties(font(12.5 if len(reps) <= 10 else 11))
        tick.set_parse_math(False)
    axes[0].set_ylim(len(reps) - 0.5, -0.5)  # the rep furthest behind on top
    _fit_titles(figure, axes)
    legend = [Patch(color=colour, label=label(t(lang, f"digest.chart.{status}"))) for status, colour in COLOURS.items()]
    figure.legend(
        handles=legend, loc="lower center", ncol=len(legend), frameon=False, prop=font(12), bbox_to_anchor=(0.5, 0.01)
    )


def _fit_titles(figure: Figure, axes) -> None:
    """Shrink a panel title that is wider than its panel (long words in English) until it fits."""
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # draw_chart attaches one
    renderer = canvas.get_renderer()
    for axis in axes:
        title = axis.title
        room = axis.get_window_extent(renderer).width
        size = float(TITLE_SIZE)
        while title.get_window_extent(renderer).width > room and size > 8:
            size -= 0.5
            title.set_fontsize(size)


def _tier_panel(
    axis, tier: str, items: list[TierCoverage], rows: list[int], target: float, lang: str, font, label
) -> None:
    shares = [item.share for item in items]
    colours = [COLOURS[item.status] for item in items]
    axis.barh(rows, shares, height=0.62, color=colours)
    for row, item in zip(rows, items, strict=True):
        text = percent(item.share) if item.customers else "–"
        inside = item.customers and item.share > 0.78
        axis.text(
            item.share - 0.02 if inside else item.share + 0.02,
            row,
            text,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "#222222",
            fontproperties=font(11),
            parse_math=False,
            # Keeps a label readable where it crosses the dashed target line.
            bbox=None if inside else {"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            zorder=5,
        )
    axis.axvline(target, color="#222222", linestyle="--", linewidth=1.6, clip_on=False)
    # Just above the panel, where the dashed line meets it; the panel title sits higher (its pad).
    axis.annotate(
        label(t(lang, "digest.chart.target", share=percent(target))),
        xy=(target, 1),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center" if 0.2 < target < 0.8 else ("left" if target <= 0.2 else "right"),
        va="bottom",
        fontproperties=font(10.5),
        parse_math=False,
        annotation_clip=False,
    )
    # Centred over its own panel and no wider than it (_fit_titles), so the two titles never meet.
    start, end = items[0].window_start, items[0].window_end
    axis.set_title(
        label(t(lang, "digest.chart.tier_window", tier=tier, start=short_day(lang, start), end=short_day(lang, end))),
        fontproperties=font(TITLE_SIZE, "bold"),
        pad=TITLE_PAD,
    )
    axis.set_xlim(0, 1)
    axis.set_xticks([0, 0.5, 1])
    axis.set_xticklabels(["0", "50%", "100%"])
    for tick in axis.get_xticklabels():
        tick.set_fontproperties(font(11))
    axis.tick_params(axis="y", length=0)
    axis.grid(axis="x", color="#dddddd", linewidth=0.8)
    axis.set_axisbelow(True)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)
