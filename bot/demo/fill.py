"""Load the demo team into a database in one transaction, refusing to overwrite real data by accident."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.engine import Engine

from bot.changes import changing
from bot.demo.contacts import ContactLog, simulate_contacts
from bot.demo.sales import SalesHistory, simulate_sales
from bot.demo.team import TIMEZONE, DemoTeam, build_demo_team
from bot.importing.sale_days import add_lines_after, last_line_id
from bot.models.people import Role
from bot.models.tables import (
    contact_table,
    customer_table,
    follow_up_table,
    invite_table,
    person_table,
    push_log_table,
    sale_day_table,
    sale_line_table,
    scoring_run_table,
    tier_snapshot_table,
)

# Children before parents, so every delete leaves the foreign keys valid.
_WIPE_ORDER = (
    push_log_table,
    tier_snapshot_table,
    scoring_run_table,
    follow_up_table,
    contact_table,
    sale_day_table,
    sale_line_table,
    customer_table,
    invite_table,
    person_table,
)
# What makes a database "not empty": the data a team would be upset to lose.
_GUARDED = (
    (person_table, "person", "people"),
    (customer_table, "customer", "customers"),
    (sale_line_table, "sales line", "sales lines"),
    (contact_table, "contact", "contacts"),
)
_KIND_PLURALS = {"hospital": "hospitals", "pharmacy": "pharmacies", "clinic": "clinics"}


class DatabaseNotEmpty(Exception):
    """The database already holds people, customers, sales or contacts; the message says how many."""


@dataclass(frozen=True)
class DemoSummary:
    """What the demo loaded, for the command line."""

    seed: int
    as_of: date
    people: int
    customers: int
    sales_lines: int
    contacts: int
    follow_ups: int
    open_follow_ups: int = 0
    first_sale: date | None = None
    last_sale: date | None = None
    sales_total: float = 0.0
    roles: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    cities: dict[str, int] = field(default_factory=dict)

    def render(self) -> str:
        """Return a few lines for the terminal."""
        roles = ", ".join(f"{n} {_plural(n, role, role + 's')}" for role, n in self.roles.items())
        kinds = ", ".join(f"{n} {_plural(n, kind, _KIND_PLURALS.get(kind, kind))}" for kind, n in self.kinds.items())
        cities = ", ".join(f"{city} {n}" for city, n in self.cities.items())
        return "\n".join(
            [
                f"Demo team loaded (seed {self.seed}, as of {self.as_of.isoformat()}).",
                f"  People:     {self.people} ({roles})",
                f"  Customers:  {self.customers} ({kinds}); by city: {cities}",
                f"  Sales:      {self.sales_lines:,} lines, {self.first_sale} to {self.last_sale}, "
                f"¥{self.sales_total:,.0f} in all",
                f"  Contacts:   {self.contacts:,} in the last 120 days",
                f"  Follow-ups: {self.follow_ups} ({self.open_follow_ups} open)",
            ]
        )


def fill_demo_team(*, engine: Engine, seed: int, as_of: date, force: bool = False) -> DemoSummary:
    """Fill a migrated database with the seeded demo team; with force, wipe it first, all in one transaction."""
    team = build_demo_team(seed)
    history = simulate_sales(team.customers, seed=seed, as_of=as_of)
    log = simulate_contacts(team, history, seed=seed, as_of=as_of)
    with changing(engine) as (connection, changes):
        held = _held_rows(connection)
        if held and not force:
            raise DatabaseNotEmpty(f"The database already holds {_join(held)}.")
        if force:
            _wipe(connection)
        _load(connection, team, history, log)
        changes.concern_everyone()
    return _summarise(seed, as_of, team, history, log)


def _held_rows(connection: Connection) -> list[str]:
    held = []
    for table, one, many in _GUARDED:
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if count:
            held.append(f"{count:,} {_plural(count, one, many)}")
    return held


def _wipe(connection: Connection) -> None:
    # A manager row must not outlive the reps pointing at it, whatever order the database deletes in.
    connection.execute(person_table.update().values(manager_id=None))
    for table in _WIPE_ORDER:
        connection.execute(table.delete())


def _load(connection: Connection, team: DemoTeam, history: SalesHistory, log: ContactLog) -> None:
    """Insert everything with Core bulk inserts; ids come back in parameter order for the children."""
    opened = datetime.combine(history.first_day, time(1, 0), tzinfo=UTC)  # 09:00 in Shanghai
    person_ids: dict[str, int] = {}
    # Managers and the admin first: reps refer to their manager's id.
    for wave in (
        [p for p in team.people if not p.manager_external_id],
        [p for p in team.people if p.manager_external_id],
    ):
        rows = [
            {
                "external_id": p.external_id,
                "name": p.name,
                "role": str(p.role),
                "manager_id": person_ids.get(p.manager_external_id or ""),
                "language": p.language,
                "timezone": TIMEZONE,
                "active": True,
                "email": f"{p.external_id.lower()}@demo.tierbot.example",
                "created_at": opened,
            }
            for p in wave
        ]
        person_ids.update(
            zip([p.external_id for p in wave], _insert_returning_ids(connection, person_table, rows), strict=True)
        )
    customer_rows = [
        {
            "external_id": c.external_id,
            "name": c.name,
            "kind": c.kind,
            "city": c.city,
            "district": c.district,
            "rep_id": person_ids[c.rep_external_id],
            "potential_value": c.potential_value,
            "potential_class": c.potential_class,
            # Prospects and new accounts were in the CRM before they bought, so all date from the start.
            "created_at": opened,
        }
        for c in team.customers
    ]
    customer_ids = _insert_returning_ids(connection, customer_table, customer_rows)
    last_id = last_line_id(connection)
    connection.execute(sale_line_table.insert(), history.rows(customer_ids))
    add_lines_after(connection, last_id)  # the daily rollup scoring reads, in the same transaction
    contact_rows = [
        {
            "person_id": person_ids[c.person],
            "customer_id": customer_ids[c.customer],
            "outcome": c.outcome,
            "note": c.note,
            "contacted_at": c.contacted_at,
            "created_at": c.contacted_at,
        }
        for c in log.contacts
    ]
    contact_ids = _insert_returning_ids(connection, contact_table, contact_rows)
    follow_up_rows = [
        {
            "person_id": contact_rows[f.contact]["person_id"],
            "customer_id": contact_rows[f.contact]["customer_id"],
            "contact_id": contact_ids[f.contact],
            "due_on": f.due_on,
            "note": f.note,
            "done_at": f.done_at,
            "closed_by_contact_id": None if f.closed_by is None else contact_ids[f.closed_by],
            "cancelled_at": f.cancelled_at,
            "created_at": log.contacts[f.contact].contacted_at,
        }
        for f in log.follow_ups
    ]
    if follow_up_rows:
        connection.execute(follow_up_table.insert(), follow_up_rows)


def _insert_returning_ids(connection: Connection, table: Table, rows: Sequence[Mapping[str, object]]) -> list[int]:
    if not rows:
        return []
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.execute(statement, rows).scalars())


def _summarise(seed: int, as_of: date, team: DemoTeam, history: SalesHistory, log: ContactLog) -> DemoSummary:
    roles = Counter(str(p.role) for p in team.people)
    return DemoSummary(
        seed=seed,
        as_of=as_of,
        people=len(team.people),
        customers=len(team.customers),
        sales_lines=len(history.day),
        contacts=len(log.contacts),
        follow_ups=len(log.follow_ups),
        open_follow_ups=sum(f.done_at is None and f.cancelled_at is None for f in log.follow_ups),
        first_sale=history.sold_on(0) if len(history.day) else None,
        last_sale=history.sold_on(len(history.day) - 1) if len(history.day) else None,
        sales_total=float(history.amount.sum()),
        roles={role.value: roles[role.value] for role in (Role.ADMIN, Role.MANAGER, Role.REP)},
        kinds=dict(Counter(c.kind for c in team.customers).most_common()),
        cities=dict(Counter(c.city for c in team.customers).most_common()),
    )


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
