"""Customers by name: a 100,000-line flow file's 终端名称 matched against 100,000 customers.

Generates (seeded) customers the way a Chinese team's CRM holds them (chain pharmacies with their
store in brackets, district hospitals, community health centres, clinics, university hospitals) into
a migrated SQLite database, and a flow-file name column written as distributors write it: full-width
brackets, 有限公司/连锁 company forms, spaces, traditional characters, a university prefix added or
left out, and about 1% names of no customer. Then times, in this process:
- ``CustomerNames.load``: read every customer and alias, normalise every name;
- ``match``: the whole column to customer ids;
- ``candidates`` for every distinct unknown name (what a rejects file would suggest; the first call
  builds the closest-name index, which is counted here).
Peak memory is the process's VmHWM (peak resident set), interpreter, imports and generation included.

Then what an admin runs, end to end, each in a fresh process (start-up included; peak RSS is the
child's): ``tierbot import sales flow.csv --dry-run`` on the same names written as a distributor's
流向 file (all 12 usual columns, UTF-8 with BOM), and the real import with ``--accept-good-rows``
(the unknown terminals are left out), whose automatic scoring run is timed by the command itself and
shown apart.

    .venv/bin/python bench/match_flow.py                      # 100,000 customers, 100,000 lines
    .venv/bin/python bench/match_flow.py --customers 20000 --lines 50000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402
from bot.demo.names import NATIONAL_PHARMACY_CHAINS, SURNAMES, streets  # noqa: E402

CHAINS = (*NATIONAL_PHARMACY_CHAINS, "华氏大药房", "第一医药", "雷允上", "九洲大药房", "张同泰", "南京医药", "漱玉平民")
UNIVERSITIES = ("复旦大学", "上海交通大学医学院", "浙江大学医学院", "南京医科大学", "苏州大学", "同济大学", "中山大学")
PLACE_CHARS = "东西南北中新华安平和兴光明长江海山河湖川宁丰泰康乐福寿德仁义春秋金银玉龙凤鹤松竹梅兰桃柳青红白"
ORDINALS = "一二三四五六七八九十"


def place_names(rng: np.random.Generator, count: int) -> list[str]:
    """Street names made of two place characters: ``东华路``, ``凤兰街``."""
    pairs = [a + b for a in PLACE_CHARS for b in PLACE_CHARS if a != b]
    real = [s for districts in streets().values() for ss in districts.values() for s in ss]
    made = [p + rng.choice(["路", "街", "大道"]) for p in pairs]
    return list(dict.fromkeys(real + made))[:count]


def customer_names(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct customer names, in the mix a regional team has."""
    cities = list(streets())
    places = place_names(rng, 3000)
    names: dict[str, None] = {}
    while len(names) < count:
        kind = rng.random()
        city, place = cities[rng.integers(len(cities))], places[rng.integers(len(places))]
        if kind < 0.55:
            name = f"{CHAINS[rng.integers(len(CHAINS))]}({city}{place}{'' if rng.random() < 0.7 else '二'}店)"
        elif kind < 0.75:
            doctor = SURNAMES[rng.integers(len(SURNAMES))] + PLACE_CHARS[rng.integers(len(PLACE_CHARS))]
            name = f"{city}{place}{doctor}{rng.choice(['诊所', '中医诊所', '门诊部'])}"
        elif kind < 0.9:
            name = f"{city}{place[:2]}社区卫生服务中心"
        elif kind < 0.97:
            name = f"{city}市{place[:2]}{rng.choice(['人民医院', '中心医院', '中医医院', '妇幼保健院'])}"
        else:
            university = UNIVERSITIES[rng.integers(len(UNIVERSITIES))]
            name = f"{university}附属{place[:2]}医院" if rng.random() < 0.5 else f"{city}{place[:2]}医院"
        names[name] = None
    return list(names)


def written_as(rng: np.random.Generator, name: str, to_traditional) -> str:
    """The name as a distributor's flow file might write it."""
    roll = rng.random()
    if roll < 0.4:
        return name
    if roll < 0.55:
        return name.replace("(", "（").replace(")", "）")
    if roll < 0.7 and "(" in name:
        chain, store = name.split("(", 1)
        return f"{chain}{rng.choice(['连锁有限公司', '有限公司', '医药连锁股份有限公司'])}({store}"
    if roll < 0.8:
        return " ".join([name[: len(name) // 2], name[len(name) // 2 :]])
    if roll < 0.87:
        return to_traditional(name)
    if roll < 0.95 and "附属" in name:
        return name.split("附属", 1)[1]
    if roll < 0.95 and name.endswith("医院") and "市" not in name:
        return UNIVERSITIES[rng.integers(len(UNIVERSITIES))] + "附属" + name
    return name.replace("(", "【").replace(")", "】")


def flow_names(rng: np.random.Generator, customers: list[str], lines: int, unknown_share: float) -> list[str]:
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    picked = rng.integers(len(customers), size=lines)
    written = [written_as(rng, customers[i], to_traditional) for i in picked.tolist()]
    for i in np.flatnonzero(rng.random(lines) < unknown_share).tolist():
        written[i] = f"{CHAINS[rng.integers(len(CHAINS))]}(未建档{i}号店)"  # a store no one has entered yet
    return written


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--unknown", type=float, default=0.01, help="share of flow lines naming no customer")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import insert

    from bot.db import make_engine, upgrade_database
    from bot.importing.customer_names import AMBIGUOUS, UNKNOWN, CustomerNames
    from bot.models import Customer

    rng = np.random.default_rng(args.seed)
    names = customer_names(rng, args.customers)
    column = pd.Series(flow_names(rng, names, args.lines, args.unknown), dtype=object)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_database(engine)
        with engine.begin() as connection:
            rows = [{"external_id": f"C{n:06d}", "name": name} for n, name in enumerate(names)]
            connection.execute(insert(Customer.__table__), rows)

        started = time.perf_counter()
        with engine.connect() as connection:
            customers = CustomerNames.load(connection)
        loaded = time.perf_counter()
        ids = customers.match(column)
        matched = time.perf_counter()
        unknown = pd.unique(column[ids == UNKNOWN])
        suggestions = [customers.candidates(name) for name in unknown]
        suggested = time.perf_counter()
        engine.dispose()
        flow = Path(folder) / "flow.csv"
        write_flow_file(rng, flow, column)
        database_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        runs = [(mode, *tierbot_import(database_url, flow, mode)) for mode in ("--dry-run", "--accept-good-rows")]

    total = suggested - started
    print(machine_line())
    print(f"{len(names):,} customers, {len(column):,} flow lines ({column.nunique():,} distinct names)")
    print(f"load      {loaded - started:6.2f} s")
    print(f"match     {matched - loaded:6.2f} s  ({len(column) / (matched - loaded):,.0f} lines/s)")
    print(f"candidates{suggested - matched:6.2f} s  for {len(unknown):,} distinct unknown names")
    print(f"total     {total:6.2f} s  ({len(column) / total:,.0f} lines/s), peak RSS {_peak_mib():,.0f} MiB")
    print(
        f"matched {int((ids >= 0).sum()):,}, unknown {int((ids == UNKNOWN).sum()):,}, "
        f"ambiguous {int((ids == AMBIGUOUS).sum()):,} lines"
    )
    wrong = sum(1 for i, name in zip(ids.tolist(), column.tolist(), strict=True) if i >= 0 and "未建档" in name)
    print(f"unknown names matched to a customer (must be 0): {wrong}")
    if suggestions:
        print(f"e.g. {unknown[0]!r} -> {suggestions[0]}")
    print()
    print("End to end (tierbot import sales, a fresh process each):")
    for mode, seconds, peak, output in runs:
        scoring = next((line for line in output.splitlines() if line.startswith("Scoring run")), "")
        scored = float(scoring.rsplit(" in ", 1)[1].split()[0]) if scoring else 0.0
        print(f"  import sales flow.csv {mode:<20} {seconds:6.2f} s, peak RSS {peak:,.0f} MiB", end="")
        print(f"  (of which the scoring run {scored:.1f} s)" if scoring else "")
        for line in output.splitlines()[:1] + [line for line in output.splitlines() if "rejected" in line][:1]:
            print(f"      {line}")


def write_flow_file(rng: np.random.Generator, path: Path, names: pd.Series) -> None:
    """The names as a distributor's 流向 file: 12 columns, one line per delivery, UTF-8 with BOM."""
    count = len(names)
    quantity = rng.integers(1, 200, size=count)
    price = np.round(rng.uniform(5, 300, size=count), 2)
    days = pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 31, size=count), unit="D")
    frame = pd.DataFrame(
        {
            "流向商业公司名": rng.choice(
                ["国药控股上海有限公司", "上药控股有限公司", "华润医药商业集团有限公司"], size=count
            ),
            "所属月份": "2026-10",
            "单据日期": days.strftime("%Y-%m-%d"),
            "终端编码": [f"T{n:07d}" for n in rng.integers(0, 10**7, size=count)],
            "终端名称": names.to_numpy(),
            "品规": rng.choice(["阿托伐他汀钙片", "头孢克肟片", "布洛芬缓释胶囊", "阿莫西林胶囊"], size=count),
            "规格": rng.choice(["20mg*7片", "100mg*6片", "0.3g*20粒"], size=count),
            "批号": [f"B{n:06d}" for n in rng.integers(0, 10**6, size=count)],
            "销售数量": quantity,
            "单位": "盒",
            "单价": price,
            "金额": np.round(quantity * price, 2),
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def tierbot_import(database_url: str, path: Path, mode: str) -> tuple[float, float, str]:
    """Run the CLI in a fresh process; return (seconds, the child's peak RSS in MiB, its output)."""
    import os
    import resource
    import subprocess

    env = {**os.environ, "DATABASE_URL": database_url, "TIERBOT_CONFIG": ""}
    command = [sys.executable, "-m", "bot.cli", "import", "sales", str(path), mode, "--lang", "en"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak, result.stdout + result.stderr


if __name__ == "__main__":
    main()
