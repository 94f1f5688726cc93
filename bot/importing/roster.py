"""What a people file changes about the team: roles from job titles, status, manager cycles, and the
list of changes the import summary shows (who changed role or manager, who left, whose customers now
need a new rep).

Roles from titles, when the file has no role column: 经理/主管/总监/Manager/Director/Head -> manager,
代表/专员/Rep/Representative/Specialist/销售 -> rep. A title never makes an admin (管理员, 运营 and
admin titles read as unknown): admin sees every customer, so it is given only by a role column or an
invite, and a title never takes it away either. An unknown title makes a new person a rep (listed in
the summary) and leaves a stored person's role as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.models.tables import customer_table, person_table

ACTIVE_CHOICES = {
    **dict.fromkeys(("正常", "在职", "启用", "active", "yes", "y", "true", "1", "是"), "yes"),
    **dict.fromkeys(("已停用", "停用", "离职", "已离职", "禁用", "inactive", "no", "n", "false", "0", "否"), "no"),
}
_MANAGER_WORDS = ("经理", "主管", "总监", "主任", "manager", "director", "head", "supervisor", "lead")
_REP_WORDS = ("代表", "专员", "销售", "rep", "representative", "specialist", "sales")


def role_from_title(title: str) -> str | None:
    """manager or rep from a job title, None when the title says neither."""
    text = title.casefold()
    if any(word in text for word in _MANAGER_WORDS):
        return "manager"
    if any(word in text for word in _REP_WORDS):
        return "rep"
    return None


def roles_from_titles(titles: pd.Series) -> np.ndarray:
    """role_from_title for a column, None for empty and unknown titles."""
    return np.array([role_from_title(t) if t else None for t in titles.tolist()], dtype=object)


@dataclass(frozen=True)
class PersonLabel:
    external_id: str
    name: str

    def __str__(self) -> str:
        return f"{self.external_id} {self.name}"


@dataclass
class RosterChanges:
    """What a people file (or a customers file, for reps) changed about who does what."""

    role_changes: list[tuple[PersonLabel, str, str]] = field(default_factory=list)  # person, old, new
    manager_changes: list[tuple[PersonLabel, str | None, str | None]] = field(default_factory=list)
    leavers: list[PersonLabel] = field(default_factory=list)
    missing_from_file: list[PersonLabel] = field(default_factory=list)  # deactivated by --full
    unknown_titles: list[tuple[PersonLabel, str]] = field(default_factory=list)  # made reps
    orphaned_customers: list[tuple[str, str, str]] = field(default_factory=list)  # customer id, name, rep
    rep_moves: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)  # id, name, old, new

    def __bool__(self) -> bool:
        return any(vars(self).values())

    def merge(self, other: RosterChanges) -> None:
        """Add another step's changes (customers files report per chunk)."""
        for name, items in vars(other).items():
            getattr(self, name).extend(items)

    def lines(self, limit: int = 20, *, applied: bool = True) -> list[str]:
        """The changes as summary lines (English, like the rest of the import summary); ``applied``
        False (a dry run, or a file refused for bad rows) says what the file *would* change."""
        lines: list[str] = [] if applied else ["What the file would change about the team:"]
        moves = [f"{i} {n}: {a or '-'} -> {b or '-'}" for i, n, a, b in self.rep_moves]
        orphans = [f"{i} {n} ({r})" for i, n, r in self.orphaned_customers]
        sections = [
            ("Role changed", [f"{p}: {old} -> {new}" for p, old, new in self.role_changes]),
            ("Manager changed", [f"{p}: {old or '-'} -> {new or '-'}" for p, old, new in self.manager_changes]),
            ("Left (marked inactive in the file)", [str(p) for p in self.leavers]),
            ("Left (not in the file, --full)", [str(p) for p in self.missing_from_file]),
            ("Unknown job title, made a rep", [f"{p}: {title}" for p, title in self.unknown_titles]),
            ("Customers moving to another rep", moves),
            ("Customers needing a new rep (their rep has left)", orphans),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{title} ({len(items)}):")
                lines.extend(f"  {item}" for item in items[:limit])
                if len(items) > limit:
                    lines.append(f"  and {len(items) - limit} more")
        return lines


def manager_cycles(links: dict[str, str | None]) -> list[list[str]]:
    """Every cycle of "is managed by" links ({staff id: manager's staff id}), each from its smallest id."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(links):
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = links.get(node)
        if node is not None and node in on_path:
            cycle = path[on_path[node] :]
            first = cycle.index(min(cycle))
            cycles.append(cycle[first:] + cycle[:first])
        done.update(path)
    return cycles


def stored_manager_links(connection: Connection) -> tuple[dict[str, str | None], dict[str, str]]:
    """({staff id: manager's staff id} of every stored person, {staff id: name})."""
    person, manager = person_table, person_table.alias("manager")
    rows = connection.execute(
        select(person.c.external_id, person.c.name, manager.c.external_id.label("manager")).outerjoin(
            manager, manager.c.id == person.c.manager_id
        )
    ).all()
    return {row.external_id: row.manager for row in rows}, {row.external_id: row.name for row in rows}


def orphaned_customers(connection: Connection) -> list[tuple[str, str, str]]:
    """Customers whose rep is no longer active: (customer id, name, rep), by rep then customer."""
    customer, person = customer_table, person_table
    rows = connection.execute(
        select(
            customer.c.external_id, customer.c.name, person.c.external_id.label("rep"), person.c.name.label("rep_name")
        )
        .join(person, person.c.id == customer.c.rep_id)
        .where(person.c.active.is_(False))
        .order_by(person.c.external_id, customer.c.external_id)
    ).all()
    return [(row.external_id, row.name, f"{row.rep} {row.rep_name}") for row in rows]
