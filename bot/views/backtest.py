"""The backtest for the terminal: what happened after a past day, by tier, stage and expected orders."""

from __future__ import annotations

import math

from bot.i18n import plain
from bot.services.backtest import BacktestReport
from bot.views.common import money


def render_backtest(lang: str, report: BacktestReport, currency: str, window_days: int) -> str:
    """The backtest's lines in the reader's language, plain text."""
    figures = report.figures
    days = report.horizon_days
    lines = [
        plain(
            lang, "backtest.title", as_of=report.as_of, days=days, end=report.horizon_end, customers=report.customers
        ),
    ]
    if not report.horizon_complete:
        lines.append(plain(lang, "backtest.incomplete", until=report.sales_until or "–"))
    lines.append(plain(lang, "backtest.tiers_title", days=days))
    for tier in figures.tiers:
        lines.append(
            plain(
                lang,
                "backtest.tier_line",
                tier=tier.tier,
                customers=tier.customers,
                share=_percent(tier.revenue_share),
                revenue=_money(lang, tier.revenue, currency),
                per_customer=_money(lang, tier.revenue_per_customer, currency),
            )
        )
    lines.append(
        plain(lang, "backtest.lift", over_c=_times(lang, figures.lift_over_c), over_d=_times(lang, figures.lift_over_d))
    )
    lines.append(plain(lang, "backtest.stages_title", days=days))
    for stage in figures.stages:
        lines.append(
            plain(
                lang,
                "backtest.stage_line",
                stage=plain(lang, f"stage.{stage.stage}"),
                flagged=stage.flagged,
                bought=stage.bought_again,
                silent=stage.flagged - stage.bought_again,
                right=_percent(_share(stage.flagged - stage.bought_again, stage.flagged)),
                days=days,
            )
        )
    lines.append(
        plain(
            lang,
            "backtest.recall",
            stopped=figures.stopped,
            window=window_days,
            days=days,
            flagged=figures.stopped_flagged,
            share=_percent(_share(figures.stopped_flagged, figures.stopped)),
        )
    )
    lines.append(plain(lang, "backtest.calibration_title", days=days, as_of=report.as_of))
    lines.append(plain(lang, "backtest.calibration_head"))
    for row in figures.calibration:
        lines.append(
            plain(
                lang,
                "backtest.calibration_line",
                bucket=f"{row.repeat_purchases:>5}",
                customers=f"{row.customers:>7}",
                expected=f"{row.expected:>8.2f}",
                actual=f"{row.actual:>8.2f}",
            )
        )
    error = _share(figures.expected_purchases - figures.actual_purchases, figures.actual_purchases)
    lines.append(
        plain(
            lang,
            "backtest.total",
            expected=f"{figures.expected_purchases:,.0f}",
            actual=f"{figures.actual_purchases:,.0f}",
            error=_signed_percent(error),
        )
    )
    return "\n".join(lines)


def _share(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def _percent(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value * 100:.0f}%"


def _signed_percent(value: float) -> str:
    return "–" if math.isnan(value) else f"{value * 100:+.1f}%"


def _money(lang: str, amount: float, currency: str) -> str:
    # Whole units: below ¥10,000 Chinese money is not abbreviated, and cents are noise here.
    return "–" if math.isnan(amount) else money(lang, round(amount), currency)


def _times(lang: str, value: float | None) -> str:
    return plain(lang, "backtest.no_lift") if value is None else f"{value:.1f}×"
