"""`tierbot demo`: a seeded, realistic pharma team with two years of sales and a contact history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.db import make_engine, upgrade_database
from bot.demo import DatabaseNotEmpty, DemoSummary, fill_demo_team
from bot.demo.sales import SalesHistory
from bot.models import Customer, Invite, Person, PushLog, SaleLine, ScoringRun
from bot.models.contacts import OUTCOMES
from tests.pg_server import fresh_postgres_database

SEED = 7
AS_OF = date(2026, 11, 23)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[tuple[Engine, DemoSummary]]:
    """One demo fill per backend, shared by the tests that only read it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'tierbot.db'}"
    else:
        url = fresh_postgres_database(request.getfixturevalue("postgres_url"))
    engine = make_engine(url)
    upgrade_database(engine)
    summary = fill_demo_team(engine=engine, seed=SEED, as_of=AS_OF)
    yield engine, summary
    engine.dispose()


def frame(engine: Engine, sql: str) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(text(sql)).mappings().all())


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every data table in id order; timestamps included, since the demo sets them from as_of.
    The change feed is bookkeeping of the running processes (who wrote, when), not data."""
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key))]
            for table in SQLModel.metadata.sorted_tables
            if table.name != "change_feed"
        }


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def test_team_has_an_admin_two_managers_and_eight_reps_each_with_a_manager(demo):
    engine, summary = demo
    people = frame(engine, "SELECT * FROM person ORDER BY external_id")
    assert people.role.value_counts().to_dict() == {"rep": 8, "manager": 2, "admin": 1}
    managers = people[people.role == "manager"]
    reps = people[people.role == "rep"]
    assert reps.manager_id.isin(managers.id).all()
    assert reps.manager_id.value_counts().tolist() == [4, 4]
    assert people[people.role != "rep"].manager_id.isna().all()
    assert reps.external_id.tolist() == [f"R{n:03d}" for n in range(1, 9)]
    # Both languages are exercised: one English-speaking rep and one English-speaking manager.
    assert (reps.language == "en").sum() == 1 and (managers.language == "en").sum() == 1
    assert set(people.language) == {"en", "zh-Hans"}
    assert set(people.timezone) == {"Asia/Shanghai"}
    assert people.name.is_unique and people.name.str.match(r"^[\u4e00-\u9fff]{2,3}$").all()
    assert summary.people == 11


def test_customers_are_600_named_accounts_in_their_reps_region(demo):
    engine, summary = demo
    customers = frame(
        engine,
        "SELECT c.*, r.external_id AS rep, m.external_id AS manager FROM customer c "
        "JOIN person r ON r.id = c.rep_id AND r.role = 'rep' JOIN person m ON m.id = r.manager_id",
    )
    assert len(customers) == summary.customers == 600
    assert customers.name.is_unique and customers.external_id.is_unique
    assert customers.external_id.str.fullmatch(r"C\d{4}").all()
    assert (customers.name == "仁济医院").sum() == 1
    assert customers.name.str.contains("仁济").sum() == 1
    assert customers.rep.value_counts().between(60, 90).all() and customers.rep.nunique() == 8
    shanghai = customers.manager == "M001"
    assert set(customers[shanghai].city) == {"上海"}
    assert set(customers[~shanghai].city) == {"杭州", "南京", "苏州", "宁波"}
    assert customers[customers.city == "上海"].district.isin(["徐汇区", "浦东新区", "黄浦区", "静安区"]).any()
    kinds = customers.kind.value_counts(normalize=True)
    assert set(kinds.index) == {"hospital", "pharmacy", "clinic"}
    assert 0.15 < kinds["hospital"] < 0.35 and 0.35 < kinds["pharmacy"] < 0.55
    hospitals = customers[customers.kind == "hospital"]
    assert hospitals.potential_value.between(100, 3000).all() and hospitals.potential_class.isna().all()
    assert hospitals.set_index("name").potential_value["仁济医院"] >= 2000
    others = customers[customers.kind != "hospital"]
    assert set(others.potential_class) == {"H", "M", "L"} and others.potential_value.isna().all()
    assert customers.name.str.contains("社区卫生服务中心").any()
    assert customers.name.str.contains(r"\(.+店\)").any() and customers.name.str.contains("诊所|门诊部").any()


def test_two_years_of_sales_end_at_as_of_with_every_lifecycle_present(demo):
    engine, summary = demo
    sales = frame(engine, "SELECT customer_id, sold_on, amount, quantity, product, line_key FROM sale_line")
    sales["sold_on"] = pd.to_datetime(sales.sold_on)
    as_of = pd.Timestamp(AS_OF)
    assert len(sales) == summary.sales_lines and 30_000 <= len(sales) <= 80_000
    assert sales.sold_on.max() <= as_of and sales.sold_on.max() >= as_of - pd.Timedelta(days=3)
    assert as_of - pd.Timedelta(days=729) <= sales.sold_on.min() <= as_of - pd.Timedelta(days=720)
    assert set(sales.line_key) == {f"demo:{n}" for n in range(1, len(sales) + 1)}
    assert sales["product"].nunique() >= 6
    returns = sales[sales.amount < 0]
    assert 0.003 < len(returns) / len(sales) < 0.02 and (returns.quantity < 0).all()
    assert (sales[sales.amount > 0].quantity > 0).all()

    customer_ids = frame(engine, "SELECT id FROM customer").id
    first, last = sales.groupby("customer_id").sold_on.min(), sales.groupby("customer_id").sold_on.max()
    prospects = set(customer_ids) - set(first.index)
    assert 0.05 <= len(prospects) / len(customer_ids) <= 0.15
    assert (last < as_of - pd.Timedelta(days=180)).sum() >= 20  # lapsed: bought before, silent since
    assert (first > as_of - pd.Timedelta(days=90)).sum() >= 20  # new: first order within 90 days


def test_value_is_heavy_tailed_and_orders_follow_kind_and_season(demo):
    engine, _ = demo
    sales = frame(
        engine,
        "SELECT s.customer_id, s.sold_on, s.amount, c.kind FROM sale_line s JOIN customer c ON c.id = s.customer_id",
    )
    sales["sold_on"] = pd.to_datetime(sales.sold_on)
    window = sales[sales.sold_on > pd.Timestamp(AS_OF - timedelta(days=365))]
    value = window.groupby("customer_id").amount.sum().sort_values(ascending=False)
    value = value[value > 0]
    share = value.cumsum() / value.sum()
    class_a = (share <= 0.80).sum() + 1
    assert 0.15 <= class_a / len(value) <= 0.25
    # Big hospitals dominate the ranking.
    top = frame(engine, "SELECT id, kind FROM customer").set_index("id").kind[value.index[:30]]
    assert (top == "hospital").mean() >= 0.8
    orders = sales.drop_duplicates(["customer_id", "sold_on"]).groupby(["kind", "customer_id"]).size()
    per_month = orders.groupby("kind").median() / 24
    assert 1.5 <= per_month["hospital"] <= 6 and 0.7 <= per_month["pharmacy"] <= 3 and per_month["clinic"] <= 1
    # Spring Festival 2026 (17 February): the holiday week sells far less than the weeks around it.
    daily = sales.groupby("sold_on").amount.sum().reindex(pd.date_range("2026-01-01", "2026-03-31"), fill_value=0)
    festival = daily["2026-02-16":"2026-02-22"].mean()
    assert festival < 0.3 * daily.mean()


def test_contacts_cover_120_days_of_working_hours_by_the_customers_rep(demo):
    engine, summary = demo
    contacts = frame(
        engine,
        "SELECT k.*, p.role, p.language, c.rep_id, r.manager_id FROM contact k JOIN person p ON p.id = k.person_id "
        "JOIN customer c ON c.id = k.customer_id JOIN person r ON r.id = c.rep_id",
    )
    assert len(contacts) == summary.contacts and 1_500 <= len(contacts) <= 6_000
    assert set(contacts.outcome) == set(OUTCOMES)
    by_rep = contacts.person_id == contacts.rep_id
    assert (by_rep | (contacts.person_id == contacts.manager_id)).all() and by_rep.mean() > 0.9
    moments = pd.to_datetime(contacts.contacted_at, utc=True).dt.tz_convert(SHANGHAI)
    assert moments.dt.date.min() >= AS_OF - timedelta(days=120) and moments.dt.date.max() < AS_OF
    assert moments.dt.hour.between(9, 17).all() and (moments.dt.day_of_week < 5).all()
    english = contacts[(contacts.language == "en") & contacts.note.notna()].note
    assert len(english) > 50 and english.map(str.isascii).all()
    assert contacts[contacts.language == "zh-Hans"].note.dropna().str.contains(r"[\u4e00-\u9fff]").all()
    # Bigger customers are seen more often, and some customers are overdue for a visit.
    sales = frame(engine, "SELECT customer_id, SUM(amount) AS value FROM sale_line GROUP BY customer_id")
    seen = contacts.groupby("customer_id").size().reindex(sales.customer_id, fill_value=0).to_numpy()
    ranked = sales.assign(seen=seen).sort_values("value", ascending=False)
    assert ranked.seen[:60].mean() > 3 * ranked.seen[-200:].mean()
    last = moments.groupby(contacts.customer_id).max().dt.date
    silent = (AS_OF - last).map(lambda gap: gap.days)
    assert (silent > 30).sum() >= 30


def test_follow_ups_are_due_today_overdue_ahead_and_kept(demo):
    engine, summary = demo
    follow_ups = frame(
        engine,
        "SELECT f.*, k.person_id AS promised_by, k.customer_id AS promised_to, k.contacted_at AS promised_at, "
        "d.person_id AS kept_by, d.customer_id AS kept_with, d.contacted_at AS kept_at, "
        "(SELECT COUNT(*) FROM contact later WHERE later.person_id = f.person_id "
        " AND later.customer_id = f.customer_id AND later.contacted_at > k.contacted_at) AS later_contacts "
        "FROM follow_up f JOIN contact k ON k.id = f.contact_id LEFT JOIN contact d ON d.id = f.closed_by_contact_id",
    )
    assert len(follow_ups) == summary.follow_ups
    assert (follow_ups.person_id == follow_ups.promised_by).all()
    assert (follow_ups.customer_id == follow_ups.promised_to).all()
    due = pd.to_datetime(follow_ups.due_on).dt.date
    promised = pd.to_datetime(follow_ups.promised_at, utc=True).dt.tz_convert(SHANGHAI).dt.date
    assert (due > promised).all()
    open_ = follow_ups.done_at.isna() & follow_ups.cancelled_at.isna()
    assert (open_ & (due == AS_OF)).sum() >= 4
    assert (open_ & (due < AS_OF)).sum() >= 2
    assert (open_ & (due > AS_OF)).sum() >= 4
    assert follow_ups.cancelled_at.notna().sum() < 5
    assert follow_ups.person_id.nunique() == 8  # every rep has something promised
    # As when a rep logs a contact: the next contact with the customer keeps every promise already due.
    assert (follow_ups[open_].later_contacts == 0).all()
    kept = follow_ups[follow_ups.done_at.notna()]
    assert len(kept) >= 8 and kept.closed_by_contact_id.notna().all()
    assert (kept.kept_by == kept.person_id).all() and (kept.kept_with == kept.customer_id).all()
    assert (pd.to_datetime(kept.done_at, utc=True) == pd.to_datetime(kept.kept_at, utc=True)).all()
    kept_on = pd.to_datetime(kept.kept_at, utc=True).dt.tz_convert(SHANGHAI).dt.date
    assert (due[kept.index] <= kept_on).all()


def test_every_foreign_key_points_at_an_existing_row(demo):
    engine, _ = demo
    inspector = inspect(engine)
    checked = 0
    with engine.connect() as connection:
        for table in inspector.get_table_names():
            for key in inspector.get_foreign_keys(table):
                (column,), (parent_column,) = key["constrained_columns"], key["referred_columns"]
                orphans = connection.execute(
                    text(
                        f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
                        f"(SELECT 1 FROM {key['referred_table']} p WHERE p.{parent_column} = t.{column})"
                    )
                ).scalar_one()
                assert orphans == 0, f"{table}.{column}"
                checked += 1
    assert checked >= 10


def test_same_seed_gives_identical_rows_and_another_seed_different_rows(tmp_path):
    dumps = {}
    for name, seed in (("first", SEED), ("again", SEED), ("other", SEED + 1)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade_database(engine)
        fill_demo_team(engine=engine, seed=seed, as_of=AS_OF)
        dumps[name] = dump(engine)
        engine.dispose()
    assert dumps["first"]["sale_line"] and dumps["first"]["follow_up"]
    assert dumps["first"] == dumps["again"]
    for table in ("person", "customer", "sale_line", "contact", "follow_up"):
        assert dumps["first"][table] != dumps["other"][table], table


def test_a_database_with_data_is_refused_and_left_unchanged(engine):
    fill_demo_team(engine=engine, seed=SEED, as_of=AS_OF)
    before = dump(engine)
    lines = counts(engine)["sale_line"]
    with pytest.raises(DatabaseNotEmpty) as refused:
        fill_demo_team(engine=engine, seed=SEED + 1, as_of=AS_OF)
    assert f"600 customers, {lines:,} sales lines" in str(refused.value)
    assert str(refused.value).startswith("The database already holds 11 people")
    assert dump(engine) == before


def test_a_single_imported_customer_is_enough_to_refuse(engine):
    with engine.begin() as connection:
        connection.execute(
            Customer.__table__.insert(),
            [{"external_id": "X1", "name": "某诊所", "kind": "clinic", "created_at": datetime.now(UTC)}],
        )
    with pytest.raises(DatabaseNotEmpty, match=r"^The database already holds 1 customer\.$"):
        fill_demo_team(engine=engine, seed=SEED, as_of=AS_OF)
    assert counts(engine)["person"] == 0


def test_force_wipes_every_table_and_loads_the_demo(engine):
    first = fill_demo_team(engine=engine, seed=SEED, as_of=AS_OF)
    with engine.begin() as connection:
        admin = connection.execute(select(Person.id).where(Person.role == "admin")).scalar_one()
        now = datetime(2026, 11, 23, 1, tzinfo=UTC)
        connection.execute(
            Invite.__table__.insert(),
            [{"token_hash": "x" * 64, "role": "rep", "person_id": admin, "created_at": now, "expires_at": now}],
        )
        connection.execute(
            PushLog.__table__.insert(),
            [{"person_id": admin, "kind": "daily_list", "period": "2026-11-23", "claimed_at": now}],
        )
        connection.execute(
            ScoringRun.__table__.insert(), [{"as_of": AS_OF, "window_days": 365, "rules_json": "{}", "started_at": now}]
        )
    second = fill_demo_team(engine=engine, seed=SEED + 1, as_of=AS_OF - timedelta(days=10), force=True)
    rows = counts(engine)
    assert rows["invite"] == rows["push_log"] == rows["scoring_run"] == 0
    assert rows["person"] == second.people and rows["customer"] == second.customers
    assert rows["sale_line"] == second.sales_lines != first.sales_lines
    assert rows["contact"] == second.contacts and rows["follow_up"] == second.follow_ups
    with engine.connect() as connection:
        assert connection.execute(select(func.max(SaleLine.sold_on))).scalar_one() <= AS_OF - timedelta(days=10)


def test_a_failure_while_loading_keeps_the_old_data(engine, monkeypatch):
    fill_demo_team(engine=engine, seed=SEED, as_of=AS_OF)
    before = dump(engine)

    def broken_rows(self, customer_ids):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SalesHistory, "rows", broken_rows)
    with pytest.raises(RuntimeError, match="disk full"):
        fill_demo_team(engine=engine, seed=SEED + 1, as_of=AS_OF, force=True)
    # The wipe and the load share one transaction: the old team is still there, whole.
    assert dump(engine) == before


def test_summary_renders_counts_per_role_kind_and_city(demo):
    _, summary = demo
    rendered = summary.render()
    assert "11 (1 admin, 2 managers, 8 reps)" in rendered
    assert f"{summary.sales_lines:,} lines, {summary.first_sale} to {summary.last_sale}" in rendered
    assert summary.last_sale <= AS_OF
    assert "hospitals" in rendered and "pharmacies" in rendered and "上海" in rendered
    assert f"{summary.contacts:,}" in rendered and f"Follow-ups: {summary.follow_ups}" in rendered
