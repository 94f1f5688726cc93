"""Aliases: the names other systems write for our customers, confirmed once (a file or one at a time)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.importing import ImportFileError, import_file
from bot.importing.customer_names import AMBIGUOUS, CustomerNames
from bot.models import Customer, CustomerAlias
from bot.services.aliases import UnknownCustomer, list_aliases, remember_alias
from tests.test_import_database import load_team, write


def aliases(engine: Engine) -> dict[str, tuple[str, str]]:
    """{alias_key: (alias as written, customer external id)}."""
    alias, customer = CustomerAlias.__table__, Customer.__table__
    query = select(alias.c.alias_key, alias.c.alias, customer.c.external_id).join_from(alias, customer)
    with engine.connect() as connection:
        return {row[0]: (row[1], row[2]) for row in connection.execute(query)}


def matched(engine: Engine, names: list[str]) -> list[str | int]:
    with engine.connect() as connection:
        found = CustomerNames.load(connection).match(pd.Series(names, dtype=object))
        back = dict(connection.execute(select(Customer.id, Customer.external_id)).all())
    return [back.get(int(i), int(i)) for i in found]


def flow_aliases(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "aliases.csv", text)


def test_an_aliases_file_teaches_names_and_loading_it_again_changes_nothing(engine, tmp_path):
    load_team(engine)
    path = flow_aliases(
        tmp_path, "终端名称,客户编号\n上海第一人民医院（北部）,H001\n仁济东院,H002\n老百姓南京路店,P001\n"
    )

    first = import_file(engine=engine, kind="aliases", path=path)
    second = import_file(engine=engine, kind="aliases", path=path)

    assert first.ok and first.committed and (first.inserted, first.updated, first.rows_rejected) == (3, 0, 0)
    assert second.ok and not second.committed and (second.inserted, second.updated, second.unchanged) == (0, 0, 3)
    assert aliases(engine) == {
        "上海第一人民医院北部": ("上海第一人民医院（北部）", "H001"),
        "仁济东院": ("仁济东院", "H002"),
        "老百姓南京路店": ("老百姓南京路店", "P001"),
    }
    assert matched(engine, ["上海第一人民医院(北部)", "仁济 东院", "老百姓南京路店有限公司"]) == [
        "H001",
        "H002",
        "P001",
    ]


def test_english_headers_and_a_remapped_alias(engine, tmp_path):
    load_team(engine)
    import_file(engine=engine, kind="aliases", path=flow_aliases(tmp_path, "alias,customer_id\nRenji East,H001\n"))

    report = import_file(
        engine=engine, kind="aliases", path=write(tmp_path / "fix.csv", "Name,Customer\nRENJI EAST,H002\n")
    )

    assert report.ok and report.committed and (report.inserted, report.updated) == (0, 1)
    assert aliases(engine) == {"renjieast": ("RENJI EAST", "H002")}


def test_bad_alias_rows_are_reported_and_nothing_is_changed(engine, tmp_path):
    load_team(engine)
    path = flow_aliases(
        tmp_path,
        "别名,客户编号\n仁济东院,H002\n仁济东院,H001\n,H001\n某诊所,X999\n有限公司,C001\n一院,\n",
    )

    report = import_file(engine=engine, kind="aliases", path=path)

    assert [str(e) for e in report.rejected] == [
        "row 3, column 别名: '仁济东院' is the alias of row 2 too; each name may appear only once",
        "row 4, column 别名: is empty; a name as the other system writes it is required",
        "row 5, column 客户编号: 'X999' is not a known customer id; import the customers file first, or correct the id",
        "row 6, column 别名: '有限公司' has nothing left to match once brackets, punctuation and company words go",
        "row 7, column 客户编号: is empty; our customer id is required",
    ]
    assert not report.ok and not report.committed and report.rows_rejected == 5
    assert aliases(engine) == {}


def test_an_aliases_file_without_a_customer_column_is_refused(engine, tmp_path):
    with pytest.raises(ImportFileError, match="no column for"):
        import_file(engine=engine, kind="aliases", path=flow_aliases(tmp_path, "终端名称,金额\n仁济东院,100\n"))


def test_remember_alias_is_idempotent_says_when_it_remaps_and_decides_an_ambiguous_name(engine, tmp_path):
    load_team(engine)
    twin = write(tmp_path / "c.csv", "客户编号,客户名称\nH003,仁济医院\n")
    assert import_file(engine=engine, kind="customers", path=twin).ok
    assert matched(engine, ["仁济医院"]) == [AMBIGUOUS]

    first = remember_alias(engine=engine, alias="仁济医院", customer_external_id="H002")
    again = remember_alias(engine=engine, alias="仁济医院（有限公司）", customer_external_id="H002")
    assert (first.changed, first.previous_customer_external_id, again.changed) == (True, None, False)
    assert matched(engine, ["仁济医院"]) == ["H002"]

    moved = remember_alias(engine=engine, alias="仁济医院", customer_external_id="H003")
    assert (moved.changed, moved.previous_customer_external_id, moved.customer_external_id) == (True, "H002", "H003")
    assert matched(engine, ["仁济医院"]) == ["H003"]
    assert [(a.alias, a.customer_external_id, a.customer_name) for a in list_aliases(engine=engine)] == [
        ("仁济医院", "H003", "仁济医院")
    ]


def test_remember_alias_refuses_unknown_customers_and_empty_names(engine):
    load_team(engine)
    with pytest.raises(UnknownCustomer):
        remember_alias(engine=engine, alias="仁济东院", customer_external_id="X999")
    with pytest.raises(ValueError, match="nothing left"):
        remember_alias(engine=engine, alias="（有限公司）", customer_external_id="H001")
    assert aliases(engine) == {}


def test_tierbot_import_aliases(engine, database_url, tmp_path):
    from typer.testing import CliRunner

    from bot.cli import app

    load_team(engine)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    path = flow_aliases(tmp_path, "终端名称,客户编号\n仁济东院,H002\n")

    result = CliRunner().invoke(app, ["import", "aliases", str(path), "--lang", "en", "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:3] == ["Inserted 1, updated 0; 0 unchanged; 0 rejected.", "Done."]
    assert aliases(engine) == {"仁济东院": ("仁济东院", "H002")}
