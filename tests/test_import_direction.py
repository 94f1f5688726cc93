"""Dependencies point one way (docs/architecture.md): every import in the code is checked against the layers.

handlers -> views, services -> db, models, scoring; pushes -> services, views. Nothing but the composition
root (bot/app.py) imports handlers; scoring imports nothing of ours. Function-level imports count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "scoring", "bench", "migrations")
COMPOSITION_ROOT = "bot.app"

# (layer, what it must not import): a layer is a module prefix, and so is what it must not import.
# The composition root imports the layers, so none of them may import it back (that was a cycle).
FORBIDDEN = [
    ("handlers", (COMPOSITION_ROOT,)),
    ("bot.views", ("bot.pushes", "handlers", COMPOSITION_ROOT)),
    ("bot.services", ("bot.views", "bot.pushes", "handlers", COMPOSITION_ROOT)),
    ("bot.pushes", ("handlers", COMPOSITION_ROOT)),
    ("scoring", ("bot", "handlers")),
]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module an import statement in source names (``from a import b`` names a and a.b)."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def violations(module: str, imports: set[str]) -> list[str]:
    """The imports of module that run against the layers, as 'module -> imported' lines."""
    wrong = set()
    for layer, banned in FORBIDDEN:
        if _within(module, layer):
            wrong |= {name for name in imports if any(_within(name, b) for b in banned)}
    if module != COMPOSITION_ROOT and not _within(module, "handlers"):
        wrong |= {name for name in imports if _within(name, "handlers")}
    return sorted(f"{module} -> {name}" for name in wrong)


def project_modules() -> list[tuple[str, Path]]:
    return sorted((module_name(path), path) for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_every_import_in_the_code_points_down_the_layers() -> None:
    modules = project_modules()
    assert len(modules) > 100 and {"bot.app", "bot.views.daily", "bot.pushes.compose"} <= {m for m, _ in modules}
    found = []
    for module, path in modules:
        imports = imported_modules(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        found += violations(module, imports)
    assert found == []


def test_the_check_catches_each_wrong_direction() -> None:
    wrong = {
        "bot.views.daily": "from bot.pushes.compose import Recipient",
        "bot.views.card": "import handlers.common",
        "bot.services.exports": "from bot.views.common import reasons_text",
        "bot.services.tiers": "from bot.pushes import push_log",
        "bot.services.team": "def f():\n    from handlers.today import show_today\n",
        "bot.pushes.jobs": "from handlers.menus import set_member_commands",
        "bot.cli": "from handlers import register_handlers",
        "handlers.start": "from bot.app import set_member_commands",
        "scoring.tiers": "from bot.config import Settings",
        "scoring.engine": "import bot",
    }
    for module, source in wrong.items():
        assert violations(module, imported_modules(source, module)), module
    allowed = {
        "bot.app": "from handlers import register_handlers",
        "handlers.today": "from handlers.common import answer\nfrom bot.views.daily import render_today",
        "bot.pushes.compose": "from bot.views.daily import render_today\nfrom bot.services import daily_list",
        "bot.views.card": "from bot.services.customers import CustomerCard",
        "scoring.engine": "from scoring.rules import Rules\nfrom . import tiers",
    }
    for module, source in allowed.items():
        assert violations(module, imported_modules(source, module)) == [], module


def test_relative_imports_are_resolved_against_the_package() -> None:
    assert "bot.pushes.compose" in imported_modules("from ..pushes import compose", "bot.views.daily")
    assert "bot.views.common" in imported_modules("from .common import day", "bot.views.daily")
    assert "bot.views.common" in imported_modules("from .common import day", "bot.views", is_package=True)
