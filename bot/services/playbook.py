"""Service by tier (差异化服务, issue 13 §3): each tier's playbook and whether a contact followed it.

The playbook comes from ``[playbook]`` in the config (bot.config.PlaybookSettings): per tier, the channels
that serve it and the action a rep reads (zh and en). /today and the customer card show the action as a
hint; /team counts coverage by channel with ``follows_playbook`` (a D customer called counts as served).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import DEFAULT_PLAYBOOK, TIERS, Settings
from bot.logline.outcomes import CHANNEL_OF_OUTCOME


@dataclass(frozen=True)
class TierPlaybook:
    """One tier's service: the channels that serve it and the action, in Simplified Chinese and English."""

    tier: str
    channels: tuple[str, ...]
    action_zh: str
    action_en: str


def playbook_for(settings: Settings, tier: str | None) -> TierPlaybook | None:
    """The playbook of a tier (A-D) as configured; None for a customer with no tier (never scored)."""
    if tier not in TIERS:
        return None
    configured = settings.playbook.of(tier)
    built_in = DEFAULT_PLAYBOOK[tier]
    return TierPlaybook(
        tier=tier,
        channels=tuple(configured.channels),
        action_zh=configured.zh or built_in.zh or "",
        action_en=configured.en or built_in.en or "",
    )


def channel_of(outcome: str | None) -> str | None:
    """The channel a contact of this outcome went through (visit, phone, wechat, email), None when unknown."""
    return CHANNEL_OF_OUTCOME.get(outcome or "")


def follows_playbook(settings: Settings, tier: str | None, outcome: str | None) -> bool:
    """Whether a contact with this outcome served a customer of this tier through one of its channels."""
    playbook = playbook_for(settings, tier)
    channel = channel_of(outcome)
    return playbook is not None and channel is not None and channel in playbook.channels
