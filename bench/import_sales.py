"""Sales import: ``tierbot import sales`` end to end against a plain pandas ``to_sql``, on SQLite and PostgreSQL.

Generates (seeded) a people file, a customers file and a sales CSV the way a Chinese ERP exports it
(UTF-8 with BOM, Chinese headers, no line id column, so every line is keyed by its content), loads
people and customers (not timed), then times, each in a fresh subprocess so peak memory is its own:
- ours, first import: ``tierbot import sales FILE`` as users run it (``python -m bot.cli``, this
  checkout's code), timed from outside: start-up, validation, content keys, the upsert against the
  unique line_key index and the covering index, the daily rollup (sale_day) in the same transaction,
  and the scoring run that follows a committed sales import;
- ours, second import of the same file (idempotent: every line unchanged; it adds nothing, so no
  scoring run follows);
- the baseline: ``pandas.read_csv`` + ``DataFrame.to_sql(method=None, chunksize=10_000)`` into a new
  table with pandas' default types, no indexes, no keys, no validation.
Peak memory is the subprocess's peak resident set (measured by bench/peak.py's launcher, or VmHWM for the baseline),
interpreter and imports included.

    .venv/bin/python bench/import_sales.py --lines 100000
    .venv/bin/python bench/import_sales.py --results          # 1,000,000 lines, into bench/RESULTS.md

PostgreSQL: $TIERBOT_TEST_POSTGRES_URL, else a throwaway server (tests/pg_server.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line, write_section  # noqa: E402
from bench.peak import run_tierbot  # noqa: E402
from tests.pg_server import fresh_postgres_database  # noqa: E402

SECTION = "Import (issue 2)"
PRODUCTS = [
    "阿莫西林胶囊 0.25g*24",
    "头孢克肟片 100mg*6",
    "布洛芬缓释胶囊 0.3g*20",
    "盐酸二甲双胍片 0.5g*48",
    "苯磺酸氨氯地平片 5mg*28",
    "阿托伐他汀钙片 20mg*7",
    "甘精胰岛素注射液 3ml",
    "奥美拉唑肠溶胶囊 20mg*14",
    "蒙脱石散 3g*10",
    "复方丹参滴丸 27mg*180",
]
BASELINE_CHUNK = 10_000


def generate(folder: Path, lines: int, customers: int, seed: int) -> dict[str, Path]:
    """Write people.csv, customers.csv and sales.csv into ``folder``; return their paths."""
    rng = np.random.default_rng(seed)
    reps = [f"R{n:03d}" for n in range(100)]
    people = pd.DataFrame({"工号": ["M01", *reps], "姓名": ["王经理", *[f"代表{r}" for r in reps]]})
    people["角色"] = ["经理"] + ["代表"] * len(reps)
    people["经理工号"] = [""] + ["M01"] * len(reps)
    ids = [f"C{n:06d}" for n in range(customers)]
    customer_frame = pd.DataFrame(
        {
            "客户编号": ids,
            "客户名称": [f"客户{n}医院" for n in range(customers)],
            "客户类型": rng.choice(["医院", "药房", "诊所"], customers),
            "负责代表": rng.choice(reps, customers),
        }
    )
    # Big customers buy more often: a Zipf-like draw over customers.
    weights = 1.0 / np.arange(1, customers + 1) ** 0.8
    buyer = rng.choice(customers, size=lines, p=weights / weights.sum())
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 700, lines), unit="D")
    amounts = np.round(rng.lognormal(7.0, 1.1, lines), 2)
    amounts[rng.random(lines) < 0.02] *= -1  # returns
    sales = pd.DataFrame(
        {
            "客户编号": np.asarray(ids, dtype=object)[buyer],
            "销售日期": days.strftime("%Y-%m-%d"),
            "金额": amounts,
            "数量": rng.integers(1, 200, lines),
            "品名": rng.choice(PRODUCTS, lines),
        }
    )
    paths = {"people": folder / "people.csv", "customers": folder / "customers.csv", "sales": folder / "sales.csv"}
    people.to_csv(paths["people"], index=False, encoding="utf-8-sig")
    customer_frame.to_csv(paths["customers"], index=False, encoding="utf-8-sig")
    sales.to_csv(paths["sales"], index=False, encoding="utf-8-sig")
    return paths


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(url: str, csv_path: str) -> None:
    """Run the baseline in this (fresh) process and print its figures as JSON."""
    from bot.db import make_engine

    engine = make_engine(url)
    started, cpu_started = time.perf_counter(), time.process_time()
    frame = pd.read_csv(csv_path, encoding="utf-8-sig")
    frame.to_sql("bench_to_sql", engine, if_exists="replace", index=False, chunksize=BASELINE_CHUNK, method=None)
    rows, detail = len(frame), "plain rows, no keys or indexes"
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    engine.dispose()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "peak_mib": _peak_mib(), "detail": detail}))


def tierbot_import(url: str, csv_path: Path) -> dict:
    """``tierbot import sales`` as a fresh process, timed from outside (start-up and scoring included)."""
    run = run_tierbot(["import", "sales", str(csv_path)], url=url, folder=csv_path.parent, name="import")
    text = run["out"]
    rows = sum(1 for _ in csv_path.open(encoding="utf-8-sig")) - 1
    scored = "scoring run included" if "Scoring run" in text else "nothing new: no scoring run"
    return {
        "seconds": run["seconds"],
        "cpu": run["cpu"],
        "rows": rows,
        "peak_mib": run["peak_mib"],
        "detail": scored,
    }


def measure(mode: str, url: str, csv_path: Path) -> dict:
    if mode == "cli":
        return tierbot_import(url, csv_path)
    command = [sys.executable, __file__, "--worker", mode, "--url", url, "--csv", str(csv_path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepared_database(url: str, files: dict[str, Path]) -> None:
    """Migrate and load people and customers (not timed)."""
    from bot.db import make_engine, upgrade_database
    from bot.importing import import_file

    engine = make_engine(url)
    upgrade_database(engine)
    for kind in ("people", "customers"):
        report = import_file(engine=engine, kind=kind, path=files[kind])
        assert report.ok, report.summary()
    engine.dispose()


def run_backend(backend: str, folder: Path, files: dict[str, Path], admin_url: str | None) -> list[dict]:
    def new_url(label: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{folder / (label + '.db')}"
        assert admin_url is not None
        return fresh_postgres_database(admin_url, prefix="bench")

    ours_url = new_url("ours")
    prepared_database(ours_url, files)
    first = measure("cli", ours_url, files["sales"])
    second = measure("cli", ours_url, files["sales"])
    baseline = measure("to_sql", new_url("to_sql"), files["sales"])
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
    runs = [
        ("tierbot import sales, first import (end to end)", first),
        ("tierbot import sales, same file again (end to end)", second),
        (f"pandas to_sql (method=None, chunksize={BASELINE_CHUNK:,})", baseline),
    ]
    return [
        {"backend": name, "run": run, **figures, "ratio": figures["seconds"] / baseline["seconds"]}
        for run, figures in runs
    ]


def table(rows: list[dict]) -> str:
    lines = [
        "| backend | run | rows | seconds | rows/s | CPU s | peak RSS | time vs to_sql | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        rate = row["rows"] / row["seconds"]
        lines.append(
            f"| {row['backend']} | {row['run']} | {row['rows']:,} | {row['seconds']:.1f} | {rate:,.0f} | "
            f"{row['cpu']:.1f} | {row['peak_mib']:,.0f} MiB | {row['ratio']:.2f}× | {row['detail']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="sales lines to generate")
    parser.add_argument("--customers", type=int, default=20_000, help="customers to generate")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--results", action="store_true", help="write the figures into bench/RESULTS.md")
    parser.add_argument("--worker", choices=["to_sql"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.url, args.csv)
        return

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="tierbot-import-bench-"))
    server = None
    try:
        started = time.perf_counter()
        files = generate(folder, args.lines, args.customers, args.seed)
        size = files["sales"].stat().st_size / 1024 / 1024
        print(f"Generated {args.lines:,} sales lines ({size:,.0f} MiB) for {args.customers:,} customers "
              f"in {time.perf_counter() - started:.1f} s.", flush=True)  # fmt: skip
        admin_url = os.environ.get("TIERBOT_TEST_POSTGRES_URL")
        if "postgresql" in backends and not admin_url:
            from tests.pg_server import PostgresServer

            server = PostgresServer().start()
            admin_url = server.url
        rows: list[dict] = []
        for backend in backends:
            rows.extend(run_backend(backend, folder, files, admin_url))
            print(table(rows[-3:]).split("\n", 2)[2], flush=True)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    result = table(rows)
    print()
    print(result)
    if args.results:
        command = "python bench/import_sales.py " + " ".join(sys.argv[1:])
        loads = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        body = (
            f"{machine_line()} Shared machine: {loads} (wall-clock figures include the neighbours).\n\n"
            f"Command: `{command}`\n\n"
            f"{args.lines:,} sales lines for {args.customers:,} customers ({size:,.0f} MiB CSV, UTF-8 with BOM, "
            "Chinese headers, no line id column so every line is keyed by the hash of its content). "
            "Each figure is a fresh subprocess: ours is `tierbot import sales FILE` timed from outside (start-up, "
            "the daily rollup and the scoring run after a committed import included); peak RSS is the process's, "
            "interpreter and imports included; CPU s is that process's CPU time (all its threads; the "
            "PostgreSQL server's work is not in it). "
            '"time vs to_sql" is our time divided by the baseline\'s, which is `pandas.read_csv` + '
            f"`DataFrame.to_sql(method=None, chunksize={BASELINE_CHUNK:,})` into a new table with pandas' "
            "default types and no indexes, keys or validation.\n\n"
            f"{result}\n"
        )
        write_section(SECTION, body)
        print(f"\nWrote the '{SECTION}' section of bench/RESULTS.md.")


if __name__ == "__main__":
    main()
