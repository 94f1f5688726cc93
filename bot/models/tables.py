"""The Core tables behind the models, typed once: every query in bot/ is written against these handles."""

from sqlalchemy import Table
from sqlmodel import SQLModel

from bot.models.challenges import TierChallenge
from bot.models.changes import ChangeFeedEntry
from bot.models.contacts import Contact, CustomerSnooze, FollowUp
from bot.models.customers import Customer, CustomerAlias, SaleLine
from bot.models.imports import ImportRun
from bot.models.people import Invite, Person
from bot.models.plans import DailyPlan
from bot.models.pushes import PushLog, ScheduledRun
from bot.models.sale_days import SaleDay
from bot.models.scoring import ScoringRun, TierSnapshot


def table_of(model: type[SQLModel]) -> Table:
    """The Core table SQLModel built for a ``table=True`` model."""
    # SQLModel sets __table__ when the class is created; its type information does not declare it.
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


change_feed_table = table_of(ChangeFeedEntry)
contact_table = table_of(Contact)
customer_table = table_of(Customer)
customer_alias_table = table_of(CustomerAlias)
customer_snooze_table = table_of(CustomerSnooze)
daily_plan_table = table_of(DailyPlan)
follow_up_table = table_of(FollowUp)
import_run_table = table_of(ImportRun)
invite_table = table_of(Invite)
person_table = table_of(Person)
push_log_table = table_of(PushLog)
sale_day_table = table_of(SaleDay)
sale_line_table = table_of(SaleLine)
scheduled_run_table = table_of(ScheduledRun)
scoring_run_table = table_of(ScoringRun)
tier_snapshot_table = table_of(TierSnapshot)
tier_challenge_table = table_of(TierChallenge)
