"""Scoring at scale: from the database (SQLite, PostgreSQL) and in memory, against the floor and lifetimes.

For each size (default 1e6 and 1e7 sales lines; 10,000 and 100,000 customers) it prints, in one run:
our scoring run end to end from each database (SQL GROUP BY, streamed; pandas on the aggregates; a
snapshot stored per customer), our pure scoring step on the same data in memory, one bare pandas
groupby-agg pass over the same frame (the practical floor), lifetimes'
summary_data_from_transaction_data (the library most people reach for), and the peak memory of each.
Every database measurement runs in a fresh process so its peak RSS is its own.

    .venv/bin/python bench/scoring.py                       # both sizes, both databases
    .venv/bin/python bench/scoring.py --lines 1e6           # quick look
    .venv/bin/python bench/scoring.py --results             # also record in bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import machine_line, write_section
from bench.scoring_inmemory import AS_OF, bare_pass, lifetimes_summary, make_customers, make_sales, time_it

OUT = Path(__file__).resolve().parent / "out"


def load_sqlite(path: Path, sales, customers) -> None:
    from bot.db import make_engine, upgrade_database

    path.unlink(missing_ok=True)
    upgrade_database(make_engine(f"sqlite:///{path}"))
    connection = sqlite3.connect(path)
    now = datetime.now(UTC).isoformat(sep=" ")
    with connection:
        connection.executemany(
            "INSERT INTO customer (id, external_id, name, kind, potential_value, potential_class, created_at) "
            "VALUES (?, ?, ?, 'hospital', ?, ?, ?)",
            [(int(c), f"C{c}", f"客户{c}", None if v != v else float(v), p, now)
             for c, v, p in customers[["customer_id", "potential_value", "potential_class"]].itertuples(index=False)],
        )  # fmt: skip
        days = sales["sold_on"].dt.strftime("%Y-%m-%d")
        for start in range(0, len(sales), 1_000_000):
            chunk = slice(start, start + 1_000_000)
            connection.executemany(
                "INSERT INTO sale_line (line_key, customer_id, sold_on, amount) VALUES (?, ?, ?, ?)",
                zip((f"b:{n}" for n in range(start, start + 1_000_000)), sales["customer_id"].iloc[chunk].tolist(),
                    days.iloc[chunk].tolist(), sales["amount"].iloc[chunk].tolist(), strict=False),
            )  # fmt: skip
    connection.execute("ANALYZE")
    connection.close()


def load_postgresql(url: str, sales, customers) -> None:
    import psycopg

    from bot.db import make_engine, upgrade_database

    upgrade_database(make_engine(url))
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY customer (id, external_id, name, kind, potential_value, potential_class, created_at) "
                         "FROM STDIN") as copy:  # fmt: skip
            for c, v, p in customers[["customer_id", "potential_value", "potential_class"]].itertuples(index=False):
                copy.write_row((int(c), f"C{c}", f"客户{c}", "hospital", None if v != v else float(v), p,
                                datetime.now(UTC)))  # fmt: skip
        buffer = io.StringIO()
        frame = sales.assign(line_key=[f"b:{n}" for n in range(len(sales))], sold_on=sales["sold_on"].dt.date)
        for start in range(0, len(frame), 1_000_000):
            buffer.seek(0)
            buffer.truncate()
            frame.iloc[start : start + 1_000_000][["line_key", "customer_id", "sold_on", "amount"]].to_csv(
                buffer, index=False, header=False
            )
            buffer.seek(0)
            with cursor.copy("COPY sale_line (line_key, customer_id, sold_on, amount) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        cursor.execute("SELECT setval('customer_id_seq', (SELECT max(id) FROM customer))")
        cursor.execute("ANALYZE")


def measure_database(url: str) -> dict:
    """In a fresh process: one scoring run from the database; seconds and peak RSS."""
    code = (
        "import json, time, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n"
        "from datetime import date\n"
        "from bot.config import Settings\n"
        "from bot.db import make_engine\n"
        "from bot.services.scoring_runs import run_scoring\n"
        f"engine = make_engine({url!r})\n"
        "started = time.perf_counter()\n"
        f"summary = run_scoring(engine=engine, settings=Settings(), as_of=date.fromisoformat({AS_OF.isoformat()!r}),"
        " trigger='bench')\n"
        # VmHWM is this process's own peak; ru_maxrss would carry the parent's over fork and exec.
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(json.dumps({'seconds': time.perf_counter() - started, 'customers': summary.customers,"
        " 'peak_mib': int(hwm.split()[1]) / 1024}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_size(lines: int, customers_count: int, backends: list[str], postgres_url: str | None, lifetimes: bool):
    from scoring.engine import score
    from scoring.rules import ScoringRules

    sales = make_sales(lines, customers_count)
    customers = make_customers(customers_count)
    rows = []
    rules = ScoringRules()
    bare, _ = time_it(lambda: bare_pass(sales))
    ours, _ = time_it(lambda: score(sales, customers, rules, AS_OF))
    rows.append(("bare pandas groupby-agg pass (floor)", bare, None))
    rows.append(("our pure scoring step, in memory", ours, None))
    if lifetimes:
        summary = lifetimes_summary(sales)
        if callable(summary):
            seconds, _ = time_it(summary, repeat=1)
            rows.append(("lifetimes summary_data_from_transaction_data", seconds, None))
        else:
            rows.append((f"lifetimes: {summary}", float("nan"), None))
    memory_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for backend in backends:
        if backend == "sqlite":
            path = OUT / f"scoring_{lines}.db"
            load_sqlite(path, sales, customers)
            measured = measure_database(f"sqlite:///{path}")
        else:
            from tests.pg_server import fresh_postgres_database

            assert postgres_url is not None
            url = fresh_postgres_database(postgres_url)
            load_postgresql(url, sales, customers)
            measured = measure_database(url)
        rows.append((f"our scoring run from {backend}, end to end", measured["seconds"], measured["peak_mib"]))
    return rows, bare, ours, memory_peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-lifetimes", action="store_true")
    parser.add_argument("--results", action="store_true", help="write the figures into bench/RESULTS.md")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    OUT.mkdir(exist_ok=True)
    backends = [b for b in args.backends.split(",") if b]
    server = None
    postgres_url = os.environ.get("TIERBOT_TEST_POSTGRES_URL")
    if "postgresql" in backends and not postgres_url:
        from tests.pg_server import PostgresServer

        server = PostgresServer().start()
        postgres_url = server.url
    sections = []
    try:
        for lines in (int(n) for n in args.lines):
            customers = max(1000, lines // 100)
            rows, bare, ours, in_memory_peak = run_size(lines, customers, backends, postgres_url,
                                                        not args.no_lifetimes)  # fmt: skip
            table = [f"### {lines:,} sales lines, {customers:,} customers", "",
                     "| what | seconds | × bare pass | peak RSS |", "| --- | ---: | ---: | ---: |"]  # fmt: skip
            for label, seconds, peak in rows:
                peak_text = f"{peak:,.0f} MiB" if peak else f"{in_memory_peak:,.0f} MiB (bench process)"
                table.append(f"| {label} | {seconds:.2f} | {seconds / bare:.1f}× | {peak_text} |")
            lifetimes_row = next((s for label, s, _ in rows if label.startswith("lifetimes summary")), None)
            if lifetimes_row:
                table.append(f"\nOur in-memory step is {lifetimes_row / ours:.0f}× faster than the lifetimes summary.")
            print("\n".join(table), flush=True)
            sections.append("\n".join(table))
    finally:
        if server is not None:
            server.stop()
    if args.results:
        command = " ".join(["python bench/scoring.py", *sys.argv[1:]])
        write_section(
            "Scoring (issue 3)",
            f"{machine_line()}\n\nCommand: `{command}`. Two years of seeded sales (skewed sizes, joiners, "
            "churners, ~1 % refunds). The database runs include the SQL GROUP BY, pandas, and storing a snapshot "
            "per customer; each ran in a fresh process (peak RSS is that process's). Targets: in-memory step "
            "within 2× of the bare pass; ≥ 10× faster than lifetimes at 1e7; from SQLite at 1e7 under 60 s and "
            "2 GiB.\n\n" + "\n\n".join(sections),
        )


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"total {time.time() - started:.0f} s")
