"""Whom a scoring run concerns: the people who see a customer whose tier, stage or reasons moved.

A nightly run rescores every customer, but most come out as they were. Answers kept in memory (bot.cache)
are stale only for the customers whose *shown* state changed against the run shown before: tier, stage,
the reasons, and whether the run moved it down a tier (the daily list's "downgraded" boost). Their reps
and whoever promised them a follow-up are concerned (Changes.concern_customers); everyone else's kept
lists and cards stay. A card's figures that move every day (days since the last order) are refreshed
within cache.max_age_seconds like any kept answer. The comparison runs in the database, so it costs no
memory per customer.
"""

from __future__ import annotations

from sqlalchemy import bindparam, column, text
from sqlalchemy.engine import Connection

from bot.changes import Changes

# Customers scored in the new run whose shown state differs from the run shown before, or who were in one
# run only. Tiers A..D sort as they rank, so "moved down" is tier > previous_tier. Reasons are parsed as
# JSON only where their texts differ: most customers' are the same text, and parsing 2 × 100k JSON
# documents was most of the comparison's time.
_CHANGED_SQL = """
SELECT n.customer_id FROM tier_snapshot AS n
LEFT JOIN tier_snapshot AS o ON o.run_id = :before AND o.customer_id = n.customer_id
WHERE n.run_id = :run AND (
    o.customer_id IS NULL
    OR COALESCE(n.tier, '') <> COALESCE(o.tier, '')
    OR COALESCE(n.stage, '') <> COALESCE(o.stage, '')
    OR (COALESCE(n.reasons_json, '') <> COALESCE(o.reasons_json, '')
        AND COALESCE({n_reasons}, '') <> COALESCE({o_reasons}, ''))
    OR (CASE WHEN n.previous_tier IS NOT NULL AND n.tier > n.previous_tier THEN 1 ELSE 0 END)
       <> (CASE WHEN o.previous_tier IS NOT NULL AND o.tier > o.previous_tier THEN 1 ELSE 0 END)
)
UNION
SELECT o.customer_id FROM tier_snapshot AS o
WHERE o.run_id = :before
  AND NOT EXISTS (SELECT 1 FROM tier_snapshot AS n WHERE n.run_id = :run AND n.customer_id = o.customer_id)
"""


def _tier_reasons(dialect: str, alias: str) -> str:
    """The tier's reasons of a snapshot as comparable JSON text: a moved customer's reasons_json also holds
    the move's reasons ({"tier": [...], "move": [...]}, bot.services.tiers.encode_reasons), which the next
    run no longer repeats although nothing shown changed (the card's history reads the run of the move)."""
    column = f"{alias}.reasons_json"
    if dialect == "postgresql":
        return (
            f"(CASE WHEN jsonb_typeof({column}::jsonb) = 'object' THEN {column}::jsonb -> 'tier' "
            f"ELSE {column}::jsonb END)::text"
        )
    return f"json(CASE WHEN json_type({column}) = 'object' THEN json_extract({column}, '$.tier') ELSE {column} END)"


def concern_shown_changes(connection: Connection, changes: Changes, *, run_id: int, shown_before: int | None) -> None:
    """Add to ``changes`` whom the new run ``run_id`` concerns, against ``shown_before``, the run members
    saw until now (None: no run was shown, or the new run is not the one shown next: everyone)."""
    if shown_before is None:
        changes.concern_everyone()
        return
    changed = (
        text(
            _CHANGED_SQL.format(
                n_reasons=_tier_reasons(connection.dialect.name, "n"),
                o_reasons=_tier_reasons(connection.dialect.name, "o"),
            )
        )
        .bindparams(bindparam("run", run_id), bindparam("before", shown_before))
        .columns(column("customer_id"))
        .subquery()
    )
    changes.concern_customers(connection, changed.select())
