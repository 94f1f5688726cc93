"""Snapshot retention: past runs keep only the rows that changed, and the history and the moves stay exact."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from sqlalchemy import text

from bot.config import Settings
from bot.services.scoring_runs import load_previous, run_scoring
from bot.services.snapshot_store import prune_snapshots
from bot.services.tiers import latest_tiers, run_state_sql, tier_changes, tier_history
from tests.builders import add_customer
from tests.test_scoring_runs import AS_OF, random_book


def _settings(retention_days: int) -> Settings:
    return Settings.model_validate({"scoring": {"snapshot_retention_days": retention_days}})


def _count(engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def weekly_runs(engine, settings: Settings, weeks: int) -> list[tuple[int, dict[int, tuple[str, str]]]]:
    """A run a week for ``weeks`` weeks up to AS_OF; each run's (tier, stage) per customer, read right after it."""
    shown = []
    for week in range(weeks, -1, -1):
        summary = run_scoring(engine=engine, settings=settings, as_of=AS_OF - timedelta(weeks=week), trigger="test")
        tiers = latest_tiers(engine=engine)
        assert {t.run_id for t in tiers.values()} == {summary.run_id}
        shown.append((summary.run_id, {c: (t.tier, t.stage) for c, t in tiers.items()}))
    return shown


def test_past_runs_keep_only_changes_and_history_and_moves_stay_exact(engine):
    random_book(engine, customers=40, lines=3000, seed=11)
    add_customer(engine, name="从未下单医院", potential_class="H")
    shown = weekly_runs(engine, _settings(7), weeks=30)
    runs, customers = len(shown), len(shown[-1][1])

    # Whole: the last week's runs and the run before them; the rest keep the rows where something moved.
    stored = _count(engine, "SELECT count(*) FROM tier_snapshot")
    assert _count(engine, "SELECT count(*) FROM scoring_run WHERE pruned_at IS NOT NULL") == runs - 3
    assert 3 * customers < stored < runs * customers // 2
    moved = sum(a[1][c] != b[1][c] for a, b in pairwise(shown) for c in b[1] if c in a[1])
    assert stored <= 3 * customers + customers + moved  # the first run's rows, then only changes

    # Each run, pruned or whole, still reads as it was shown: every customer's tier and stage.
    with engine.connect() as connection:
        for run_id, tiers in shown:
            rows = connection.execute(
                text(f"SELECT s.customer_id, s.tier, s.stage FROM {run_state_sql(connection, run_id)}")
            )
            assert {row.customer_id: (row.tier, row.stage) for row in rows} == tiers
    # The card's history: each change of tier with the day of its run, newest first.
    for customer in shown[-1][1]:
        expected = [
            (AS_OF - timedelta(weeks=len(shown) - 1 - i), b[1][customer][0], a[1][customer][0])
            for i, (b, a) in reversed(list(enumerate(pairwise(shown), start=1)))
            if customer in b[1] and b[1][customer][0] != a[1][customer][0]
        ]
        history = tier_history(engine=engine, customer_id=customer, limit=100)
        assert [(move.as_of, move.before, move.after) for move in history] == expected

    # The digest's moves between any two runs, pruned or whole.
    for i, (from_run, before) in enumerate(shown):
        for to_run, after in shown[i + 1 :: 4]:
            expected = {(c, before[c][0], after[c][0]) for c in after if c in before and before[c][0] != after[c][0]}
            changes = tier_changes(engine=engine, from_run_id=from_run, to_run_id=to_run)
            assert {(c.customer_id, c.before, c.after) for c in changes} == expected


def test_pruning_later_changes_no_answer_and_a_back_dated_run_sees_the_same_previous_tiers(engine):
    random_book(engine, customers=30, lines=2000, seed=4)
    shown = weekly_runs(engine, _settings(3650), weeks=12)
    assert _count(engine, "SELECT count(*) FROM scoring_run WHERE pruned_at IS NOT NULL") == 0
    customers = list(shown[-1][1])
    histories = {c: tier_history(engine=engine, customer_id=c, limit=50) for c in customers}
    pairs = [(a[0], b[0]) for a in shown for b in shown if a[0] != b[0]]
    moves = {pair: tier_changes(engine=engine, from_run_id=pair[0], to_run_id=pair[1]) for pair in pairs}
    days = [AS_OF - timedelta(weeks=w, days=3) for w in range(12)]
    with engine.connect() as connection:
        previous = {day: load_previous(connection, as_of=day) for day in days}
    latest = latest_tiers(engine=engine)

    with engine.begin() as connection:
        removed = prune_snapshots(connection, retention_days=7, now=AS_OF)
    assert removed > 0

    assert {c: tier_history(engine=engine, customer_id=c, limit=50) for c in customers} == histories
    whole = {run for run, _ in shown[-2:]}  # the latest run and the one before it (a week before the latest)
    for (from_run, to_run), expected in moves.items():
        changes = tier_changes(engine=engine, from_run_id=from_run, to_run_id=to_run)
        # Who moved from what to what: exact between any two runs. The reasons too when the later run is
        # whole (the digest's is the latest run): a pruned run shows those of its customer's last move.
        assert [(c.customer_id, c.before, c.after) for c in changes] == [
            (c.customer_id, c.before, c.after) for c in expected
        ]
        if to_run in whole:
            assert changes == expected
    assert latest_tiers(engine=engine) == latest
    with engine.connect() as connection:
        for day in days:
            run_id, frame = load_previous(connection, as_of=day)
            expected_id, expected = previous[day]
            assert run_id == expected_id and frame is not None and expected is not None
            key = ["customer_id", "tier"]
            assert sorted(map(tuple, frame[key].values.tolist())) == sorted(map(tuple, expected[key].values.tolist()))


def test_the_retention_is_at_least_a_week():
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError):
        _settings(6)
