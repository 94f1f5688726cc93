"""The team overview: per rep, customers per tier and attainment against the call cycle."""

from __future__ import annotations

from datetime import date

from bot.i18n import t
from bot.views.common import day, percent


def render_team(lang: str, overview: list, today: date) -> str:
    lines: list[str] = [t(lang, "team.title", date=day(lang, today))]
    if not overview:
        lines.append(t(lang, "team.empty"))
    for rep in overview:
        counts = {tier: rep.per_tier.get(tier, 0) for tier in "ABCD"}
        lines.append("")
        lines.append(t(lang, "team.rep", name=rep.name, a=counts["A"], b=counts["B"], c=counts["C"], d=counts["D"]))
        for attainment in rep.attainment:
            if attainment.customers == 0:
                continue
            lines.append(
                t(
                    lang,
                    "team.attainment",
                    tier=attainment.tier,
                    covered=attainment.covered,
                    customers=attainment.customers,
                    share=percent(attainment.covered_share),
                    elapsed=percent(attainment.cycle_elapsed),
                    status=t(lang, f"status.{attainment.status}"),
                )
            )
        lines.append(t(lang, "team.activity", contacts=rep.contacts_this_week, overdue=rep.overdue_follow_ups))
    return "\n".join(lines)
