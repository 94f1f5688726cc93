"""Issue 10 acceptance: the exports a team already has load as they are, and nothing is silently lost or changed.

Every sample in tests/fixtures/import/shapes is loaded as the admin would save it (UTF-8 CSV, GBK CSV,
XLSX) into SQLite and PostgreSQL, and the database is read back. Expected figures come from the
records the samples were written from (tests/shape_samples.py).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.importing import ImportFileError
from tests.shape_samples import (
    FORMATS,
    SALES,
    contacts,
    counts,
    customers,
    data,
    data_row,
    expected_lines,
    load,
    load_team,
    people,
    sale_lines,
    sample,
    team_time,
    totals,
)

CUSTOMER_SHAPES = {
    "fxiaoke_customers": ("fxiaoke.customers", {"详细地址", "负责人主属部门", "创建时间"}),
    "zoho_accounts": ("zoho.accounts", {"Phone", "Created Time"}),
    "salesforce_accounts": ("salesforce.accounts", {"Phone"}),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_fxiaoke_people_roles_from_titles_managers_by_name_and_leavers(engine, fmt):
    report = load(engine, "people", "fxiaoke_people", fmt)

    assert report.shape == "fxiaoke.people"
    assert (report.committed, report.inserted, report.rows_rejected) == (True, len(data.PEOPLE), 0)
    assert {"主属部门", "手机号"} <= set(report.unused_columns)
    assert people(engine) == {
        m.staff_id: (
            m.name,
            data.EXPECTED_ROLES[m.staff_id],
            next((p.staff_id for p in data.PEOPLE if p.name == m.reports_to), None),
            m.status == "正常",
        )
        for m in data.PEOPLE
    }
    assert people(engine)["R03"][3] is False  # 李娜 已停用


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", CUSTOMER_SHAPES)
def test_customers_with_reps_named_by_name_or_pinyin(engine, shape, fmt):
    assert load(engine, "people", "fxiaoke_people").committed
    shape_id, unused = CUSTOMER_SHAPES[shape]

    report = load(engine, "customers", shape, fmt)

    voided = [i for i, c in enumerate(data.CUSTOMERS) if c.life != "正常"] if shape == "fxiaoke_customers" else []
    assert report.shape == shape_id
    assert (report.committed, report.inserted, report.rows_rejected) == (True, len(data.LIVE_CUSTOMERS), 0)
    assert report.rows_skipped == len(voided)
    assert sorted(s.row for s in report.skipped) == [data_row(shape, fmt, i) for i in voided]
    assert unused <= set(report.unused_columns)
    stored = customers(engine)
    assert {name: row["rep"] for name, row in stored.items()} == {c.name: c.rep for c in data.LIVE_CUSTOMERS}
    assert "上海市同仁医院" not in stored


@pytest.mark.parametrize("fmt", FORMATS)
def test_fxiaoke_customer_kinds_map_and_odd_kinds_are_other(engine, fmt):
    assert load(engine, "people", "fxiaoke_people").committed
    assert load(engine, "customers", "fxiaoke_customers", fmt).committed

    stored = customers(engine)
    assert {c.name: stored[c.name]["kind"] for c in data.LIVE_CUSTOMERS if c.expected_kind} == {
        c.name: c.expected_kind for c in data.LIVE_CUSTOMERS if c.expected_kind
    }
    assert stored["长宁区新华街道社区卫生服务中心"]["kind"] in ("clinic", "hospital")  # never a reject, never other
    assert stored["上海申普宠物医院"]["kind"] == "other"  # 宠物医院 is not a hospital of ours


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", SALES)
def test_sales_exports_store_exact_lines_skip_non_sales_and_load_once(engine, shape, fmt):
    customers_shape, shape_id, records, skipped, unused = SALES[shape]
    load_team(engine, customers_shape)
    want = expected_lines(records)

    report = load(engine, "sales", shape, fmt)

    assert report.shape == shape_id
    assert (report.committed, report.rows_rejected, report.rejected) == (True, 0, [])
    assert (report.inserted, report.updated) == (len(want), 0)
    assert report.rows_skipped == len(skipped)
    assert sorted(s.row for s in report.skipped) == [data_row(shape, fmt, i) for i in skipped]
    assert unused <= set(report.unused_columns)
    assert sale_lines(engine) == want
    assert totals(sale_lines(engine)) == totals(want)

    again = load(engine, "sales", shape, fmt)
    assert (again.inserted, again.updated, again.rows_rejected) == (0, 0, 0)
    assert sale_lines(engine) == want


@pytest.mark.parametrize("fmt", FORMATS)
def test_us_dates_are_decided_by_the_whole_file(engine, fmt):
    load_team(engine, "zoho_accounts")

    assert load(engine, "sales", "us_dates", fmt).committed

    days = {day for _, day, _ in sale_lines(engine)}
    assert days == set(data.US_DAYS)
    assert date(2026, 11, 25) in days and date(2026, 11, 3) in days  # 11/03 is 3 November, not 11 March


@pytest.mark.parametrize("fmt", FORMATS)
def test_ambiguous_day_month_dates_are_refused_with_the_reason(engine, fmt):
    load_team(engine, "zoho_accounts")
    before = counts(engine)

    try:
        report = load(engine, "sales", "ambiguous_dates", fmt)
    except ImportFileError as exc:
        message = str(exc)
    else:
        assert not report.committed
        assert report.rows_rejected == report.rows_read == len(data.AMBIGUOUS_DAYS)
        message = " ".join(error.reason for error in report.rejected)

    assert ("day" in message.lower() and "month" in message.lower()) or ("日" in message and "月" in message)
    assert counts(engine) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_erp_week_b_keeps_week_a(engine, fmt):
    load_team(engine)
    assert load(engine, "sales", "erp_sales_lines_week_a", fmt).committed

    week_b = load(engine, "sales", "erp_sales_lines_week_b", fmt)

    both = expected_lines((x.customer, x.day, x.amount) for x in data.ERP_WEEK_A + data.ERP_WEEK_B)
    assert (week_b.committed, week_b.inserted, week_b.updated) == (True, len(data.ERP_WEEK_B), 0)
    assert len(sale_lines(engine)) == len(data.ERP_WEEK_A) + len(data.ERP_WEEK_B)
    assert sale_lines(engine) == both
    assert totals(sale_lines(engine)) == totals(both)


def _field(name: str) -> str:
    """A correction's field under either naming (Tierbot field or the file's column)."""
    return {"金额": "amount", "客户编码": "customer", "customer_id": "customer"}.get(name, name.lower())


def _number(value: object) -> Decimal:
    return Decimal(str(value).replace(",", "").replace("¥", "").strip())


@pytest.mark.parametrize("fmt", FORMATS)
def test_erp_corrections_are_listed_and_applied_only_with_replace(engine, fmt):
    load_team(engine)
    assert load(engine, "sales", "erp_sales_lines_week_a", fmt).committed
    week_a, before = sale_lines(engine), counts(engine)

    listed = load(engine, "sales", "erp_sales_lines_corrected", fmt)

    assert listed.committed is False
    assert (sale_lines(engine), counts(engine)) == (week_a, before)
    found = {(c.row, _field(c.field)): c for c in listed.corrections}
    amount_row = data_row("erp", fmt, data.CORRECTED_AMOUNT_AT)
    customer_row = data_row("erp", fmt, data.CORRECTED_CUSTOMER_AT)
    assert set(found) == {(amount_row, "amount"), (customer_row, "customer")}
    old_amount = data.ERP_WEEK_A[data.CORRECTED_AMOUNT_AT].amount
    assert (_number(found[amount_row, "amount"].old), _number(found[amount_row, "amount"].new)) == (
        old_amount,
        data.CORRECTED_AMOUNT,
    )
    moved = found[customer_row, "customer"]
    old_customer = data.ACCOUNT[data.ERP_WEEK_A[data.CORRECTED_CUSTOMER_AT].customer]
    new_customer = data.ACCOUNT[data.CORRECTED_CUSTOMER]
    assert old_customer.id in str(moved.old) or old_customer.name in str(moved.old)
    assert new_customer.id in str(moved.new) or new_customer.name in str(moved.new)

    applied = load(engine, "sales", "erp_sales_lines_corrected", fmt, replace=True)

    assert (applied.committed, applied.inserted, applied.updated) == (True, 0, 2)
    assert sale_lines(engine) == expected_lines((x.customer, x.day, x.amount) for x in data.ERP_CORRECTED)


@pytest.mark.parametrize("fmt", FORMATS)
def test_flow_matches_terminals_by_name_and_rejects_an_unknown_one_with_candidates(engine, fmt):
    load_team(engine)
    before = counts(engine)
    unknown = next(i for i, f in enumerate(data.FLOW) if f.customer is None)

    refused = load(engine, "sales", "distributor_flow", fmt)

    assert refused.shape == "distributor.flow"
    assert (refused.committed, refused.rows_rejected) == (False, 1)
    (error,) = refused.rejected
    assert (error.row, error.column, error.value) == (
        data_row("distributor_flow", fmt, unknown),
        "终端名称",
        data.UNKNOWN_TERMINAL,
    )
    assert "长宁区新华街道社区卫生服务中心" in error.reason  # the closest known name is offered
    assert counts(engine) == before

    report = load(engine, "sales", "distributor_flow", fmt, accept_good_rows=True)

    known = expected_lines((f.customer, f.day, f.amount) for f in data.FLOW_KNOWN)
    assert (report.committed, report.inserted) == (True, len(known))
    assert sale_lines(engine) == known
    assert totals(sale_lines(engine)) == totals(known)


@pytest.mark.parametrize("fmt", FORMATS)
def test_flow_without_amount_or_price_is_refused_naming_both(engine, fmt):
    load_team(engine)
    before = counts(engine)

    with pytest.raises(ImportFileError) as refused:
        load(engine, "sales", "distributor_flow_no_price", fmt)

    assert "金额" in str(refused.value) and "单价" in str(refused.value)
    assert counts(engine) == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_fxiaoke_visits_become_contacts_once(engine, fmt):
    load_team(engine)

    report = load(engine, "contacts", "fxiaoke_visits", fmt)

    assert report.shape == "fxiaoke.visits"
    assert (report.committed, report.inserted, report.rows_rejected) == (True, len(data.VISITS), 0)
    stored = contacts(engine)
    assert [(p, c, at) for p, c, at, _, _ in stored] == sorted(
        (v.person, data.ACCOUNT[v.customer].name, team_time(v.at)) for v in data.VISITS
    )
    by_visit = {(p, c, at): (outcome, note) for p, c, at, outcome, note in stored}
    for v in data.VISITS:
        outcome, note = by_visit[v.person, data.ACCOUNT[v.customer].name, team_time(v.at)]
        assert v.note in (note or "")
        if v.expected_outcome:
            assert outcome == v.expected_outcome, v.result

    again = load(engine, "contacts", "fxiaoke_visits", fmt)
    assert (again.inserted, again.updated) == (0, 0)
    assert contacts(engine) == stored


def test_flow_dry_run_shows_shape_mapping_and_unused_columns_in_the_admins_language(tierbot, engine):
    load_team(engine)
    before = counts(engine)
    path = sample("distributor_flow", "csv")

    english = tierbot("import", "sales", path, "--dry-run", "--lang", "en")
    chinese = tierbot("import", "sales", path, "--dry-run", "--lang", "zh-Hans")

    assert (english.exit_code, chinese.exit_code) == (1, 1), english.output  # one row is bad
    assert re.search(r"distributor flow", english.output, re.IGNORECASE)
    assert any(
        "终端名称" in line and "→" in line and "customer" in line.lower() for line in english.output.splitlines()
    )
    assert any("金额" in line and "→" in line and "amount" in line.lower() for line in english.output.splitlines())
    assert "unused" in english.output.lower() and "批号" in english.output
    assert "长宁区新华街道社区卫生服务中心" in english.output
    assert "流向" in chinese.output and "列" in chinese.output and "未使用" in chinese.output
    assert any("终端名称" in line and "→" in line for line in chinese.output.splitlines())
    assert "批号" in chinese.output
    assert counts(engine) == before


@pytest.fixture
def tierbot(engine, database_url, tmp_path):
    """Run `tierbot ...` against the test database; return the result (as tests/test_import_cli.py does)."""
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    runner = CliRunner()

    def run(*args):
        env = {"DATABASE_URL": database_url, "TIERBOT_CONFIG": None}
        return runner.invoke(app, [*map(str, args), "--config", str(config)], env=env)

    return run
