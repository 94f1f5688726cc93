"""Tierbot's settings: one TOML file, validated, with secrets from the environment.

Lookup order for the file: the ``--config`` option, then ``$TIERBOT_CONFIG``, then ``./config.toml``,
then the built-in defaults. ``TIERBOT_TELEGRAM_TOKEN`` and ``DATABASE_URL`` override the file so
that secrets need not be written into it. Nothing here runs at import time.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.logline.outcomes import OUTCOMES as BUILT_IN_OUTCOMES
from bot.logline.outcomes import OutcomeWords, outcome_words

TIERS = ("A", "B", "C", "D")
LANGUAGES = ("zh-Hans", "zh-Hant", "en")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(Exception):
    """A configuration value is missing or not allowed; the message names the file and the key."""


class _Section(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _time_of_day(value: object) -> time:
    """A time of day from the config's "HH:MM" (a time passes through, as when settings are copied)."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError("must be a time of day as HH:MM (24-hour clock), for example 08:30")
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class TelegramSettings(_Section):
    token: SecretStr = SecretStr("")
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr = SecretStr("")
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    bot_username: str = ""

    @field_validator("api_base_url", "file_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_chars(cls, value: SecretStr) -> SecretStr:
        # Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - in X-Telegram-Bot-Api-Secret-Token.
        raw = value.get_secret_value()
        if raw and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", raw):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> TelegramSettings:
        if self.mode == "webhook":
            if not self.webhook_url.startswith("https://"):
                raise ValueError("webhook_url must be an https:// address when mode = 'webhook'")
            if not self.webhook_secret.get_secret_value():
                raise ValueError("webhook_secret must be set when mode = 'webhook'")
        return self


class DatabaseSettings(_Section):
    url: SecretStr = SecretStr("sqlite:///tierbot.db")

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if not raw.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("must be sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB")
        return value


class TeamSettings(_Section):
    timezone: str = "Asia/Shanghai"
    country: str = "CN"
    language: Literal["zh-Hans", "zh-Hant", "en"] = "zh-Hans"
    currency_symbol: str = "¥"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Asia/Shanghai or Europe/Berlin") from None
        return value

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value.upper() not in holidays.list_supported_countries():
            raise ValueError("must be an ISO 3166 country code with a holiday calendar, such as CN or US")
        return value.upper()


class ScoringSettings(_Section):
    window_days: int = Field(365, ge=30, le=3650)
    abc_a_share: float = Field(0.80, gt=0, lt=1)
    abc_b_share: float = Field(0.95, gt=0, le=1)
    new_customer_days: int = Field(90, ge=1)
    at_risk_factor: float = Field(2.0, ge=1)
    at_risk_min_days: int = Field(30, ge=1)
    lost_days: int = Field(365, ge=30)
    rfm_weights: tuple[float, float, float] = (0.2, 0.3, 0.5)
    potential_high_score: int = Field(5, ge=1, le=5)
    potential_low_score: int = Field(2, ge=1, le=5)
    # Potential score (1-5) at or above which a customer buying little or nothing yet (never bought, or
    # 12-month revenue in ABC class C) is tier B, a development target (see config.example.toml).
    development_potential_score: int = Field(4, ge=1, le=5)
    low_value_score: float = Field(0.25, ge=0, le=1)
    growth_trend: float = Field(0.2, gt=0)
    # 12-month revenue at least this fraction below the previous 12 months: "declining" (the card's mark).
    declining_trend: float = Field(0.2, gt=0, lt=1)
    hysteresis_margin: float = Field(0.05, ge=0, lt=0.5)
    prediction_days: int = Field(90, ge=7)
    clv_months: int = Field(12, ge=1, le=120)
    annual_discount_rate: float = Field(0.10, ge=0, lt=1)
    # Snapshot retention (issue 15): runs stay whole this many days; older ones keep only the changes.
    # At least a week: the weekly digest compares with the run of a week ago.
    snapshot_retention_days: int = Field(14, ge=7, le=3650)

    @model_validator(mode="after")
    def _shares_in_order(self) -> ScoringSettings:
        if not self.abc_a_share < self.abc_b_share:
            raise ValueError("abc_a_share must be smaller than abc_b_share")
        if not self.potential_low_score < self.potential_high_score:
            raise ValueError("potential_low_score must be smaller than potential_high_score")
        if any(w < 0 for w in self.rfm_weights) or sum(self.rfm_weights) <= 0:
            raise ValueError("rfm_weights must be three non-negative numbers that do not all equal 0")
        return self


class CadenceSettings(_Section):
    """Target days between contacts per tier, as in a pharma call-cycle plan."""

    A: int = Field(7, ge=1, le=365)
    B: int = Field(14, ge=1, le=365)
    C: int = Field(30, ge=1, le=365)
    D: int = Field(90, ge=1, le=730)

    def days(self, tier: str) -> int:
        return int(getattr(self, tier))


class PrioritySettings(_Section):
    tier_weights: dict[str, float] = Field(default_factory=lambda: {"A": 4.0, "B": 3.0, "C": 2.0, "D": 1.0})
    at_risk_boost: float = Field(1.5, ge=0)
    downgraded_boost: float = Field(1.0, ge=0)
    new_customer_boost: float = Field(0.5, ge=0)
    daily_capacity: int = Field(8, ge=1, le=50)
    under_reached_margin: float = Field(0.10, ge=0, le=1)
    over_reached_margin: float = Field(0.10, ge=0, le=1)

    @field_validator("tier_weights")
    @classmethod
    def _every_tier(cls, value: dict[str, float]) -> dict[str, float]:
        if sorted(value) != list(TIERS) or any(w < 0 for w in value.values()):
            raise ValueError("must give a non-negative weight for each of A, B, C and D")
        return value


# Service by tier (issue 13 §3): the ways a customer can be served; a contact's outcome maps to one of them.
PLAYBOOK_CHANNELS = ("visit", "phone", "wechat", "email")


class TierPlaybookSettings(_Section):
    """How one tier is served: the channels that count as serving it, and the action in zh and en."""

    channels: list[Literal["visit", "phone", "wechat", "email"]] = Field(min_length=1)
    # The action as a rep reads it; left out, the built-in text of the tier (zh-Hant is converted from zh).
    zh: str | None = Field(None, min_length=1, max_length=40)
    en: str | None = Field(None, min_length=1, max_length=80)


# The built-in playbook, as in a pharma call plan; a tier given without zh or en keeps these texts.
DEFAULT_PLAYBOOK = {
    "A": TierPlaybookSettings(
        channels=["visit"], zh="拜访主任/科室会", en="visit the head of department / department meeting"
    ),
    "B": TierPlaybookSettings(channels=["visit"], zh="送样/学术资料", en="samples / academic material"),
    "C": TierPlaybookSettings(channels=["visit"], zh="常规拜访", en="routine visit"),
    "D": TierPlaybookSettings(channels=["phone", "wechat"], zh="电话/微信", en="phone / WeChat"),
}


class PlaybookSettings(_Section):
    """[playbook]: each tier's service (差异化服务), shown on /today lines and the card, counted in /team."""

    A: TierPlaybookSettings = DEFAULT_PLAYBOOK["A"]
    B: TierPlaybookSettings = DEFAULT_PLAYBOOK["B"]
    C: TierPlaybookSettings = DEFAULT_PLAYBOOK["C"]
    D: TierPlaybookSettings = DEFAULT_PLAYBOOK["D"]

    def of(self, tier: str) -> TierPlaybookSettings:
        return getattr(self, tier)


class PushSettings(_Section):
    # Times of day, local to each member (scoring: to the team); written "08:30" in the config file.
    daily_list_time: time = time(8, 30)
    followup_nudge_time: time = time(16, 0)
    digest_weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    digest_time: time = time(9, 0)
    scoring_time: time = time(2, 0)
    # A morning list missed while the bot was down is still sent until this local time, never later.
    daily_list_catch_up_until: time = time(12, 0)
    # Messages per second the Bot API allows the whole bot (Telegram: about 30; a local Bot API server
    # may allow more). The pushes pace themselves at pace_share of it, leaving the rest for replies.
    rate_limit_per_second: float = Field(30.0, gt=0, le=1000)
    pace_share: float = Field(0.95, gt=0, le=1)
    # A push claimed by an instance that died before sending is taken over after this many seconds.
    claim_lease_seconds: int = Field(120, ge=1, le=3600)

    @field_validator(
        "daily_list_time",
        "followup_nudge_time",
        "digest_time",
        "scoring_time",
        "daily_list_catch_up_until",
        mode="before",
    )
    @classmethod
    def _times_of_day(cls, value: object) -> time:
        return _time_of_day(value)

    @model_validator(mode="before")
    @classmethod
    def _pace_from_earlier_files(cls, values: Any) -> Any:
        """Config files written before rate_limit_per_second set the pace itself: keep that pace."""
        if isinstance(values, dict) and "global_rate_per_second" in values:
            values = dict(values)
            pace = float(values.pop("global_rate_per_second"))
            limit = float(values.get("rate_limit_per_second", cls.model_fields["rate_limit_per_second"].default))
            if pace > limit:
                raise ValueError(f"global_rate_per_second ({pace:g}) is above rate_limit_per_second ({limit:g})")
            values.setdefault("pace_share", pace / limit)
        return values

    @property
    def pace_per_second(self) -> float:
        """How many pushes a second the bot sends: pace_share of the Bot API's limit."""
        return self.pace_share * self.rate_limit_per_second

    @staticmethod
    def parse_time(value: str) -> time:
        """A member's own push time, stored as "HH:MM" in the person table."""
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))


class InviteSettings(_Section):
    ttl_hours: int = Field(72, ge=1, le=24 * 30)


class CacheSettings(_Section):
    """The answer cache: answers kept in memory between updates (bot.cache, bot.changes)."""

    # Writes by another process (a second webhook instance, `tierbot import`/`score`) show within this.
    feed_interval_seconds: float = Field(1.0, ge=0, le=60)
    # Every kept answer is recomputed after this long; 0 keeps nothing (every update asks the database).
    max_age_seconds: float = Field(300.0, ge=0, le=86_400)


class ImportSettings(_Section):
    """Bounds on the files an import reads ([import] in the config file)."""

    # A sale dated more than this many days after today is a bad row (exports from a zone ahead of ours).
    future_days: int = Field(1, ge=0, le=366)

    # A workbook is a zip: a small file can unpack to gigabytes. CSV has no such limits.
    xlsx_max_inflated_mb: int = Field(500, ge=1, le=100_000)
    # openpyxl holds the whole shared-text table in memory, about 100 bytes per text.
    xlsx_max_shared_strings_mb: int = Field(100, ge=1, le=10_000)
    xlsx_max_shared_strings: int = Field(2_000_000, ge=1_000, le=100_000_000)
    # A file sent to the bot is read in a child process with this much address space; a hostile
    # file can exhaust only that process.
    upload_memory_mb: int = Field(2048, ge=256, le=65_536)


class OutcomeSettings(_Section):
    """The outcomes a team's reps log ([outcomes] in the config file): which, in what order, and its own words."""

    # Built-in codes, in the order of the guided flow's buttons; the default offers all of them.
    offered: tuple[str, ...] = BUILT_IN_OUTCOMES
    # More words (zh or en) for an offered outcome, e.g. { sample = ["带样品"] }.
    words: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("offered")
    @classmethod
    def _known_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [code for code in value if code not in BUILT_IN_OUTCOMES]
        if unknown:
            raise ValueError(f"unknown outcome {unknown[0]!r}; the outcomes are {', '.join(BUILT_IN_OUTCOMES)}")
        if len(value) < 2 or len(set(value)) != len(value):
            raise ValueError("must name at least two outcomes, each once")
        return value

    @model_validator(mode="after")
    def _words_of_offered(self) -> OutcomeSettings:
        for code, words in self.words.items():
            if code not in self.offered:
                raise ValueError(f"words.{code}: {code!r} is not one of the offered outcomes")
            if not all(word.strip() for word in words):
                raise ValueError(f"words.{code}: a word must not be empty")
        return self

    def vocabulary(self) -> OutcomeWords:
        """The words a /log line is read with: the offered outcomes' built-in words and the team's own."""
        return outcome_words(self.offered, self.words)


class Settings(_Section):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    team: TeamSettings = TeamSettings()
    scoring: ScoringSettings = ScoringSettings()
    cadence: CadenceSettings = CadenceSettings()
    priority: PrioritySettings = PrioritySettings()
    playbook: PlaybookSettings = PlaybookSettings()
    pushes: PushSettings = PushSettings()
    invites: InviteSettings = InviteSettings()
    cache: CacheSettings = CacheSettings()
    outcomes: OutcomeSettings = OutcomeSettings()
    imports: ImportSettings = Field(ImportSettings(), alias="import")  # `import` is a Python keyword
    source: str = Field("built-in defaults", exclude=True)

    @property
    def database_url(self) -> str:
        return self.database.url.get_secret_value()

    @property
    def telegram_token(self) -> str:
        return self.telegram.token.get_secret_value()


def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """Return the config file to read, or None for the built-in defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    from_env = os.environ.get("TIERBOT_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(f"{path}: config file named by TIERBOT_CONFIG not found")
        return path
    local = Path("config.toml")
    return local if local.is_file() else None


def load_settings(explicit: str | os.PathLike[str] | None = None, *, environ: dict[str, str] | None = None) -> Settings:
    """Read, merge with the environment, and validate the settings; raise ConfigError on any bad value."""
    env = os.environ if environ is None else environ
    path = resolve_config_path(explicit)
    data: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if env.get("TIERBOT_TELEGRAM_TOKEN"):
        data.setdefault("telegram", {})["token"] = env["TIERBOT_TELEGRAM_TOKEN"]
    if env.get("DATABASE_URL"):
        data.setdefault("database", {})["url"] = env["DATABASE_URL"]
    try:
        return Settings.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise ConfigError(_describe(source, exc)) from None


def _describe(source: str, exc: ValidationError) -> str:
    lines = [f"{source}: invalid configuration"]
    for error in exc.errors(include_input=False, include_url=False):
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (see config.example.toml for the allowed keys)"
        lines.append(f"  [{key}] {message}")
    return "\n".join(lines)
