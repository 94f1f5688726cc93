"""Contacts are stored once under load: 20 reps logging at the same time on PostgreSQL, every call redelivered."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bot.db import make_engine, upgrade_database
from bot.services.contacts import LoggedContact, log_contact
from bot.services.invites import Member
from tests.builders import add_customer, add_person
from tests.pg_server import fresh_postgres_database

REPS = 20
CONTACTS_PER_REP = 50
CUSTOMERS_PER_REP = 5
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
TODAY = date(2026, 11, 23)


def test_twenty_reps_logging_fifty_contacts_each_at_once_store_exactly_one_thousand(postgres_url):
    engine = make_engine(fresh_postgres_database(postgres_url), pool_size=REPS, max_overflow=REPS)
    try:
        upgrade_database(engine)
        reps = []
        for r in range(REPS):
            person = add_person(engine, name=f"Rep {r}", role="rep", telegram_user_id=10_000 + r)
            customers = [add_customer(engine, name=f"客户 {r}-{c}", rep_id=person) for c in range(CUSTOMERS_PER_REP)]
            reps.append((Member(person, f"p{r}", f"Rep {r}", "rep", None), customers))

        calls = []
        for r, (member, customers) in enumerate(reps):
            for n in range(CONTACTS_PER_REP):
                follow_up = TODAY + timedelta(days=1 + n % 10) if n % 2 else None
                calls.append((member, customers[n % CUSTOMERS_PER_REP], f"load:{r}:{n}", follow_up))
        # Reps' calls interleaved at random; every call delivered twice in a row, so that two workers race on its key.
        random.Random(5).shuffle(calls)
        deliveries = [call for call in calls for _ in range(2)]
        started = threading.Barrier(REPS)

        def deliver(call) -> LoggedContact | None:
            member, customer_id, key, follow_up = call
            return log_contact(
                engine=engine,
                member=member,
                customer_id=customer_id,
                outcome="visited",
                note=key,
                follow_up=follow_up,
                dedup_key=key,
                now=NOW,
                tz="Asia/Shanghai",
            )

        def warm_up(_: int) -> None:
            started.wait(timeout=30)  # every worker thread exists before the first insert

        with ThreadPoolExecutor(max_workers=REPS) as pool:
            list(pool.map(warm_up, range(REPS)))
            results = list(pool.map(deliver, deliveries))

        assert all(result is not None for result in results)
        fresh = [result for result in results if not result.duplicate]
        assert len(fresh) == REPS * CONTACTS_PER_REP
        # A redelivered call gets back the contact the first delivery stored, not a new one.
        first_id = {result.note: result.contact_id for result in fresh}
        assert all(first_id[result.note] == result.contact_id for result in results)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM contact")).scalar_one() == 1000
            assert connection.execute(text("SELECT count(DISTINCT dedup_key) FROM contact")).scalar_one() == 1000
            per_rep = connection.execute(text("SELECT person_id, count(*) FROM contact GROUP BY person_id")).all()
            assert sorted(count for _, count in per_rep) == [CONTACTS_PER_REP] * REPS
            # Half the contacts promised a follow-up: one each, never doubled by the redelivery.
            assert connection.execute(text("SELECT count(*) FROM follow_up")).scalar_one() == 500
            assert (
                connection.execute(
                    text(
                        "SELECT count(*) FROM follow_up f JOIN contact c ON c.id = f.contact_id "
                        "WHERE c.person_id = f.person_id AND c.customer_id = f.customer_id"
                    )
                ).scalar_one()
                == 500
            )
    finally:
        engine.dispose()
