"""Challenges in words and buttons: the request a manager decides, the outcome a rep is told, the override label."""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from telegram import InlineKeyboardMarkup

from bot.i18n import Markup, babel_locale, t, text_of
from bot.services.challenges import DAY_CHOICES, Challenge, Submitted
from bot.services.feedback import ContactFeedback
from bot.services.overrides import TierOverride
from bot.views import callbacks
from bot.views.common import day, keyboard, shorten

POTENTIALS = ("1", "2", "3", "4", "5")


def short_day(lang: str, value: date) -> str:
    """Day and month only: 3月1日, 1 Mar."""
    return format_skeleton("MMMd", value, locale=babel_locale(lang))


def override_label(lang: str, tier: str, override: TierOverride) -> Markup:
    """`A（经理审批，模型为 B，至 3月1日）` / `A (manager-approved, model says B, until 1 Mar)`."""
    key = "challenge.label_auto" if override.automatic else "challenge.label"
    label = t(lang, key, tier=tier, model=override.model_tier, until=short_day(lang, override.until))
    if override.kind == "potential" and override.potential is not None:
        return t(lang, "challenge.label_potential", label=label, potential=override.potential)
    return label


def card_override_line(lang: str, tier: str, override: TierOverride) -> Markup:
    """The card's line under the tier: the override and the rep's reason."""
    return t(
        lang, "challenge.card_line", label=override_label(lang, tier, override), reason=shorten(override.reason, 80)
    )


def proposal(lang: str, challenge: Challenge) -> Markup:
    """`C → A`, or `潜力 3 → 5` / `potential 3 → 5` (– when the model had none)."""
    if challenge.kind == "tier":
        return t(lang, "challenge.proposal_tier", model=challenge.model_tier or "–", proposed=challenge.proposed)
    model = "–" if challenge.model_potential is None else f"{challenge.model_potential:.0f}"
    return t(lang, "challenge.proposal_potential", model=model, proposed=challenge.proposed)


def outcome_label(lang: str, challenge: Challenge) -> Markup:
    """What an approved challenge shows: the tier label, or the potential with its label."""
    assert challenge.until is not None
    until = short_day(lang, challenge.until)
    if challenge.kind == "potential":
        return t(lang, "challenge.approved_potential", potential=challenge.proposed, until=until)
    key = "challenge.label_auto" if challenge.automatic else "challenge.label"
    return t(lang, key, tier=challenge.proposed, model=challenge.model_tier or "–", until=until)


def decision_buttons(lang: str, challenge_id: int) -> InlineKeyboardMarkup | None:
    """Approve for 30 / 90 / 180 days in one tap, or reject."""
    approve = [(t(lang, "btn.challenge_approve", days=days), callbacks.approve_challenge(challenge_id, days))
               for days in DAY_CHOICES]  # fmt: skip
    return keyboard([approve, [(t(lang, "btn.challenge_reject"), callbacks.REJECT_CHALLENGE.data(challenge_id))]])


def request_text(lang: str, challenge: Challenge) -> Markup:
    """The message a manager gets: who proposes what for whom, and why."""
    return t(
        lang,
        "challenge.request",
        rep=challenge.challenger.name,
        name=challenge.customer_name,
        proposal=proposal(lang, challenge),
        reason=challenge.reason,
    )


def basis_text(lang: str, submitted: Submitted) -> Markup:
    challenge = submitted.challenge
    if challenge.basis == "order" and submitted.order_day is not None:
        return t(lang, "challenge.basis.order", date=day(lang, submitted.order_day))
    return t(lang, "challenge.basis.margin", tier=challenge.proposed)


def submitted_text(lang: str, submitted: Submitted) -> Markup:
    """What the rep is told once the challenge is stored."""
    challenge = submitted.challenge
    if challenge.automatic:
        return t(
            lang,
            "challenge.auto",
            name=challenge.customer_name,
            label=outcome_label(lang, challenge),
            basis=basis_text(lang, submitted),
        )
    names = (
        "、".join(d.name for d in submitted.deciders)
        if lang.startswith("zh")
        else ", ".join(d.name for d in submitted.deciders)
    )
    key = "challenge.sent" if submitted.deciders else "challenge.sent_nobody"
    return t(lang, key, name=challenge.customer_name, proposal=proposal(lang, challenge), deciders=names)


def auto_notice(lang: str, submitted: Submitted) -> Markup:
    """What the deciders are told of a challenge approved automatically (no buttons: nothing to decide)."""
    challenge = submitted.challenge
    return t(
        lang,
        "challenge.auto_notice",
        rep=challenge.challenger.name,
        name=challenge.customer_name,
        label=outcome_label(lang, challenge),
        basis=basis_text(lang, submitted),
        reason=challenge.reason,
    )


def decided_text(lang: str, challenge: Challenge, *, for_rep: bool) -> Markup:
    """The outcome, for the manager's message (for_rep False) or the rep's."""
    if challenge.status == "approved":
        key = "challenge.approved_rep" if for_rep else "challenge.approved"
        return t(lang, key, decider=challenge.decided_by or "", name=challenge.customer_name,
                 label=outcome_label(lang, challenge), reason=challenge.reason)  # fmt: skip
    note = t(lang, "challenge.note", note=challenge.decision_note) if challenge.decision_note else ""
    key = "challenge.rejected_rep" if for_rep else "challenge.rejected"
    return t(lang, key, decider=challenge.decided_by or "", name=challenge.customer_name,
             proposal=proposal(lang, challenge), note=note)  # fmt: skip


def already_decided(lang: str, challenge: Challenge) -> Markup:
    return t(
        lang,
        "challenge.already_decided",
        name=challenge.customer_name,
        decider=challenge.decided_by or t(lang, "challenge.by_data"),
        status=t(lang, f"challenge.status.{challenge.status}"),
    )


def pick_proposal(
    lang: str, customer_id: int, name: str, tier: str | None
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    """The card's challenge button: pick the tier or the potential to propose."""
    tiers = [(letter, callbacks.challenge_pick(customer_id, letter)) for letter in "ABCD" if letter != tier]
    potentials = [(t(lang, "btn.challenge_potential", potential=p), callbacks.challenge_pick(customer_id, f"p{p}"))
                  for p in POTENTIALS]  # fmt: skip
    return t(lang, "challenge.pick", name=name, tier=tier or "–"), keyboard([tiers, potentials])


def pending_list(lang: str, challenges: list[Challenge], total: int, *, may_decide: bool):
    """/challenges: pending challenges, with one-tap decisions for those who decide."""
    if not challenges:
        return t(lang, "challenge.list_empty"), None
    lines = [t(lang, "challenge.list_title", count=total)]
    rows = []
    for number, challenge in enumerate(challenges, start=1):
        lines.append(
            t(
                lang,
                "challenge.list_line",
                n=number,
                name=shorten(challenge.customer_name),
                proposal=proposal(lang, challenge),
                rep=shorten(challenge.challenger.name, 20),
                date=day(lang, challenge.created_at.date()),
                reason=shorten(challenge.reason, 80),
            )
        )
        if may_decide:
            rows.append(
                [
                    (t(lang, "btn.challenge_approve_n", n=number, days=DAY_CHOICES[1]),
                     callbacks.approve_challenge(challenge.id, DAY_CHOICES[1])),
                    (t(lang, "btn.challenge_reject_n", n=number), callbacks.REJECT_CHALLENGE.data(challenge.id)),
                ]
            )  # fmt: skip
    if total > len(challenges):
        lines.append(t(lang, "challenge.list_more", count=total - len(challenges)))
    return "\n".join(lines), keyboard(rows)


def challenge_row(lang: str, card) -> list[tuple[str, str]]:
    """The card's challenge button, for a scored customer."""
    return [] if card.tier is None else [(t(lang, "btn.challenge"), callbacks.CHALLENGE.data(card.customer_id))]


def feedback_lines(lang: str, feedback: ContactFeedback) -> list[Markup]:
    """The card's lines on what logged contacts say: an order awaiting the sales file, contacts getting nowhere."""
    lines = []
    if feedback.chat_order_on is not None:
        lines.append(t(lang, "feedback.chat_order", date=day(lang, feedback.chat_order_on)))
    if feedback.no_progress:
        lines.append(t(lang, "feedback.no_progress", count=feedback.no_progress))
    return lines


def override_cell(
    lang: str, tier: str, model_tier: str | None, until: date | None, automatic: bool | None
) -> str | None:
    """The export's override column: the label in plain text, or None without an override."""
    if model_tier is None or until is None:
        return None
    key = "challenge.label_auto" if automatic else "challenge.label"
    return text_of(t(lang, key, tier=tier, model=model_tier, until=short_day(lang, until)))
