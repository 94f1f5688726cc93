"""Why a customer moved tier between two runs: the main driver, then the criteria that crossed their lines.

explain_move compares one customer's figures in the previous run with the new run's and returns up to
three reasons (code, params), JSON-serialisable, rendered by the i18n layer like the tier reasons:

    order_left_window    day (ISO date of the largest sale day that left the window), amount, window_days
                                                  "2025年12月 ¥3.1万 大单滑出12个月窗口"
    no_orders_days       days (since the last purchase day)        "近95天无下单"
    new_orders           count (purchase days since the previous run), amount
    value_rank_fell      amount_before, amount_after, window_days, line_pct and line_class (the ABC line
    value_rank_rose      crossed: the top 80 % is class A)   "近12个月销售额 ¥25万 → ¥18万，跌出前80%（A 类线）"
    growth_crossed       before_pct, after_pct (signed, "+22"), line_pct (growth_trend)
    potential_raised     score        potential_lowered  score     potential_cleared  (none)
    value_score_crossed  before, after, line (value score × 100)
    now_new  (none)   now_active  (none)   now_at_risk  silent_days   now_lost  silent_days
    value_score_moved    before, after (value score × 100): only when nothing else explains the move

Driver: a fall with less window revenue names the largest sale day that left the window when it was a
large order (LARGE_ORDER_SHARE of the previous window's revenue); a fall with
no stage change and at least at_risk_min_days of silence names the silence; a rise names the orders
since the previous run. Criteria, in the order the tier rules weigh them: value rank (ABC: always for
a move into or out of A, and when the development line (class C) is crossed), growth, potential,
lifecycle stage, low value. Growth and value score are judged against their line moved by the
hysteresis margin in the move's direction, the line the move actually crossed; the reason names the
rule's own line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from scoring.rules import ScoringRules

Reason = tuple[str, dict[str, object]]
MAX_MOVE_REASONS = 3
# A sale day that left the window is the driver of a fall when it was at least this share of the
# customer's previous window revenue: a large order, not one of many routine ones.
LARGE_ORDER_SHARE = 0.1
TIER_RANK = {"A": 0, "B": 1, "C": 2, "D": 3}

MOVE_REASON_PARAMS: dict[str, tuple[str, ...]] = {
    "order_left_window": ("day", "amount", "window_days"),
    "no_orders_days": ("days",),
    "new_orders": ("count", "amount"),
    "value_rank_fell": ("amount_before", "amount_after", "window_days", "line_pct", "line_class"),
    "value_rank_rose": ("amount_before", "amount_after", "window_days", "line_pct", "line_class"),
    "growth_crossed": ("before_pct", "after_pct", "line_pct"),
    "potential_raised": ("score",),
    "potential_lowered": ("score",),
    "potential_cleared": (),
    "value_score_crossed": ("before", "after", "line"),
    "now_new": (),
    "now_active": (),
    "now_at_risk": ("silent_days",),
    "now_lost": ("silent_days",),
    "value_score_moved": ("before", "after"),
}


@dataclass(frozen=True)
class TierFigures:
    """One customer's figures in one run, as its snapshot stores them."""

    tier: str
    stage: str
    abc_class: str | None
    monetary: float
    value_score: float
    trend: float | None  # None (or NaN) when the previous window had no revenue
    potential_score: float | None
    recency_days: float | None


@dataclass(frozen=True)
class MoveDrivers:
    """What the sales say happened between the two runs."""

    # Sale days (day, net amount) that left the trailing window between the runs.
    left_window: tuple[tuple[date, float], ...] = ()
    new_order_days: int = 0  # purchase days after the previous run's as_of
    new_amount: float = 0.0


def _number(value: float | None) -> float:
    """The figure, NaN when unknown: NaN compares False with every line, as an unknown figure should."""
    return math.nan if value is None else float(value)


def explain_move(
    before: TierFigures, after: TierFigures, drivers: MoveDrivers, rules: ScoringRules
) -> tuple[Reason, ...]:
    """Return up to three reasons why the tier went from before.tier to after.tier (see the module docstring)."""
    down = TIER_RANK[after.tier] > TIER_RANK[before.tier]
    criteria = _crossed(before, after, rules, down)
    silence_stated = any(code in _SILENCE for code, _ in criteria)
    driver = _driver(before, after, drivers, rules, down, silence_stated=silence_stated)
    reasons = ([driver] if driver else []) + criteria
    if not reasons:
        reasons = [
            ("value_score_moved", {"before": _hundred(before.value_score), "after": _hundred(after.value_score)})
        ]
    return tuple(reasons[:MAX_MOVE_REASONS])


_SILENCE = ("now_at_risk", "now_lost")


def _driver(
    before: TierFigures,
    after: TierFigures,
    drivers: MoveDrivers,
    rules: ScoringRules,
    down: bool,
    *,
    silence_stated: bool,
) -> Reason | None:
    if not down:
        if drivers.new_order_days > 0:
            return ("new_orders", {"count": drivers.new_order_days, "amount": round(drivers.new_amount, 2)})
        return None
    if drivers.left_window and after.monetary < before.monetary:
        day, amount = max(drivers.left_window, key=lambda sale: sale[1])
        if amount > 0 and amount >= LARGE_ORDER_SHARE * before.monetary:
            return (
                "order_left_window",
                {"day": day.isoformat(), "amount": round(amount, 2), "window_days": rules.window_days},
            )
    silent = _number(after.recency_days)
    if not silence_stated and silent >= rules.at_risk_min_days:
        return ("no_orders_days", {"days": round(silent)})
    return None


def _crossed(before: TierFigures, after: TierFigures, rules: ScoringRules, down: bool) -> list[Reason]:
    """The criteria whose side of their line changed, in the order the tier rules weigh them."""
    reasons: list[Reason] = []
    margin = rules.hysteresis_margin if down else -rules.hysteresis_margin
    classes = {before.abc_class, after.abc_class}
    potential = max(before.potential_score or 0, after.potential_score or 0)
    development = potential >= rules.development_potential_score and "C" in classes and "A" not in classes
    # Into or out of A, value rank is the criterion even when hysteresis held the class change back.
    top = "A" in classes or "A" in (before.tier, after.tier)
    if top or (development and before.abc_class != after.abc_class):
        line, line_class = (rules.abc_a_share, "A") if top else (rules.abc_b_share, "B")
        # The rank's own direction: a development target that starts buying rises in rank and falls in tier.
        fell = (before.abc_class or "C") < (after.abc_class or "C") if before.abc_class != after.abc_class else down
        reasons.append(
            (
                "value_rank_fell" if fell else "value_rank_rose",
                {
                    "amount_before": round(before.monetary, 2),
                    "amount_after": round(after.monetary, 2),
                    "window_days": rules.window_days,
                    "line_pct": round(line * 100),
                    "line_class": line_class,
                },
            )
        )
    trend_before, trend_after = _number(before.trend), _number(after.trend)
    line = rules.growth_trend - margin
    if not (math.isnan(trend_before) or math.isnan(trend_after)) and (trend_before >= line) != (trend_after >= line):
        reasons.append(
            (
                "growth_crossed",
                {
                    "before_pct": f"{round(trend_before * 100):+d}",
                    "after_pct": f"{round(trend_after * 100):+d}",
                    "line_pct": round(rules.growth_trend * 100),
                },
            )
        )
    potential_before, potential_after = _number(before.potential_score), _number(after.potential_score)
    if math.isnan(potential_after) and not math.isnan(potential_before):
        reasons.append(("potential_cleared", {}))
    elif not math.isnan(potential_after) and potential_before != potential_after:
        # An unknown potential becoming known counts as raised: something now suggests potential.
        code = "potential_lowered" if potential_after < potential_before else "potential_raised"
        reasons.append((code, {"score": round(potential_after)}))
    if before.stage != after.stage and after.stage != "prospect":
        params: dict[str, object] = {}
        if after.stage in ("at_risk", "lost"):
            params["silent_days"] = round(after.recency_days or 0)
        reasons.append((f"now_{after.stage}", params))
    line = rules.low_value_score - margin
    if (before.value_score >= line) != (after.value_score >= line):
        values: dict[str, object] = {"before": _hundred(before.value_score), "after": _hundred(after.value_score)}
        reasons.append(("value_score_crossed", {**values, "line": _hundred(rules.low_value_score)}))
    return reasons


def _hundred(score: float) -> int:
    return round(score * 100)
