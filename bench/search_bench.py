"""Customer search: index build time and search latency for 60,000 customers (200 reps x 300).

The index makes each name's keys the first time a search looks at it (bot.search): "build" is the names
only, a rep's first search makes their 300 names' keys, an admin's first search everyone's. The figures
below were measured when the whole index was built at once; that time is now an admin's first search.

Run: .venv/bin/python bench/search_bench.py
Synthetic names (city + hospital, pharmacy chain + branch, community health centre, a few Latin names),
with the demo customers hidden among them. "rep" searches are restricted to one rep's 300 random ids
(every one of the 200 reps once); "all" searches the whole index (5 runs each).

Latest results (2 shared CPUs, load average 2.7, so wall-clock p95 shows the neighbours; CPU time is
the honest figure for "all"): build 60,000 customers in 1.3-2.1 s, +35 MB peak RSS. Restricted to a
rep's 300 ids: median 0.26-0.58 ms for every query, p95 under 1 ms when the machine is quiet (about
4-9 ms when it is not: scheduler, not GC). Whole index, CPU ms: literal queries 6-11 (renji 10,
仁济 7, rjyy 9), 医院/yy with 40,000 hits 21, Chinese typo/abbreviation 13-23, pinyin typo and garbage
(the two rapidfuzz passes over 60,000 pinyin strings) 25-32.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's bot, not an installed one

from bot.search import CustomerIndex

CITIES = [
    "上海",
    "北京",
    "杭州",
    "南京",
    "苏州",
    "广州",
    "深圳",
    "成都",
    "重庆",
    "武汉",
    "长沙",
    "西安",
    "宁波",
    "无锡",
]
DISTRICTS = [
    "徐汇",
    "静安",
    "黄浦",
    "浦东",
    "闵行",
    "长宁",
    "普陀",
    "鼓楼",
    "玄武",
    "西湖",
    "滨江",
    "朝阳",
    "海淀",
    "天河",
]
HOSPITAL_WORDS = [
    "仁济",
    "瑞金",
    "华山",
    "中山",
    "长征",
    "长海",
    "新华",
    "同仁",
    "曙光",
    "龙华",
    "岳阳",
    "华东",
    "儿童",
    "妇幼",
]
HOSPITAL_KINDS = [
    "医院",
    "人民医院",
    "中医医院",
    "中西医结合医院",
    "妇幼保健院",
    "口腔医院",
    "肿瘤医院",
    "第一人民医院",
]
CHAINS = ["老百姓大药房", "益丰大药房", "大参林", "一心堂", "国大药房", "海王星辰", "漱玉平民", "华润堂"]
LATIN = ["St. Mary Clinic", "Good Health Pharmacy", "Parkway Medical", "United Family Clinic", "Raffles Medical"]
DEMO = [
    "仁济医院",
    "瑞金医院",
    "上海市第六人民医院",
    "老百姓大药房(徐汇店)",
    "浙江大学医学院附属第一医院",
    "St. Mary Clinic",
]
QUERIES = [
    "仁济医院", "renji", "rjyy", "仁济", "仁记医院", "仁濟醫院", "仁齐医院", "xuhui", "lbx", "第六人民", "六院",
    "浙大一院", "ruijing", "st mery clinic", "医院", "yy", "xyzzy", "hello world",
]  # fmt: skip


def synthetic_names(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    names = []
    for n in range(count):
        roll = rng.random()
        city, district = rng.choice(CITIES), rng.choice(DISTRICTS)
        if roll < 0.45:
            names.append(f"{city}{rng.choice(HOSPITAL_WORDS)}{rng.choice(HOSPITAL_KINDS)}")
        elif roll < 0.80:
            names.append(f"{rng.choice(CHAINS)}({district}{rng.randint(1, 99)}店)")
        elif roll < 0.97:
            names.append(f"{city}市{district}区第{rng.randint(1, 30)}社区卫生服务中心")
        else:
            names.append(f"{rng.choice(LATIN)} {district} {n}")
    return names


def timed_ms(fn, clock=time.perf_counter) -> float:
    start = clock()
    fn()
    return (clock() - start) * 1000


def main() -> None:
    names = synthetic_names(60_000 - len(DEMO)) + DEMO
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    index = CustomerIndex.build(enumerate(names, 1))
    build_s = time.perf_counter() - start
    print(f"build: {len(index)} customers in {build_s:.3f} s (names only: keys are made by the first search)")

    ids = list(range(1, len(names) + 1))
    random.Random(1).shuffle(ids)
    reps = [ids[i : i + 300] for i in range(0, len(ids), 300)]
    # A rep's first search makes the keys of their 300 names; an admin's first search those of everyone.
    firsts = [timed_ms(lambda rep=rep: index.search("仁济", allowed_ids=rep)) for rep in reps]
    print(f"a rep's first search (keys of 300 names): median {statistics.median(firsts):.1f} ms, "
          f"p95 {statistics.quantiles(firsts, n=20)[-1]:.1f} ms")  # fmt: skip
    index = CustomerIndex.build(enumerate(names, 1))
    start = time.perf_counter()
    index.search("仁济")
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    print(f"an admin's first search (keys of every name): {time.perf_counter() - start:.2f} s "
          f"(peak RSS grew {rss_growth:.0f} MB)")  # fmt: skip
    # CPU time as well as wall time: on a busy machine the wall clock mostly measures the neighbours.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'query':<16} {'rep (300 ids) median/p95 ms':>28} {'all (60k) median wall/cpu ms':>30}  top hit (all)")
    for query in QUERIES:
        own = [timed_ms(lambda rep=rep, q=query: index.search(q, allowed_ids=rep)) for rep in reps]
        every = [timed_ms(lambda q=query: index.search(q)) for _ in range(5)]
        every_cpu = [timed_ms(lambda q=query: index.search(q), time.process_time) for _ in range(5)]
        hits = index.search(query)
        top = f"{hits[0].name} ({hits[0].how}, {hits[0].score})" if hits else "-"
        p95 = statistics.quantiles(own, n=20)[-1]
        print(
            f"{query:<16} {statistics.median(own):>15.2f} / {p95:<10.2f} "
            f"{statistics.median(every):>15.2f} / {statistics.median(every_cpu):<12.2f}  {top}"
        )


if __name__ == "__main__":
    main()
