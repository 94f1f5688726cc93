"""Run a command and report its own CPU time and peak RSS, measured from a small launcher process.

    python bench/peak.py RESULT.json COMMAND ARG...

run_tierbot() runs a `tierbot` command (this checkout's code) that way for the benches.

Why a launcher: on Linux a child's ru_maxrss also counts the memory of the process it was forked
from, up to its exec (the kernel carries the old address space's high-water mark into the new
program's). A bench that holds ten million generated sales lines in memory would then report its
own size as the peak of every `tierbot` command it runs. Forked from this small interpreter, the
command's figure is its own (plus this launcher's ~10 MiB at most).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    result, command = sys.argv[1], sys.argv[2:]
    pid = os.fork()
    if pid == 0:
        os.execvp(command[0], command)
    _, status, usage = os.wait4(pid, 0)
    with open(result, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "exit_code": os.waitstatus_to_exitcode(status),
                "cpu": usage.ru_utime + usage.ru_stime,
                "peak_mib": usage.ru_maxrss / 1024,
            },
            handle,
        )


def run_tierbot(arguments: list[str], *, url: str, folder: Path, name: str) -> dict:
    """`tierbot ARGUMENTS` against the database at url as a fresh process, timed from outside (start-up
    included): seconds, CPU, peak RSS (from this launcher) and its output; SystemExit if it failed."""
    config = folder / "bench.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[team]\nlanguage = "en"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
    env.pop("TIERBOT_CONFIG", None)
    command = [sys.executable, "-m", "bot.cli", *arguments, "--config", str(config)]
    out, measured = folder / f"{name}.out", folder / f"{name}.peak.json"
    started = time.perf_counter()
    with out.open("w") as handle:
        launcher = [sys.executable, str(Path(__file__).resolve()), str(measured)]
        subprocess.run(launcher + command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env=env, check=False)
    seconds = time.perf_counter() - started
    usage = json.loads(measured.read_text())
    text = out.read_text()
    if usage["exit_code"] != 0:
        raise SystemExit(f"tierbot {arguments[0]} failed:\n{text}")
    return {"seconds": seconds, "cpu": usage["cpu"], "peak_mib": usage["peak_mib"], "out": text}


if __name__ == "__main__":
    main()
