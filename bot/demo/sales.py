"""Two years of simulated sales: seasonality, Chinese New Year, trajectories, heavy-tailed account values."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import numpy as np

from bot.demo.team import DemoCustomer

HISTORY_DAYS = 730
# A small cardiovascular, diabetes, hepatitis and GI portfolio; list price per box in yuan.
PORTFOLIO: tuple[tuple[str, float], ...] = (
    ("阿托伐他汀钙片 20mg×28片", 36.5),
    ("瑞舒伐他汀钙片 10mg×28片", 42.8),
    ("苯磺酸氨氯地平片 5mg×28片", 28.6),
    ("二甲双胍缓释片 0.5g×30片", 19.8),
    ("恩替卡韦分散片 0.5mg×28片", 56.0),
    ("奥美拉唑肠溶胶囊 20mg×28粒", 24.5),
    ("硫酸氢氯吡格雷片 75mg×28片", 66.0),
    ("缬沙坦胶囊 80mg×28粒", 32.0),
)
TRAJECTORIES = ("steady", "growing", "declining", "at_risk", "lapsed", "new", "prospect")
# Landmark hospitals are established accounts: they can fade but are never prospects.
_LANDMARK_ODDS = (0.55, 0.25, 0.15, 0.05, 0.0, 0.0, 0.0)
_ACCOUNT_ODDS = (0.37, 0.18, 0.12, 0.05, 0.09, 0.07, 0.12)
# Orders per month (low, high), extra lines per order (trials, p) and products bought, by kind.
_ORDERS_PER_MONTH = {"hospital": (2.0, 6.0), "pharmacy": (1.0, 3.0), "clinic": (0.15, 1.0)}
_EXTRA_LINES = {"hospital": (3, 0.45), "pharmacy": (2, 0.35), "clinic": (1, 0.25)}
_PRODUCTS_BOUGHT = {"hospital": (6, 8), "pharmacy": (4, 6), "clinic": (2, 4)}
# Yearly value in yuan of a pharmacy or clinic of potential H/M/L; hospitals scale with beds.
_CLASS_VALUE = {"pharmacy": {"H": 160_000, "M": 60_000, "L": 24_000}, "clinic": {"H": 40_000, "M": 15_000, "L": 6_000}}
_YUAN_PER_BED = 330.0
_RETURN_SHARE = 0.01


@dataclass(frozen=True)
class SalesHistory:
    """Every simulated sales line, as parallel arrays, plus what each customer was meant to do."""

    first_day: date
    trajectory: list[str]
    annual_value: np.ndarray
    customer: np.ndarray
    day: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray

    def sold_on(self, index: int) -> date:
        """Return the date of the line at this index."""
        return self.first_day + timedelta(days=int(self.day[index]))

    def rows(self, customer_ids: list[int]) -> list[dict[str, object]]:
        """Return the sale_line rows; line keys number the lines in date order, so they are stable."""
        days = [self.first_day + timedelta(days=d) for d in range(HISTORY_DAYS)]
        return [
            {
                "line_key": f"demo:{n}",
                "customer_id": customer_ids[c],
                "sold_on": days[d],
                "amount": a,
                "quantity": q,
                "product": PORTFOLIO[p][0],
            }
            for n, (c, d, p, q, a) in enumerate(
                zip(
                    self.customer.tolist(),
                    self.day.tolist(),
                    self.product.tolist(),
                    self.quantity.tolist(),
                    self.amount.tolist(),
                    strict=True,
                ),
                start=1,
            )
        ]


def simulate_sales(customers: list[DemoCustomer], *, seed: int, as_of: date) -> SalesHistory:
    """Simulate the 730 days of sales ending at as_of."""
    rng = np.random.default_rng(random.Random(f"tierbot-demo:{seed}:sales").getrandbits(64))
    first_day = as_of - timedelta(days=HISTORY_DAYS - 1)
    kinds = [c.kind for c in customers]
    odds = [_LANDMARK_ODDS if c.landmark else _ACCOUNT_ODDS for c in customers]
    trajectory = [TRAJECTORIES[rng.choice(len(TRAJECTORIES), p=o)] for o in odds]
    value = np.array([_base_value(c) for c in customers]) * rng.lognormal(-0.18, 0.6, len(customers))
    per_month = np.array([rng.uniform(*_ORDERS_PER_MONTH[k]) for k in kinds])
    level = _trajectory_levels(rng, trajectory, per_month)
    calendar = _calendar_weights(first_day)
    rate = per_month[:, None] / 30.44 * np.stack([calendar[k] for k in kinds]) * np.sqrt(level)
    ordered = rng.random(rate.shape) < np.minimum(rate, 0.95)
    for c in np.flatnonzero(~ordered.any(axis=1) & level.any(axis=1)):
        # Every customer that is not a prospect buys at least once in its active span.
        ordered[c, rng.choice(np.flatnonzero(level[c]))] = True
    new = [i for i, t in enumerate(trajectory) if t == "new"]
    ordered[new, level[new].argmax(axis=1)] = True  # a new account orders on its first day
    order_customer, order_day = np.nonzero(ordered)

    taste = _product_taste(rng, kinds)
    trials, chance = np.array([_EXTRA_LINES[k] for k in kinds]).T
    lines = 1 + rng.binomial(trials[order_customer].astype(int), chance[order_customer])
    lines = np.minimum(lines, (taste[order_customer] > 0).sum(axis=1))
    # Gumbel top-k: each order buys its k products drawn without replacement by the customer's taste.
    with np.errstate(divide="ignore"):
        keys = np.log(taste[order_customer]) + rng.gumbel(size=(len(order_customer), len(PORTFOLIO)))
    ranked = np.argsort(-keys, axis=1, kind="stable")
    line_order = np.repeat(np.arange(len(order_customer)), lines)
    rank = np.arange(len(line_order)) - np.repeat(np.cumsum(lines) - lines, lines)
    product = ranked[line_order, rank]
    customer, day = order_customer[line_order], order_day[line_order]
    share = taste[customer, product]
    share = share / np.bincount(line_order, weights=share)[line_order]

    order_value = value / (per_month * 12)
    amount = order_value[customer] * np.sqrt(level[customer, day]) * share * rng.lognormal(-0.08, 0.4, len(day))
    unit_price = np.array([p for _, p in PORTFOLIO])[product] * _price_factor(rng, kinds)[customer]
    quantity = np.maximum(1, np.rint(amount / unit_price))

    # About 1 % of lines come back (damaged or near expiry) a few days to a month later.
    back = np.flatnonzero(rng.random(len(day)) < _RETURN_SHARE)
    back_day = day[back] + rng.integers(3, 31, len(back))
    back = back[back_day < HISTORY_DAYS]
    back_day = back_day[back_day < HISTORY_DAYS]
    back_quantity = -np.maximum(1, np.rint(quantity[back] * rng.uniform(0.05, 0.4, len(back))))
    customer = np.concatenate([customer, customer[back]])
    day = np.concatenate([day, back_day])
    product = np.concatenate([product, product[back]])
    quantity = np.concatenate([quantity, back_quantity])
    unit_price = np.concatenate([unit_price, unit_price[back]])
    order = np.lexsort((quantity, product, customer, day))
    return SalesHistory(
        first_day=first_day,
        trajectory=trajectory,
        annual_value=value,
        customer=customer[order],
        day=day[order],
        product=product[order],
        quantity=quantity[order],
        amount=np.round(quantity[order] * unit_price[order], 2),
    )


def _base_value(customer: DemoCustomer) -> float:
    if customer.kind == "hospital":
        beds = float(customer.potential_value or 100)
        # Per bed, a big hospital buys more than a 500-bed one: more specialists, more referred patients.
        return _YUAN_PER_BED * beds * (beds / 500) ** 0.15
    return float(_CLASS_VALUE[customer.kind][customer.potential_class or "L"])


def _trajectory_levels(rng: np.random.Generator, trajectory: list[str], per_month: np.ndarray) -> np.ndarray:
    """Return the buying level per customer and day: 1 is the customer's usual level, 0 is silence."""
    t = np.linspace(0.0, 1.0, HISTORY_DAYS)
    days = np.arange(HISTORY_DAYS)
    level = np.ones((len(trajectory), HISTORY_DAYS))
    for c, kind in enumerate(trajectory):
        if kind == "growing":
            start, end = rng.uniform(0.3, 0.6), rng.uniform(1.3, 1.8)
            level[c] = start + (end - start) * t
        elif kind == "declining":
            start, end = rng.uniform(1.3, 1.7), rng.uniform(0.3, 0.6)
            level[c] = start + (end - start) * t
        elif kind == "at_risk":
            # Silent for several of its usual buying intervals, but not yet six months.
            quiet = int(np.clip(rng.uniform(4, 8) * 30.44 / per_month[c], 45, 170))
            level[c, days >= HISTORY_DAYS - quiet] = 0.0
        elif kind == "lapsed":
            level[c] = np.where(days < HISTORY_DAYS - rng.integers(200, 560), 1.2 - 0.5 * t, 0.0)
        elif kind == "new":
            level[c, days < HISTORY_DAYS - rng.integers(10, 86)] = 0.0
        elif kind == "prospect":
            level[c] = 0.0
    return level


def _calendar_weights(first_day: date) -> dict[str, np.ndarray]:
    """Return each kind's relative order rate per day: winter peak, weekends, holidays, Spring Festival."""
    days = [first_day + timedelta(days=d) for d in range(HISTORY_DAYS)]
    public = holidays.country_holidays("CN", years=range(first_day.year, days[-1].year + 1), language="en_US")
    spring = sorted(d for d, name in public.items() if name == "Chinese New Year (Spring Festival)")
    festival_day = {min(d for d in spring if d.year == year) for year in {d.year for d in spring}}
    season = np.array([1 + 0.12 * np.cos(2 * np.pi * (d.timetuple().tm_yday - 20) / 365.25) for d in days])
    festival = np.ones(HISTORY_DAYS)
    for new_year in festival_day:
        offset = np.array([(d - new_year).days for d in days])
        # Distributors stock up two weeks before, close for the week, and restart slowly.
        festival[(offset >= -14) & (offset <= -2)] = 1.35
        festival[(offset >= -1) & (offset <= 6)] = 0.1
        festival[(offset >= 7) & (offset <= 13)] = 0.8
    weekday = np.array([d.weekday() for d in days])
    holiday = np.array([d in public for d in days])
    weights = {}
    # Hospitals receive deliveries on working days; pharmacies restock every day of the week.
    for kind, saturday, sunday, off in (
        ("hospital", 0.15, 0.05, 0.1),
        ("pharmacy", 0.6, 0.4, 0.5),
        ("clinic", 0.4, 0.2, 0.3),
    ):
        day_factor = np.select([holiday, weekday == 5, weekday == 6], [off, saturday, sunday], 1.0)
        raw = season * festival * day_factor
        weights[kind] = raw / raw.mean()
    return weights


def _product_taste(rng: np.random.Generator, kinds: list[str]) -> np.ndarray:
    """Return each customer's relative demand per product; zero for products it never buys."""
    taste = rng.gamma(2.0, 1.0, (len(kinds), len(PORTFOLIO)))
    for c, kind in enumerate(kinds):
        low, high = _PRODUCTS_BOUGHT[kind]
        unlisted = rng.permutation(len(PORTFOLIO))[rng.integers(low, high + 1) :]
        taste[c, unlisted] = 0.0
    return taste


def _price_factor(rng: np.random.Generator, kinds: list[str]) -> np.ndarray:
    """Hospitals pay the tender price; pharmacies and clinics pay their wholesaler's markup."""
    factor = np.round(rng.uniform(1.0, 1.1, len(kinds)), 2)
    return np.where(np.array(kinds) == "hospital", 1.0, factor)
