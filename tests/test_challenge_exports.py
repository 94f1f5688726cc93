"""Challenges are stored with who, when and why, exported by `tierbot export challenges` (no live formulas),
and an approved override shows in the tiers export beside the model's tier."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import openpyxl
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.services.challenges import decide_challenge, submit_challenge
from bot.services.people import member_by_person_id
from bot.views.exports import export_table
from tests.team_fixture import TZ, build_team

HOSTILE = '=HYPERLINK("http://evil.example","x")'
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _challenged_team(engine):
    team = build_team(engine)
    rep = member_by_person_id(engine=engine, person_id=team.rep)
    manager = member_by_person_id(engine=engine, person_id=team.manager)
    first = submit_challenge(engine=engine, member=rep, customer_id=team.huashan, kind="tier", proposed="A",
                             reason="新主任上任", now=NOW, tz=TZ)  # fmt: skip
    decide_challenge(
        engine=engine, member=manager, challenge_id=first.challenge.id, approve=True, days=90, now=NOW, tz=TZ
    )
    second = submit_challenge(engine=engine, member=rep, customer_id=team.ruijin, kind="potential", proposed="5",
                              reason=HOSTILE, now=NOW, tz=TZ)  # fmt: skip
    decide_challenge(engine=engine, member=manager, challenge_id=second.challenge.id, approve=False, note="+1+1",
                     now=NOW, tz=TZ)  # fmt: skip
    return team


def test_challenges_export_says_who_when_why_and_quotes_formulas(engine, tmp_path):
    _challenged_team(engine)
    settings = Settings.model_validate({"team": {"timezone": TZ}})
    path = tmp_path / "challenges.xlsx"
    assert export_table(engine=engine, settings=settings, kind="challenges", path=path, file_format="xlsx",
                        headers="fields") == 2  # fmt: skip
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type != "f" for row in sheet.iter_rows(min_row=2) for cell in row)
    first, second = rows
    assert {k: first[k] for k in ("created_at", "customer_id", "customer", "challenger_id", "challenger",
                                  "challenge_kind", "proposed", "model_tier", "challenge_reason", "status",
                                  "automatic", "decided_by_id", "decided_by", "decided_at", "until")} == {
        "created_at": "2026-11-23 10:00", "customer_id": "C3", "customer": "华山医院", "challenger_id": "R1",
        "challenger": "李代表", "challenge_kind": "tier", "proposed": "A", "model_tier": "C",
        "challenge_reason": "新主任上任", "status": "approved", "automatic": False, "decided_by_id": "M1",
        "decided_by": "张经理", "decided_at": "2026-11-23 10:00", "until": "2027-02-21",
    }  # fmt: skip
    assert (second["challenge_kind"], second["proposed"], second["status"]) == ("potential", "5", "rejected")
    assert (second["challenge_reason"], second["decision_note"]) == ("'" + HOSTILE, "'+1+1")


def test_the_cli_exports_challenges_with_headers_in_the_teams_language(engine, database_url, tmp_path):
    _challenged_team(engine)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n\n[team]\nlanguage = "zh-Hans"\ntimezone = "{TZ}"\n')
    result = CliRunner().invoke(
        app, ["export", "challenges", "-o", str(tmp_path / "k.csv"), "--config", str(config)],
        env={"DATABASE_URL": database_url, "TIERBOT_CONFIG": None},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with (tmp_path / "k.csv").open(encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 2
    assert {"申诉人", "申诉理由", "审批人", "审批时间", "审批说明", "审批有效至"} <= set(records[0])
    assert records[1]["申诉理由"] == "'" + HOSTILE


def test_the_tiers_export_shows_the_override_beside_the_models_tier(engine, tmp_path):
    team = _challenged_team(engine)
    del team
    path = tmp_path / "tiers.csv"
    export_table(engine=engine, settings=Settings(), kind="tiers", path=path, file_format="csv", headers="fields")
    with path.open(encoding="utf-8-sig") as handle:
        records = {r["customer"]: r for r in csv.DictReader(handle)}
    huashan = records["华山医院"]
    assert (huashan["tier"], huashan["model_tier"], huashan["override"]) == (
        "A", "C", "A（经理审批，模型为 C，至 2月21日）"
    )  # fmt: skip
    english = tmp_path / "tiers_en.csv"
    export_table(engine=engine, settings=Settings.model_validate({"team": {"language": "en"}}), kind="tiers",
                 path=english, file_format="csv", headers="fields")  # fmt: skip
    with english.open(encoding="utf-8-sig") as handle:
        rows = {r["customer"]: r for r in csv.DictReader(handle)}
    assert rows["华山医院"]["override"] == "A (manager-approved, model says C, until 21 Feb)"
    assert (records["瑞金医院"]["tier"], records["瑞金医院"]["override"]) == ("B", "")
