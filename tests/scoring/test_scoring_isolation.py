"""scoring is a pure core: no bot, handlers, database or Telegram imports, no clock, no I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SCORING = Path(__file__).resolve().parents[2] / "scoring"
FORBIDDEN_PACKAGES = ("bot", "handlers", "sqlmodel", "sqlalchemy", "telegram", "lifetimes")


def test_importing_scoring_loads_no_outer_layer() -> None:
    probe = (
        "import sys, scoring.engine, scoring.predictive\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_PACKAGES!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=SCORING.parent, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def _calls_and_imports(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    return calls, imported


def test_scoring_reads_no_clock_and_does_no_io() -> None:
    modules = sorted(SCORING.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        calls, imported = _calls_and_imports(module)
        assert not calls & {"now", "today", "utcnow", "time", "perf_counter", "open", "read_csv", "to_csv",
                            "read_excel", "read_sql"}, module.name  # fmt: skip
        assert not imported & {"os", "io", "pathlib", "time", "requests", "sqlite3", *FORBIDDEN_PACKAGES}, module.name
