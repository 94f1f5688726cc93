"""The last 120 days of visits and calls, and the follow-ups reps promised, for the demo team."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from bot.demo.sales import HISTORY_DAYS, SalesHistory
from bot.demo.team import TIMEZONE, DemoTeam
from bot.models.contacts import OUTCOMES
from bot.models.people import Role

CONTACT_DAYS = 120
# Share of accounts a rep stopped calling on some weeks ago, so the daily list has overdue customers.
_NEGLECTED_SHARE = 0.22
_MANAGER_RIDE_ALONG = 0.04
# Days between contacts for the top 15 %, next 25 %, next 35 % and the rest of a team's accounts.
_INTERVALS = ((0.15, 6, 10), (0.40, 12, 20), (0.75, 25, 40), (1.01, 50, 100))
# How often each outcome of the built-in list comes up, for buyers and for prospects (who place no orders).
_BUYER_OUTCOMES = {
    "visited": 0.30, "called": 0.16, "no_answer": 0.10, "order": 0.13, "objection": 0.05, "sample": 0.06,
    "dept_meeting": 0.03, "academic": 0.03, "online": 0.07, "met_head": 0.04, "other": 0.03,
}  # fmt: skip
_PROSPECT_OUTCOMES = {
    "visited": 0.33, "called": 0.20, "no_answer": 0.15, "order": 0.0, "objection": 0.08, "sample": 0.08,
    "dept_meeting": 0.02, "academic": 0.03, "online": 0.06, "met_head": 0.02, "other": 0.03,
}  # fmt: skip
# Notes name whom the rep met: {who} is a hospital's department head, a store manager or a doctor.
# A note that names an outcome names the one stored with it (tests/test_demo_outcomes.py reads them as /log does).
_WHO = {
    "zh-Hans": {"hospital": "主任", "pharmacy": "店长", "clinic": "医生"},
    "en": {"hospital": "the department head", "pharmacy": "the store manager", "clinic": "the doctor"},
}
_NOTES = {
    "zh-Hans": {
        "visited": ("面访{who}，介绍瑞舒伐他汀新规格", "和{who}沟通患者教育项目", "介绍新版患者手册"),
        "called": ("电话确认下周拜访时间", "电话跟进上次订单到货", "约{who}面谈"),
        "no_answer": ("{who}不在，未接电话", "{who}休假"),
        "order": ("补货氨氯地平和二甲双胍", "确认月度订单", "下单恩替卡韦"),
        "objection": ("{who}反馈价格偏高，竞品有折扣", "担心集采后被替换", "库存积压，暂不进货"),
        "sample": ("送样品，{who}愿意试用", "送样：瑞舒伐他汀新规格"),
        "dept_meeting": ("科室会，讲瑞舒伐他汀新适应症", "科室会，{who}安排下月再讲一次"),
        "academic": ("参加学术会议", "学术活动：请{who}讲高血压指南"),
        "online": ("微信沟通用药反馈", "线上讲座，{who}参加"),
        "met_head": ("拜访主任，讨论进院", "拜访主任，确认科室用量"),
        "other": ("协助处理退货", "更新联系人信息"),
    },
    "en": {
        "visited": ("Presented the new rosuvastatin pack to {who}", "Talked with {who} about patient education"),
        "called": ("Phoned to confirm next week's visit", "Called about delivery of the last order", "Booked {who}"),
        "no_answer": ("No answer, {who} is busy", "No answer, {who} is on leave"),
        "order": ("Restock of amlodipine and metformin", "Monthly order confirmed", "Ordered entecavir"),
        "objection": ("Price too high, competitor discounts", "Worried about tender substitution"),
        "sample": ("Left samples, {who} will try them", "Sample drop of the new pack"),
        "dept_meeting": ("Department meeting on the new indication", "Department meeting, {who} asked for another"),
        "academic": ("Joined the CME meeting", "Academic meeting on hypertension guidelines"),
        "online": ("WeChat: dosage questions from {who}", "Online talk, {who} joined"),
        "met_head": ("Met the department head about listing", "Met the department head on ward usage"),
        "other": ("Helped with a return", "Updated contact details"),
    },
}
_PROMISES = {
    "zh-Hans": ("送样品给{who}", "跟进下月订单", "带新版患者手册给{who}", "问{who}试用反馈"),
    "en": ("Bring samples for {who}", "Follow up on next month's order", "Ask {who} for trial feedback"),
}
_RIDE_ALONG_NOTE = {"zh-Hans": "经理协访：", "en": "Joint visit with manager: "}


@dataclass(frozen=True)
class DemoContact:
    """One logged contact; customer indexes the team's customers, person is an external id."""

    customer: int
    person: str
    outcome: str
    note: str | None
    contacted_at: datetime


@dataclass(frozen=True)
class DemoFollowUp:
    """One promised follow-up; contact and closed_by (the contact that kept it) index the log's contacts."""

    contact: int
    due_on: date
    note: str
    done_at: datetime | None = None
    closed_by: int | None = None
    cancelled_at: datetime | None = None


@dataclass(frozen=True)
class ContactLog:
    """The contacts in time order and the follow-ups that came out of them."""

    contacts: list[DemoContact]
    follow_ups: list[DemoFollowUp]


def simulate_contacts(team: DemoTeam, history: SalesHistory, *, seed: int, as_of: date) -> ContactLog:
    """Simulate the contacts of the last 120 days (before as_of) and the follow-ups they led to."""
    rng = random.Random(f"tierbot-demo:{seed}:contacts")
    calendar = _Workdays(as_of)
    people = {p.external_id: p for p in team.people}
    intervals = _contact_intervals(rng, team, history)
    contacts: list[DemoContact] = []
    for c, customer in enumerate(team.customers):
        interval = intervals[c]
        if interval is None:
            continue
        rep = people[customer.rep_external_id]
        manager = people[rep.manager_external_id or rep.external_id]
        odds = _PROSPECT_OUTCOMES if history.trajectory[c] == "prospect" else _BUYER_OUTCOMES
        stop = as_of
        if rng.random() < _NEGLECTED_SHARE:
            stop = as_of - timedelta(days=round(interval * rng.uniform(1.3, 3.0)))
        day = as_of - timedelta(days=CONTACT_DAYS - rng.randrange(interval))
        while (day := calendar.next_workday(day)) < stop:
            outcome = rng.choices(OUTCOMES, weights=[odds[code] for code in OUTCOMES])[0]
            person = rep
            note = _note(rng, outcome, rep.language, customer.kind)
            if outcome == "visited" and rng.random() < _MANAGER_RIDE_ALONG:
                person = manager
                note = _RIDE_ALONG_NOTE[manager.language] + (_note(rng, outcome, manager.language, customer.kind) or "")
            at = calendar.at_work(day, rng.randrange(9 * 60, 17 * 60 + 30))
            contacts.append(DemoContact(c, person.external_id, outcome, note, at))
            day += timedelta(days=max(1, round(interval * rng.uniform(0.75, 1.25))))
    contacts.sort(key=lambda contact: (contact.contacted_at, contact.customer))
    return ContactLog(contacts, _follow_ups(rng, team, contacts, calendar, as_of))


def _contact_intervals(rng: random.Random, team: DemoTeam, history: SalesHistory) -> list[int | None]:
    """Give each account a call cycle by its recent value; prospects count at half their potential."""
    recent = history.day >= HISTORY_DAYS - 365
    value = np.bincount(history.customer[recent], weights=history.amount[recent], minlength=len(team.customers))
    hopeful = np.array([t in ("prospect", "new") for t in history.trajectory])
    value = np.where(hopeful, np.maximum(value, 0.5 * history.annual_value), value)
    rank = (np.argsort(np.argsort(-value, kind="stable"), kind="stable") + 1) / len(value)
    intervals: list[int | None] = []
    for c, share in enumerate(rank.tolist()):
        low, high = next((low, high) for top, low, high in _INTERVALS if share <= top)
        # Reps write off half of their small prospects without ever calling on them.
        skipped = history.trajectory[c] == "prospect" and share > 0.75 and rng.random() < 0.5
        intervals.append(None if skipped else rng.randint(low, high))
    return intervals


def _note(rng: random.Random, outcome: str, language: str, kind: str) -> str | None:
    if rng.random() < (0.6 if outcome == "no_answer" else 0.2):
        return None
    return rng.choice(_NOTES[language][outcome]).format(who=_WHO[language][kind])


def _follow_ups(
    rng: random.Random, team: DemoTeam, contacts: list[DemoContact], calendar: _Workdays, as_of: date
) -> list[DemoFollowUp]:
    """Per rep: one due today, maybe one overdue, one or two ahead, one or two kept, rarely one cancelled."""
    ages = [(as_of - calendar.local_day(contact.contacted_at)).days for contact in contacts]
    # A promise is kept by the rep's next contact with that customer, as logging a contact does in the bot;
    # so an open promise must hang on the rep's last contact with the customer.
    following: dict[int, int] = {}
    previous: dict[tuple[str, int], int] = {}
    for position, contact in enumerate(contacts):
        if (key := (contact.person, contact.customer)) in previous:
            following[previous[key]] = position
        previous[key] = position
    used: set[int] = set()

    def pick(rep: str, oldest: int, newest: int, kept: bool) -> int | None:
        """Draw an unused contact of this rep made between newest and oldest days ago."""
        found = [
            index
            for index, contact in enumerate(contacts)
            if contact.person == rep
            and contact.outcome != "no_answer"
            and newest <= ages[index] <= oldest
            and index not in used
            and (index in following) == kept
            and (not kept or ages[index] - ages[following.get(index, index)] >= 2)
        ]
        if not found:
            return None
        used.add(chosen := rng.choice(found))
        return chosen

    follow_ups: list[DemoFollowUp] = []
    for rep in (p for p in team.people if p.role == Role.REP):
        plan = ["today", *(["overdue"] if rng.random() < 0.7 else []), *["ahead"] * rng.randint(1, 2)]
        plan += ["kept"] * rng.randint(1, 2) + (["cancelled"] if rng.random() < 0.25 else [])
        for state in plan:
            oldest, newest = {"today": (14, 1), "overdue": (20, 3), "ahead": (10, 1)}.get(state, (60, 10))
            index = pick(rep.external_id, oldest, newest, kept=state == "kept")
            if index is None:
                continue
            promised_on = as_of - timedelta(days=ages[index])
            done_at = closed_by = cancelled_at = None
            # Reps promise working days; today's promise stands even if today is a weekend.
            if state == "today":
                due = as_of
            elif state == "overdue":
                due = calendar.previous_workday(as_of - timedelta(days=rng.randint(1, min(5, ages[index] - 1))))
            elif state == "ahead":
                due = calendar.next_workday(as_of + timedelta(days=rng.randint(1, 14)))
            elif state == "kept":
                closed_by = following[index]
                done_at = contacts[closed_by].contacted_at
                due = calendar.previous_workday(calendar.local_day(done_at) - timedelta(days=rng.randint(0, 3)))
            else:
                due = calendar.next_workday(promised_on + timedelta(days=rng.randint(3, 10)))
                cancelled_at = calendar.at_work(promised_on + timedelta(days=1), 17 * 60)
            kind = team.customers[contacts[index].customer].kind
            promise = rng.choice(_PROMISES[rep.language]).format(who=_WHO[rep.language][kind])
            due = max(due, promised_on + timedelta(days=1))
            follow_ups.append(DemoFollowUp(index, due, promise, done_at, closed_by, cancelled_at))
    return follow_ups


class _Workdays:
    """Chinese working days (weekends and public holidays off) and working hours in the team's zone."""

    def __init__(self, as_of: date) -> None:
        self.zone = ZoneInfo(TIMEZONE)
        self.holidays = holidays.country_holidays("CN", years=range(as_of.year - 1, as_of.year + 2))

    def next_workday(self, day: date) -> date:
        """Return the day itself if it is a working day, else the next working day."""
        while day.weekday() >= 5 or day in self.holidays:
            day += timedelta(days=1)
        return day

    def previous_workday(self, day: date) -> date:
        """Return the day itself if it is a working day, else the working day before."""
        while day.weekday() >= 5 or day in self.holidays:
            day -= timedelta(days=1)
        return day

    def local_day(self, moment: datetime) -> date:
        """Return the team's calendar day of a UTC moment."""
        return moment.astimezone(self.zone).date()

    def at_work(self, day: date, minute: int) -> datetime:
        """Return that minute of the working day as a UTC datetime."""
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return local.astimezone(UTC)
