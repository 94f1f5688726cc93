"""`tierbot backtest`: scores as of a past day from the stored sales, stores nothing, compares with the horizon."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.db import make_engine, upgrade_database
from bot.demo import fill_demo_team
from bot.importing.sale_days import add_lines_after, last_line_id
from bot.models import SaleLine, ScoringRun
from bot.services.backtest import backtest_rows, run_backtest
from tests.builders import add_customer

AS_OF = date(2026, 11, 23)
BACKTEST_DAY = date(2026, 8, 25)


def add_sale(engine, *, customer_id: int, sold_on: date, amount: float) -> None:
    """One stored sale line."""
    with engine.begin() as connection:
        key = f"t:{customer_id}:{sold_on}:{amount}"
        last_id = last_line_id(connection)
        connection.execute(
            SaleLine.__table__.insert(),
            {"line_key": key, "customer_id": customer_id, "sold_on": sold_on, "amount": amount},
        )
        add_lines_after(connection, last_id)  # the daily rollup, as every writer of sale_line keeps it


def _runs(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(ScoringRun.__table__)).scalar_one()


def test_the_demo_team_backtest_is_plausible_and_stores_no_run(engine):
    fill_demo_team(engine=engine, seed=7, as_of=AS_OF)
    runs = _runs(engine)
    report = run_backtest(engine=engine, settings=Settings(), as_of=BACKTEST_DAY, horizon_days=90)
    figures = report.figures
    assert report.horizon_complete and report.customers == 600
    shares = {row.tier: row.revenue_share for row in figures.tiers}
    per_customer = {row.tier: row.revenue_per_customer for row in figures.tiers}
    # A holds the largest share of the next quarter's revenue, and revenue per customer falls by tier.
    assert shares["A"] > 0.5 and shares["A"] == max(shares.values())
    assert per_customer["A"] > per_customer["B"] > per_customer["C"] > per_customer["D"]
    assert figures.lift_over_c > 3 and figures.lift_over_d > figures.lift_over_c
    at_risk, lost = figures.stages
    assert at_risk.flagged > 0 and 0 < at_risk.bought_again < at_risk.flagged
    assert lost.bought_again <= lost.flagged / 2  # a lost customer rarely comes back
    assert 0 < figures.stopped_flagged < figures.stopped
    # Expected order days over the whole team within a quarter of what happened.
    assert figures.expected_purchases == pytest.approx(figures.actual_purchases, rel=0.25)
    frequent = figures.calibration[-1]
    assert frequent.repeat_purchases == "7+" and frequent.expected == pytest.approx(frequent.actual, rel=0.25)
    assert _runs(engine) == runs  # the bot's latest tiers are untouched


def test_a_tiny_history_gives_exact_figures(engine):
    big = add_customer(engine, name="大医院")
    small = add_customer(engine, name="小药房")
    quiet = add_customer(engine, name="停购药房")
    for day, amount in ((date(2025, 3, 1), 9000.0), (date(2025, 6, 1), 9000.0), (date(2025, 9, 1), 9000.0)):
        add_sale(engine, customer_id=big, sold_on=day, amount=amount)
    add_sale(engine, customer_id=small, sold_on=date(2025, 9, 10), amount=500.0)
    add_sale(engine, customer_id=quiet, sold_on=date(2025, 1, 10), amount=800.0)
    add_sale(engine, customer_id=quiet, sold_on=date(2025, 2, 10), amount=800.0)
    # After the day: the big one buys twice (a refund on one day), the small one once, the quiet one never.
    add_sale(engine, customer_id=big, sold_on=date(2025, 10, 5), amount=6000.0)
    add_sale(engine, customer_id=big, sold_on=date(2025, 10, 5), amount=-1000.0)
    add_sale(engine, customer_id=big, sold_on=date(2025, 11, 5), amount=3000.0)
    add_sale(engine, customer_id=small, sold_on=date(2025, 12, 1), amount=1000.0)
    add_sale(engine, customer_id=small, sold_on=date(2026, 3, 1), amount=7777.0)  # after the horizon
    report = run_backtest(engine=engine, settings=Settings(), as_of=date(2025, 9, 30), horizon_days=90)
    figures = report.figures
    assert report.sales_until == date(2026, 3, 1) and report.horizon_complete
    revenue = {row.tier: row.revenue for row in figures.tiers}
    assert sum(revenue.values()) == 9000.0
    assert revenue["A"] == 8000.0  # the big hospital is A on its revenue
    assert [(s.stage, s.flagged, s.bought_again) for s in figures.stages] == [("at_risk", 1, 0), ("lost", 0, 0)]
    assert (figures.stopped, figures.stopped_flagged) == (1, 1)  # the quiet pharmacy, flagged at risk
    assert figures.actual_purchases == 3.0
    assert {row.repeat_purchases: row.actual for row in figures.calibration} == {"0": 1.0, "1": 0.0, "2": 2.0}
    rows = backtest_rows(report)
    assert rows.loc[rows["section"] == "tier", "revenue"].sum() == 9000.0


def test_the_cli_prints_the_backtest_in_the_team_language_and_writes_csv_and_xlsx(tmp_path):
    database = tmp_path / "tierbot.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade_database(engine)
    fill_demo_team(engine=engine, seed=7, as_of=AS_OF)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{database}"\n', encoding="utf-8")
    runner = CliRunner()
    csv_path, xlsx_path = tmp_path / "backtest.csv", tmp_path / "backtest.xlsx"
    result = runner.invoke(app, ["backtest", "--as-of", "2026-08-25", "--config", str(config), "-o", str(csv_path)])
    assert result.exit_code == 0, result.output
    assert "回测：按 2026-08-25 的分级，对比之后 90 天（至 2026-11-23）的实际情况；共 600 个客户。" in result.output
    assert "事先被标为流失风险或已流失" in result.output and f"已写入 18 行到 {csv_path}" in result.output
    english = runner.invoke(
        app,
        [
            "backtest",
            "--as-of",
            "2026-08-25",
            "--horizon",
            "60",
            "--lang",
            "en",
            "--config",
            str(config),
            "-o",
            str(xlsx_path),
        ],
    )
    assert english.exit_code == 0, english.output
    assert "compared with the next 60 days (to 2026-10-24)" in english.output
    table = pd.read_csv(csv_path, encoding="utf-8-sig")
    assert list(table["section"].unique()) == ["tier", "lift", "stage", "stopped", "calibration", "total"]
    assert (pd.read_excel(xlsx_path)["horizon_days"] == 60).all()
