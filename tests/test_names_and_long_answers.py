"""Issue 11 §10: names are one line, and a long answer splits only where Telegram can parse both halves."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select

from bot.importing import import_file
from bot.models import Customer, Person
from bot.split import MESSAGE_LIMIT, split_message


def _csv(path: Path, rows: list[list[str]]) -> Path:
    """A CSV file written by the csv module, so cells may hold line breaks (quoted, as Excel writes them)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


def test_names_with_line_breaks_tabs_and_runs_of_spaces_are_stored_on_one_line(engine, tmp_path):
    people = [["工号", "姓名", "角色"], ["R001", "张\n伟", "代表"], ["R002", "Anna \t  Li", "代表"]]
    assert import_file(engine=engine, kind="people", path=_csv(tmp_path / "p.csv", people)).ok
    customers = [
        ["客户编号", "客户名称", "城市", "负责代表"],
        ["H001", "仁济\n医院", "上\r\n海", "R001"],
        ["H002", "Ruijin\t\tHospital  (East)", "上海", "R002"],
    ]
    report = import_file(engine=engine, kind="customers", path=_csv(tmp_path / "c.csv", customers))
    assert report.ok and report.inserted == 2

    with engine.connect() as connection:
        stored = dict(connection.execute(select(Customer.external_id, Customer.name)).all())
        cities = dict(connection.execute(select(Customer.external_id, Customer.city)).all())
        names = dict(connection.execute(select(Person.external_id, Person.name)).all())
    assert stored == {"H001": "仁济 医院", "H002": "Ruijin Hospital (East)"}
    assert cities["H001"] == "上 海"
    assert names == {"R001": "张 伟", "R002": "Anna Li"}

    # The same file again is the same names: nothing counts as changed.
    again = import_file(engine=engine, kind="customers", path=_csv(tmp_path / "c2.csv", customers))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


class _Balance(HTMLParser):
    """Every tag closed in the order it was opened, and nothing left open at the end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"</{tag}> closes nothing open")

    def handle_data(self, data) -> None:
        self.text += data

    def handle_entityref(self, name) -> None:
        self.text += f"&{name};"


def balanced(part: str) -> _Balance:
    parser = _Balance()
    parser.feed(part)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"left open: {parser.stack}"
    assert "<" not in parser.text and ">" not in parser.text, "a tag was cut in two"
    return parser


def test_a_long_answer_of_bold_names_splits_between_lines_into_balanced_parts():
    text = "\n".join(f"{n}. <b>仁济医院 {n}</b> · <i>张伟</i> <a href='https://e.x/{n}'>卡片</a>" for n in range(200))
    assert len(text) > 10_000
    parts = split_message(text)
    assert len(parts) >= 3
    for part in parts:
        assert len(part) <= MESSAGE_LIMIT
        balanced(part)
    assert "\n".join(parts) == text  # cut only at line breaks: no line is broken


def test_a_line_longer_than_the_limit_is_cut_with_its_tags_closed_and_reopened():
    # One monster line (a note pasted by a rep): bold name, then a long italic quote with a link inside.
    line = "<b>仁济医院</b> <i>" + "长备注 &amp; 说明 " * 700 + "<a href='https://e.x/1'>" + "链接" * 300 + "</a></i>"
    text = "<b>上一行</b>\n" + line + "\n<code>next</code>"
    parts = split_message(text)
    assert len(parts) >= 3
    texts = []
    for part in parts:
        assert len(part) <= MESSAGE_LIMIT
        texts.append(balanced(part).text)
    # Nothing lost or invented: the visible text is the original's, apart from the cut points.
    assert "".join(texts).replace("\n", "") == balanced(text).text.replace("\n", "")
    # Every piece of the quote is still italic: the <i> is reopened after each cut.
    assert all(part.startswith("<i>") for part in parts[2:-1])


def test_multi_line_tags_are_closed_before_a_cut_and_reopened_after():
    text = "<blockquote expandable>" + "\n".join(f"<b>{n}</b> 行" for n in range(900)) + "</blockquote>\n尾"
    parts = split_message(text, limit=1000)
    assert len(parts) > 5
    for part in parts:
        assert len(part) <= 1000
        balanced(part)
    assert all(part.startswith("<blockquote expandable>") for part in parts[1:-1])


def test_entities_are_never_cut_and_short_texts_are_untouched():
    text = "&amp;" * 1000
    parts = split_message(text, limit=1002)
    assert all(part.startswith("&amp;") and part.endswith("&amp;") for part in parts)
    assert "".join(parts) == text
    assert split_message("<b>a</b>") == ["<b>a</b>"]
    # A plain monster line with spaces is cut after a space rather than inside a word.
    words = split_message("word " * 2000)
    assert all(len(part) <= MESSAGE_LIMIT for part in words)
    assert all(part.endswith("word ") for part in words[:-1])
