"""Configuration: defaults, the example file, the environment, and clear errors for wrong values."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIERBOT_CONFIG", raising=False)
    settings = load_settings(None, environ={})
    assert settings.source == "built-in defaults"
    assert settings.database_url == "sqlite:///tierbot.db"
    assert (settings.cadence.A, settings.cadence.B, settings.cadence.C, settings.cadence.D) == (7, 14, 30, 90)
    assert settings.priority.daily_capacity == 8
    assert settings.pushes.daily_list_time == time(8, 30)


def test_the_example_file_is_valid_and_names_every_setting():
    example = ROOT / "config.example.toml"
    settings = load_settings(example, environ={})
    assert settings.model_dump(exclude={"source"}) == Settings().model_dump(exclude={"source"})
    sections = tomllib.loads(example.read_text(encoding="utf-8"))
    for name, field in Settings.model_fields.items():
        if name == "source":
            continue
        section = field.alias or name
        assert set(sections[section]) == set(field.annotation.model_fields), f"[{section}] keys differ from the model"


def test_lookup_order_option_then_env_then_local_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, '[team]\nlanguage = "en"\n')
    other = tmp_path / "other.toml"
    other.write_text('[team]\nlanguage = "zh-Hant"\n', encoding="utf-8")
    monkeypatch.delenv("TIERBOT_CONFIG", raising=False)
    assert load_settings(None).team.language == "en"
    monkeypatch.setenv("TIERBOT_CONFIG", str(other))
    assert load_settings(None).team.language == "zh-Hant"
    assert load_settings(tmp_path / "config.toml").team.language == "en"


def test_secrets_come_from_the_environment_and_never_show_in_repr(tmp_path):
    path = write(tmp_path, '[telegram]\ntoken = "file-token"\n')
    settings = load_settings(
        path, environ={"TIERBOT_TELEGRAM_TOKEN": "123:env-secret", "DATABASE_URL": "postgresql://u:pw@h/db"}
    )
    assert settings.telegram_token == "123:env-secret"
    assert settings.database_url == "postgresql://u:pw@h/db"
    assert "env-secret" not in repr(settings) and "pw@" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[cadence]\nA = 0\n", "[cadence.A] Input should be greater than or equal to 1"),
        ('[team]\ntimezone = "Mars/Olympus"\n', "[team.timezone] must be an IANA time zone"),
        ('[team]\ncountry = "XX"\n', "[team.country] must be an ISO 3166 country code"),
        ('[team]\nlanguage = "fr"\n', "[team.language] Input should be 'zh-Hans', 'zh-Hant' or 'en'"),
        ('[pushes]\ndaily_list_time = "8:30"\n', "[pushes.daily_list_time] must be a time of day as HH:MM"),
        ("[scoring]\nabc_a_share = 0.96\n", "[scoring] abc_a_share must be smaller than abc_b_share"),
        ('[database]\nurl = "mysql://x"\n', "[database.url] must be sqlite:///PATH or postgresql://"),
        ('[telegram]\nmode = "webhook"\n', "webhook_url must be an https:// address"),
        ('[telegram]\nwebhook_secret = "has spaces"\n', "[telegram.webhook_secret] must be 1-256 characters"),
        ("[cadense]\nA = 7\n", "[cadense] unknown key"),
        ("[cadence]\nE = 7\n", "[cadence.E] unknown key"),
        ("[priority]\ntier_weights = { A = 1 }\n", "[priority.tier_weights] must give a non-negative weight"),
        ("[cadence\n", "not valid TOML"),
    ],
)
def test_a_wrong_value_fails_fast_naming_file_key_and_what_is_allowed(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    message = str(error.value)
    assert message.startswith(str(path))
    assert expected in message


def test_a_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_nothing_is_built_at_import_time(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import gc, importlib, pkgutil, bot, handlers, scoring\n"
        "for package in (bot, handlers, scoring):\n"
        "    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(module.name)\n"
        "from sqlalchemy.engine import Engine\n"
        "from telegram.ext import Application\n"
        "from bot.config import Settings\n"
        "print(sum(isinstance(o, (Engine, Application, Settings)) for o in gc.get_objects()))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    # No engine, application or settings object exists, and no database file was created.
    assert result.stdout.strip() == "0"
    assert list(tmp_path.iterdir()) == []


def test_push_times_are_times_of_day_written_as_hh_mm(tmp_path):
    path = write(tmp_path, '[pushes]\ndaily_list_time = "07:45"\nscoring_time = "23:59"\n')
    pushes = load_settings(path, environ={}).pushes
    assert (pushes.daily_list_time, pushes.scoring_time, pushes.digest_time) == (time(7, 45), time(23, 59), time(9))
    # A copy of the settings (as tests and the invite handler make) validates the times again.
    assert Settings.model_validate(Settings().model_dump()).pushes == Settings().pushes
    with pytest.raises(ConfigError, match=r"\[pushes.digest_time\] must be a time of day as HH:MM"):
        load_settings(write(tmp_path, "[pushes]\ndigest_time = 900\n"), environ={})
