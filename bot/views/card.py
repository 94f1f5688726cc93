"""The customer card: tier and stage with the reason, tier history, last contacts, open follow-ups."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, escape, t
from bot.services.customers import CustomerCard
from bot.services.playbook import TierPlaybook
from bot.services.tiers import CustomerTier, TierMove
from bot.views import callbacks
from bot.views.challenges import card_override_line, challenge_row, feedback_lines
from bot.views.common import day, keyboard, money, percent, reasons_text, shorten
from bot.views.playbook import playbook_line

# Reasons that only state a figure of the facts line: the card says each figure once.
_FACT_CODES = frozenset({"revenue", "orders", "last_order", "no_recent_orders"})
_AMOUNT_CODES = frozenset({"top_value", "solid_value", "low_value"})


def _stage(lang: str, tier: CustomerTier) -> Markup:
    """The lifecycle stage, with the declining mark when revenue fell past the declining line."""
    stage = t(lang, f"stage.{tier.stage}")
    if tier.trend_label == "declining" and tier.trend is not None:
        stage = Markup(stage + t(lang, "card.declining", pct=round(abs(tier.trend) * 100)))
    return stage


def _reasons_and_facts(lang: str, tier: CustomerTier, currency: str) -> list[Markup]:
    """Why the tier, then the 12-month figures the reasons did not already state."""
    judged = [(code, params) for code, params in tier.reasons if code not in _FACT_CODES]
    if not judged:
        return [reasons_text(lang, tier.reasons, currency)]
    last = t(lang, "never") if tier.recency_days is None else t(lang, "days_ago", days=int(tier.recency_days))
    if {code for code, _ in judged} & _AMOUNT_CODES:
        facts = t(lang, "card.facts_no_amount", orders=tier.frequency, last=last)
    else:
        facts = t(lang, "card.facts", amount=money(lang, tier.monetary, currency), orders=tier.frequency, last=last)
    return [reasons_text(lang, judged, currency), facts]


def _history(lang: str, history: list[TierMove], currency: str) -> list[Markup]:
    """Each change of tier with its day and why; nothing when the tier never changed."""
    if not history:
        return []
    lines = [t(lang, "card.history_title")]
    for move in history:
        when = {"date": day(lang, move.as_of), "before": move.before, "after": move.after}
        if move.reasons:
            lines.append(t(lang, "card.history_move", reasons=reasons_text(lang, move.reasons, currency), **when))
        else:
            lines.append(t(lang, "card.history_move_bare", **when))
    return lines


def render_card(
    lang: str, card: CustomerCard, currency: str, playbook: TierPlaybook | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    place = " ".join(part for part in (card.city, card.district) if part) or "–"
    lines: list[str] = [t(lang, "card.title", name=card.name, kind=t(lang, f"kind.{card.kind}"), place=place)]
    if card.rep_name:
        lines.append(t(lang, "card.rep", rep=card.rep_name))
    tier = card.tier
    if tier is None:
        lines.append(t(lang, "card.unscored"))
    else:
        lines.append(
            t(
                lang,
                "card.tier",
                tier=tier.tier,
                tier_name=t(lang, f"tier.{tier.tier}"),
                stage=_stage(lang, tier),
            )
        )
        if tier.override is not None:
            lines.append(card_override_line(lang, tier.tier, tier.override))
        lines += _reasons_and_facts(lang, tier, currency)
        if tier.r_score and tier.f_score and tier.m_score:
            lines.append(t(lang, "card.rfm", r=tier.r_score, f=tier.f_score, m=tier.m_score))
        if tier.p_alive is not None and tier.stage != "prospect":
            lines.append(
                t(
                    lang,
                    "card.predict_horizon",
                    p_alive=percent(tier.p_alive),
                    days=tier.prediction_days,
                    expected=f"{tier.expected_purchases or 0:.1f}",
                    months=tier.clv_months,
                    clv=money(lang, tier.clv, currency),
                )
            )
        lines += _history(lang, card.history, currency)
    if playbook is not None:  # service by tier (issue 13 §3)
        lines.append(playbook_line(lang, playbook))
    lines += feedback_lines(lang, card.feedback)
    lines.append("")
    lines.append(t(lang, "card.contacts"))
    if not card.contacts:
        lines.append(t(lang, "card.no_contacts"))
    for contact in card.contacts:
        note = Markup(f" — {escape(shorten(contact.note, 60))}") if contact.note else ""
        lines.append(
            t(
                lang,
                "card.contact_line",
                date=day(lang, contact.day),
                outcome=t(lang, f"outcome.{contact.outcome}"),
                who=contact.who,
                note=note,
            )
        )
    if card.follow_ups:
        lines.append(t(lang, "card.followups"))
        for due_on, note_text in card.follow_ups:
            note = Markup(f" — {escape(shorten(note_text, 60))}") if note_text else ""
            lines.append(t(lang, "card.followup_line", date=day(lang, due_on), note=note))
    buttons = keyboard([[(t(lang, "btn.log"), callbacks.LOG.data(card.customer_id))], challenge_row(lang, card)])
    return "\n".join(lines), buttons
