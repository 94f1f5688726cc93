"""Run a command and report its own CPU time and peak RSS, measured from a small launcher process.

    python bench/peak.py RESULT.json COMMAND ARG...

Why a launcher: on Linux a child's ru_maxrss also counts the memory of the process it was forked
from, up to its exec (the kernel carries the old address space's high-water mark into the new
program's). A bench that holds ten million generated sales lines in memory would then report its
own size as the peak of every `tierbot` command it runs. Forked from this small interpreter, the
command's figure is its own (plus this launcher's ~10 MiB at most).
"""

from __future__ import annotations

import json
import os
import sys


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


if __name__ == "__main__":
    main()
