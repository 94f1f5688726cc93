"""Scoring as users run it: `tierbot score` end to end against a bare SQL pass over sale_line, same run.

For each size it loads seeded sales lines (two years, skewed customers, ~1 % refunds; with the daily
rollup filled as an import fills it) into SQLite and into PostgreSQL, then times, in this order:
- the anchor: ``SELECT customer_id, count(*), sum(amount) FROM sale_line GROUP BY customer_id``, every
  row fetched (best of two, after a warm-up read);
- ``tierbot score --as-of ...`` as a fresh process (``python -m bot.cli``: start-up, the rollup pass,
  pandas, storing and pruning the snapshot, commit), twice: the first run (no run before it) and the
  next (a previous run to compare with, as the nightly run has).
Each row gives wall seconds, the ratio to the anchor, the client's CPU and, on PostgreSQL, the server's
CPU (the postmaster's own, its live processes' and its exited backends' times, from /proc), and the
peak RSS of the `tierbot score` process (measured by bench/peak.py's launcher). PostgreSQL runs with durable settings
(fsync, synchronous_commit and full_page_writes on), unlike the test server.

    .venv/bin/python bench/scoring.py --lines 1e5                   # quick look, both databases
    .venv/bin/python bench/scoring.py --lines 1e7 --customers 1e5   # the issue's target row
    .venv/bin/python bench/scoring.py --lines 1e7 --customers 1e6 --backends postgresql
    .venv/bin/python bench/scoring.py --results                     # 1e6 and 1e7 lines, into bench/RESULTS.md
    .venv/bin/python bench/scoring.py --database URL --data-dir DIR # a database loaded before, as it is

PostgreSQL: $TIERBOT_BENCH_POSTGRES_URL (a server you run, durable as you set it), else a throwaway
durable server from the Debian binaries.
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line, write_section  # noqa: E402
from bench.peak import run_tierbot  # noqa: E402
from bench.scoring_inmemory import AS_OF, make_customers, sales_chunks  # noqa: E402
from tests.pg_server import PostgresServer, fresh_postgres_database  # noqa: E402

BARE_SQL = "SELECT customer_id, count(*), sum(amount) FROM sale_line GROUP BY customer_id"
_TICKS = os.sysconf("SC_CLK_TCK")
_CHUNK = 1_000_000
_WHOLE = 10_000_000  # lines generated at once; a bigger log comes in chunks of this size


class DurablePostgres(PostgresServer):
    """The test server's binaries with PostgreSQL's durable defaults (fsync and full page writes on)."""

    def start(self) -> DurablePostgres:
        if self.as_nobody:
            os.chmod(self.root, 0o777)
        self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=50"
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", log, "-w", "-t", "60", "start")
        return self


def server_cpu(data_dir: Path | None) -> float:
    """CPU seconds the PostgreSQL server used so far: postmaster, its live processes, its reaped backends."""
    if data_dir is None:
        return 0.0
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile: its time is in the postmaster's children's by now
        pid, parent = int(entry.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        elif parent == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def _pieces(chunks: Iterable[pd.DataFrame]) -> Iterator[tuple[int, pd.DataFrame]]:
    """(number of the first line, lines) a million lines at a time, over every chunk of the log."""
    first = 0
    for chunk in chunks:
        for start in range(0, len(chunk), _CHUNK):
            piece = chunk.iloc[start : start + _CHUNK]
            yield first, piece
            first += len(piece)


def load_sqlite(path: Path, chunks: Iterable[pd.DataFrame], customers) -> None:
    from bot.db import make_engine, upgrade_database
    from bot.importing.sale_days import fill_sql

    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    connection = sqlite3.connect(path)
    now = datetime.now(UTC).isoformat(sep=" ")
    with connection:
        connection.executemany(
            "INSERT INTO customer (id, external_id, name, kind, potential_value, potential_class, created_at) "
            "VALUES (?, ?, ?, 'hospital', ?, ?, ?)",
            [(int(c), f"C{c}", f"客户{c}", None if v != v else float(v), p, now)
             for c, v, p in customers[["customer_id", "potential_value", "potential_class"]].itertuples(index=False)],
        )  # fmt: skip
        for first, piece in _pieces(chunks):
            connection.executemany(
                "INSERT INTO sale_line (line_key, customer_id, sold_on, amount) VALUES (?, ?, ?, ?)",
                zip((f"b:{n}" for n in range(first, first + len(piece))), piece["customer_id"].tolist(),
                    piece["sold_on"].dt.strftime("%Y-%m-%d").tolist(), piece["amount"].tolist(), strict=True),
            )  # fmt: skip
        connection.execute(fill_sql("sqlite"))  # the daily rollup, as the import keeps it
    connection.execute("ANALYZE")
    connection.close()


# Dropped while a log bigger than one chunk is copied in, and built again after (a bulk load's usual way;
# the indexes end up as CREATE INDEX builds them).
_BULK_INDEXES = (
    ("ALTER TABLE sale_line DROP CONSTRAINT uq_sale_line_line_key",
     "ALTER TABLE sale_line ADD CONSTRAINT uq_sale_line_line_key UNIQUE (line_key)"),
    ("DROP INDEX ix_sale_line_customer_day_amount",
     "CREATE INDEX ix_sale_line_customer_day_amount ON sale_line (customer_id, sold_on, amount)"),
)  # fmt: skip


def load_postgresql(url: str, chunks: Iterable[pd.DataFrame], customers, *, bulk: bool = False) -> None:
    import psycopg

    from bot.db import make_engine, upgrade_database
    from bot.importing.sale_days import fill_sql

    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection, connection.cursor() as cursor:
        now = datetime.now(UTC)
        with cursor.copy("COPY customer (id, external_id, name, kind, potential_value, potential_class, created_at) "
                         "FROM STDIN") as copy:  # fmt: skip
            for c, v, p in customers[["customer_id", "potential_value", "potential_class"]].itertuples(index=False):
                copy.write_row((int(c), f"C{c}", f"客户{c}", "hospital", None if v != v else float(v), p, now))
        for drop, _ in _BULK_INDEXES if bulk else ():
            cursor.execute(drop)
        buffer = io.StringIO()
        for first, piece in _pieces(chunks):
            buffer.seek(0)
            buffer.truncate()
            keys = [f"b:{n}" for n in range(first, first + len(piece))]
            rows = piece.assign(line_key=keys, sold_on=piece["sold_on"].dt.date)
            rows[["line_key", "customer_id", "sold_on", "amount"]].to_csv(buffer, index=False, header=False)
            with cursor.copy("COPY sale_line (line_key, customer_id, sold_on, amount) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        for _, create in _BULK_INDEXES if bulk else ():
            cursor.execute(create)
        cursor.execute("SELECT setval('customer_id_seq', (SELECT max(id) FROM customer))")
        cursor.execute(fill_sql("postgresql"))
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")  # as autovacuum would have, after a load this size


def bare_pass(url: str) -> tuple[float, float, int]:
    """(seconds, client CPU seconds, rows) of the anchor query, every row fetched."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        started, cpu = time.perf_counter(), time.process_time()
        rows = len(connection.execute(BARE_SQL).fetchall())
        figures = (time.perf_counter() - started, time.process_time() - cpu, rows)
        connection.close()
        return figures
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        started, cpu = time.perf_counter(), time.process_time()
        rows = len(connection.execute(BARE_SQL).fetchall())
        return time.perf_counter() - started, time.process_time() - cpu, rows


def startup() -> dict:
    """Best of three: a fresh Python importing what `tierbot score` imports before it reads anything (the
    command line, the scoring run's module, pandas, scipy's models), and nothing else."""
    imports = "import bot.cli, bot.services.scoring_runs, scoring.engine"
    best = {"seconds": float("inf")}
    for _ in range(3):
        started = time.perf_counter()
        before = os.times()
        subprocess.run(
            [sys.executable, "-c", imports], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True
        )
        after = os.times()
        seconds = time.perf_counter() - started
        if seconds < best["seconds"]:
            best = {"seconds": seconds, "cpu": (after.children_user - before.children_user)
                    + (after.children_system - before.children_system)}  # fmt: skip
    return best


def tierbot_score(url: str, folder: Path) -> dict:
    """`tierbot score` (this checkout's code) as a fresh process: seconds, CPU, peak RSS, its output."""
    return run_tierbot(["score", "--as-of", AS_OF.isoformat()], url=url, folder=folder, name="score")


def measure(backend: str, url: str, folder: Path, data_dir: Path | None) -> list[tuple[str, dict]]:
    """The anchor, then two `tierbot score` runs, each with the server's CPU."""
    bare_pass(url)  # warm-up: both read from a warm cache
    anchors = []
    for _ in range(2):
        before = server_cpu(data_dir)
        seconds, cpu, rows = bare_pass(url)
        anchors.append({"seconds": seconds, "cpu": cpu, "server_cpu": server_cpu(data_dir) - before, "rows": rows})
    anchor = min(anchors, key=lambda figures: figures["seconds"])
    rows = [(f"{backend}: bare SQL pass over sale_line (anchor)", anchor)]
    rows.append((f"{backend}: start-up alone: Python and the score command's imports, no work (floor)", startup()))
    for label in ("tierbot score, first run", "tierbot score, next run"):
        before = server_cpu(data_dir)
        figures = tierbot_score(url, folder)
        figures["server_cpu"] = server_cpu(data_dir) - before
        rows.append((f"{backend}: {label}", figures))
    for _, figures in rows:
        figures["ratio"] = figures["seconds"] / anchor["seconds"]
    return rows


def table(rows: list[tuple[str, dict]]) -> str:
    lines = [
        "| what | seconds | × anchor | client CPU s | server CPU s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, f in rows:
        peak = f"{f['peak_mib']:,.0f} MiB" if "peak_mib" in f else ""
        server = f"{f['server_cpu']:.1f}" if label.startswith("postgresql") and "server_cpu" in f else ""
        lines.append(f"| {label} | {f['seconds']:.2f} | {f['ratio']:.2f}× | {f['cpu']:.1f} | {server} | {peak} |")
    return "\n".join(lines)


def run_size(lines: int, customers: int, backends: list[str], folder: Path, server) -> str:
    """Load a log of this size into each backend and measure it. A log over _WHOLE lines is generated and
    loaded a chunk at a time (its customers drawn once), so that the bench's own memory stays small."""
    buyers = make_customers(customers)
    rows: list[tuple[str, dict]] = []
    for backend in backends:
        chunks = sales_chunks(lines, customers, chunk_lines=_WHOLE)  # one chunk up to _WHOLE lines
        started = time.perf_counter()
        if backend == "sqlite":
            path = folder / f"scoring_{lines}.db"
            load_sqlite(path, chunks, buyers)
            url, data_dir = f"sqlite:///{path}", None
        else:
            url = fresh_postgres_database(server["url"], prefix="bench")
            load_postgresql(url, chunks, buyers, bulk=lines > _WHOLE)
            data_dir = server["data_dir"]
        print(f"  loaded {backend} in {time.perf_counter() - started:.0f} s", flush=True)
        rows.extend(measure(backend, url, folder, data_dir))
        if backend == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    head = f"### {lines:,} sales lines, {len(buyers):,} customers"
    return f"{head}\n\n{table(rows)}"


def measure_existing(url: str, data_dir: Path | None) -> str:
    """The anchor and two `tierbot score` runs on a database loaded before (by this bench's loaders)."""
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    counts = "SELECT (SELECT count(*) FROM sale_line), (SELECT count(*) FROM customer), (SELECT count(*) FROM sale_day)"
    if backend == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            lines, customers, days = connection.execute(counts).fetchone()
    else:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            lines, customers, days = connection.execute(counts).fetchone()
    rows = measure(backend, url, Path(tempfile.mkdtemp(prefix="tierbot-scoring-bench-")), data_dir)
    head = f"### {lines:,} sales lines, {customers:,} customers ({days:,} customer-days in the rollup)"
    return f"{head}\n\n{table(rows)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--customers", type=float, help="customers (default: lines / 100)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--results", action="store_true", help="write the figures into bench/RESULTS.md")
    parser.add_argument("--database", help="measure this loaded database as it is (no load), e.g. a scale row's")
    parser.add_argument("--data-dir", type=Path, help="with --database: its PostgreSQL data folder, for server CPU")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # every row, --database's too, on one BLAS thread
    if args.database:
        print(measure_existing(args.database, args.data_dir), flush=True)
        return
    backends = [b for b in args.backends.split(",") if b]
    folder = Path(tempfile.mkdtemp(prefix="tierbot-scoring-bench-"))
    load_before = os.getloadavg()[0]
    started_server = None
    server: dict = {}
    if "postgresql" in backends:
        if os.environ.get("TIERBOT_BENCH_POSTGRES_URL"):
            server = {"url": os.environ["TIERBOT_BENCH_POSTGRES_URL"], "data_dir": None}
        else:
            started_server = DurablePostgres().start()
            server = {"url": started_server.url, "data_dir": started_server.data_dir}
    sections = []
    try:
        for lines in (int(n) for n in args.lines):
            customers = int(args.customers) if args.customers else max(1000, lines // 100)
            section = run_size(lines, customers, backends, folder, server)
            print(section, flush=True)
            sections.append(section)
    finally:
        if started_server is not None:
            started_server.stop()
    if args.results:
        command = " ".join(["python bench/scoring.py", *sys.argv[1:]])
        loads = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        write_section(
            "Scoring (issue 3)",
            f"{machine_line()} {loads}.\n\nCommand: `{command}`. `tierbot score` timed as users run it, as a fresh "
            "process (start-up included), against the bare SQL pass over sale_line in the same run; PostgreSQL "
            "with fsync on, its server CPU counted. Targets at 1e7 lines / 100k customers: ≤ 2× the anchor on "
            "both databases and < 60 s; at 1M customers < 2 GiB peak.\n\n" + "\n\n".join(sections),
        )


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"total {time.time() - started:.0f} s")
