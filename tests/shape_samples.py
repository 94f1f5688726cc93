"""The sample exports of tests/fixtures/import/shapes: where they are, what they hold, and what a database holds.

The expected figures come from the records the samples were written from (sample_data.py), never from
numbers typed into a test.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import Engine

from bot.clock import as_utc
from bot.importing import import_file
from bot.models import Contact, Customer, Person, SaleLine

SHAPES = Path(__file__).parent / "fixtures" / "import" / "shapes"
data = importlib.import_module("tests.fixtures.import.shapes.sample_data")
FORMATS = ("csv", "gbk", "xlsx")
SALESFORCE_TITLE_ROWS = 5  # title, company, "As of", filter line, blank row
TEAM_ZONE = ZoneInfo("Asia/Shanghai")


def sample(shape: str, fmt: str) -> Path:
    """The sample file of a shape in one format: csv (UTF-8 with BOM), gbk (GBK CSV) or xlsx."""
    return SHAPES / {"csv": f"{shape}.csv", "gbk": f"{shape}_gbk.csv", "xlsx": f"{shape}.xlsx"}[fmt]


def data_row(shape: str, fmt: str, index: int) -> int:
    """The row number a spreadsheet shows for the index-th data row (header on row 1, or below the title)."""
    title = SALESFORCE_TITLE_ROWS if fmt == "xlsx" and shape.startswith("salesforce") else 0
    return title + 2 + index


def load(engine: Engine, kind: str, shape: str, fmt: str = "csv", **options):
    return import_file(engine=engine, kind=kind, path=sample(shape, fmt), **options)


def load_team(engine: Engine, customers: str = "fxiaoke_customers") -> None:
    """The 纷享销客 people, then one system's customers, from their UTF-8 CSV samples."""
    assert load(engine, "people", "fxiaoke_people").committed
    assert load(engine, "customers", customers).committed


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table that an import may touch (customer_alias too once it exists)."""
    tables = [Person.__table__, Customer.__table__, SaleLine.__table__, Contact.__table__]
    with engine.connect() as connection:
        if inspect(connection).has_table("customer_alias"):
            tables.append(table("customer_alias"))
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


def people(engine: Engine) -> dict[str, tuple[str, str, str | None, bool]]:
    """external id -> (name, role, manager's external id, active)."""
    with engine.connect() as connection:
        rows = connection.execute(select(Person.__table__)).mappings().all()
    by_id = {row["id"]: row["external_id"] for row in rows}
    return {r["external_id"]: (r["name"], r["role"], by_id.get(r["manager_id"]), r["active"]) for r in rows}


def customers(engine: Engine) -> dict[str, dict]:
    """customer name -> its row, with ``rep`` the rep's external id."""
    customer, person = Customer.__table__, Person.__table__
    query = select(customer, person.c.external_id.label("rep")).outerjoin(person, customer.c.rep_id == person.c.id)
    with engine.connect() as connection:
        return {row["name"]: dict(row) for row in connection.execute(query).mappings()}


def sale_lines(engine: Engine) -> list[tuple[str, date, float]]:
    """(customer name, day, amount) of every stored sale line, sorted."""
    line, customer = SaleLine.__table__, Customer.__table__
    query = select(customer.c.name, line.c.sold_on, line.c.amount).join_from(line, customer)
    with engine.connect() as connection:
        return sorted((name, day, round(amount, 2)) for name, day, amount in connection.execute(query))


def expected_lines(records: Iterable[tuple[str, date, Decimal]]) -> list[tuple[str, date, float]]:
    """(customer id, day, amount) records as sale_lines() would read them back."""
    return sorted((data.ACCOUNT[c].name, day, float(amount)) for c, day, amount in records)


def totals(lines: list[tuple[str, date, float]]) -> dict[str, tuple[int, float]]:
    """customer name -> (line count, total amount)."""
    found: dict[str, tuple[int, float]] = {}
    for name, _, amount in lines:
        n, total = found.get(name, (0, 0.0))
        found[name] = (n + 1, round(total + amount, 2))
    return found


def contacts(engine: Engine) -> list[tuple[str, str, datetime, str, str | None]]:
    """(person external id, customer name, contacted_at in UTC, outcome, note) per stored contact."""
    contact, person, customer = Contact.__table__, Person.__table__, Customer.__table__
    query = (
        select(person.c.external_id, customer.c.name, contact.c.contacted_at, contact.c.outcome, contact.c.note)
        .join_from(contact, person, contact.c.person_id == person.c.id)
        .join(customer, contact.c.customer_id == customer.c.id)
    )
    with engine.connect() as connection:
        return sorted((p, c, as_utc(at), outcome, note) for p, c, at, outcome, note in connection.execute(query))


def team_time(moment: datetime) -> datetime:
    """A time written in a file of the Shanghai team, as the UTC instant it means."""
    return moment.replace(tzinfo=TEAM_ZONE).astimezone(UTC)


# What each sales sample should store: the setup's customers file, the shape id, the sale records
# (customer id, day, amount), the indexes of the rows to skip, and columns that must be named as unused.
def _sales_expectations() -> dict[str, tuple]:
    d = data
    flow = [(f.customer, f.day, f.amount) for f in d.FLOW_KNOWN]
    return {
        "fxiaoke_orders": (
            "fxiaoke_customers",
            "fxiaoke.orders",
            [(o.customer, o.placed.date(), o.amount) for o in d.FX_ORDERS if o.is_sale],
            [i for i, o in enumerate(d.FX_ORDERS) if not o.is_sale],
            {"创建时间"},
        ),
        "zoho_sales_orders": (
            "zoho_accounts",
            "zoho.sales_orders",
            [(z.customer, z.day, z.grand_total) for z in d.ZOHO_SALES_ORDERS if z.is_sale],
            [i for i, z in enumerate(d.ZOHO_SALES_ORDERS) if not z.is_sale],
            {"Subject", "Tax"},
        ),
        "zoho_invoices": (
            "zoho_accounts",
            "zoho.invoices",
            [(z.customer, z.day, z.grand_total) for z in d.ZOHO_INVOICES if z.is_sale],
            [i for i, z in enumerate(d.ZOHO_INVOICES) if not z.is_sale],
            {"Subject", "Tax"},
        ),
        "us_dates": (
            "zoho_accounts",
            "zoho.invoices",
            [(z.customer, day, z.grand_total) for z, day in zip(d.DATED_INVOICES, d.US_DAYS, strict=True)],
            [],
            {"Subject", "Tax"},
        ),
        "salesforce_opportunities": (
            "salesforce_accounts",
            "salesforce.opportunities",
            [(o.customer, o.close, o.amount) for o in d.OPPORTUNITIES if o.is_sale],
            [i for i, o in enumerate(d.OPPORTUNITIES) if not o.is_sale],
            {"Probability (%)", "Created Date"},
        ),
        "erp_sales_lines_week_a": (
            "fxiaoke_customers",
            "erp.sales_lines",
            [(x.customer, x.day, x.amount) for x in d.ERP_WEEK_A],
            [],
            set(),
        ),
        # 批号 is read: with the distributor it tells two identical-looking flow lines apart.
        "distributor_flow_no_amount": ("fxiaoke_customers", "distributor.flow", flow, [], set()),
    }


SALES = _sales_expectations()
