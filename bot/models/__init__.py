"""SQLModel tables, split by purpose; importing this package registers every table on the metadata."""

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

__all__ = [
    "ChangeFeedEntry",
    "Contact",
    "Customer",
    "CustomerAlias",
    "CustomerSnooze",
    "DailyPlan",
    "FollowUp",
    "ImportRun",
    "Invite",
    "Person",
    "PushLog",
    "SaleDay",
    "SaleLine",
    "ScheduledRun",
    "ScoringRun",
    "TierChallenge",
    "TierSnapshot",
]
