"""The customer card: tier and stage with the reason, tier history, last contacts, open follow-ups."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, escape, t
from bot.services.customers import CustomerCard
from bot.views import callbacks
from bot.views.challenges import card_override_line, challenge_row, feedback_lines
from bot.views.common import day, keyboard, money, percent, reasons_text, shorten


def render_card(lang: str, card: CustomerCard, currency: str) -> tuple[str, InlineKeyboardMarkup | None]:
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
                stage=t(lang, f"stage.{tier.stage}"),
            )
        )
        if tier.override is not None:
            lines.append(card_override_line(lang, tier.tier, tier.override))
        lines.append(reasons_text(lang, tier.reasons, currency))
        # Value customers' reasons already state revenue, orders and recency; others get the facts too.
        if not {code for code, _ in tier.reasons} & {"top_value", "solid_value"}:
            last = t(lang, "never") if tier.recency_days is None else t(lang, "days_ago", days=int(tier.recency_days))
            lines.append(
                t(lang, "card.facts", amount=money(lang, tier.monetary, currency), orders=tier.frequency, last=last)
            )
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
        if len(card.history) > 1:
            history = " ← ".join(f"{entry_tier}" for _, entry_tier, _ in card.history)
            lines.append(t(lang, "card.history", history=history))
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
