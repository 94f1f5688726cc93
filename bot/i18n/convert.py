"""Turn the old dict modules (``TEXTS`` and ``PHRASES``) into the ``.po`` sources: ``build --import-py``.

The catalogs were Python dicts until issue 12; a branch made before that may still add keys to
``bot/i18n/en.py`` and ``zh_hans.py`` (or ``imports_en.py``, ``imports_zh_hans.py``). After such a merge, keep
that branch's modules, run ``python -m bot.i18n.build --import-py`` and ``git rm`` the modules again.

Keys the ``.po`` lacks are added at the end, with the block comment above them in the English module (the
Chinese PHRASES with the comment of their own module). Keys the ``.po`` has are never overwritten, because
the ``.po`` may have moved on (plural forms); those whose text differs are listed for a person to judge.
"""

from __future__ import annotations

import ast
import importlib.util
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog

from bot.i18n.build import po_bytes, po_path, read

MODULE_DIR = Path(__file__).parent
# (English module, Simplified Chinese module) pairs whose TEXTS go to the tierbot domain.
TEXT_MODULES = (("en", "zh_hans"), ("imports_en", "imports_zh_hans"))
PHRASE_MODULE = "imports_zh_hans"
# Keys reworded when the catalogs became .po files: they said "(s)" and now have plural forms or count phrases.
# Their old dict text differs from the .po's as expected; only a branch that changed the text needs a look.
REWORDED = {"push.nudge", "upload.rejected", "handover.preview", "handover.done", "handover.received",
            "deactivate.preview", "deactivate.done"}  # fmt: skip
HEADERS = {
    ("en", "tierbot"): "# Tierbot's texts in English. msgid = the key t()/tn() are called with (bot/i18n/__init__.py).",
    ("zh_Hans", "tierbot"): "# Tierbot's texts in Simplified Chinese (zh_Hant is generated from this file).\n"
    "# msgid = the key t()/tn() are called with; the English text is in en/LC_MESSAGES/tierbot.po.",
    ("zh_Hans", "phrases"): "# The importer's English sentences in Simplified Chinese (bot/i18n/phrases.py).\n"
    "# msgid = the English template, {name} standing for any text; zh_Hant is generated from this file.",
}


def _load(name: str) -> tuple[dict[str, dict[str, str]], dict[str, str]] | None:
    """A dict module's dicts (TEXTS, PHRASES) and the block comment above each key; None when it is gone."""
    path = MODULE_DIR / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"_old_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dicts = {attr: getattr(module, attr) for attr in ("TEXTS", "PHRASES") if hasattr(module, attr)}
    return dicts, _block_comments(path.read_text(encoding="utf-8"))


def _block_comments(source: str) -> dict[str, str]:
    """Each dict key with the ``# comment`` line nearest above it."""
    lines = source.splitlines()
    comments: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Dict):
            continue
        for key in node.keys:
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue
            for line in reversed(lines[node.lineno : key.lineno - 1]):
                if line.strip().startswith("# "):
                    comments[key.value] = line.strip()[2:]
                    break
    return comments


def _open(directory: str, domain: str) -> Catalog:
    """The existing .po, or a new empty catalog for it."""
    path = po_path(directory, domain)
    if path.exists():
        return read(path)
    now = datetime(2026, 1, 1)
    return Catalog(
        locale=directory,
        domain=domain,
        header_comment=HEADERS[(directory, domain)],
        project="Tierbot",
        version="1",
        creation_date=now,
        revision_date=now,
        fuzzy=False,
    )


def _merge(catalog: Catalog, texts: dict[str, str], comments: dict[str, str], label: str) -> list[str]:
    """Add the texts the catalog lacks; report those it has with another text."""
    report = []
    for key, text in texts.items():
        found = catalog.get(key)
        if found is None:
            catalog.add(key, text, auto_comments=[comments[key]] if key in comments else [])
            report.append(f"added {label}: {key}")
        elif found.string != text:
            why = " (reworded for plural forms; expected)" if key in REWORDED else ""
            report.append(f"differs, kept the .po's{why}: {label}: {key}")
    return report


def import_modules() -> list[str]:
    """Merge every old dict module that exists into the .po sources; what was added or differs."""
    report: list[str] = []
    targets = {key: _open(*key) for key in HEADERS}
    for english_name, chinese_name in TEXT_MODULES:
        english, chinese = _load(english_name), _load(chinese_name)
        if english is None and chinese is None:
            continue
        comments = english[1] if english else {}
        if english:
            report += _merge(targets["en", "tierbot"], english[0]["TEXTS"], comments, english_name)
        if chinese:
            # The Chinese catalog follows the English order and comments, so both files read alike.
            order = list(english[0]["TEXTS"]) if english else []
            texts = chinese[0]["TEXTS"]
            ordered = {key: texts[key] for key in order if key in texts} | texts
            report += _merge(targets["zh_Hans", "tierbot"], ordered, comments, chinese_name)
    phrases = _load(PHRASE_MODULE)
    if phrases and "PHRASES" in phrases[0]:
        report += _merge(targets["zh_Hans", "phrases"], phrases[0]["PHRASES"], phrases[1], "PHRASES")
    for (directory, domain), catalog in targets.items():
        path = po_path(directory, domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalog))
    gone = [f"bot/i18n/{name}.py" for name in {*sum(TEXT_MODULES, ())} if (MODULE_DIR / f"{name}.py").exists()]
    if gone:
        report.append("now remove the dict modules: git rm " + " ".join(sorted(gone)))
    return report
