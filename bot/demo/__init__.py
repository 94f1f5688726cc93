"""A seeded, realistic demo pharma team (people, customers, two years of sales, contacts) for `tierbot demo`."""

from bot.demo.fill import DatabaseNotEmpty, DemoSummary, fill_demo_team

__all__ = ["DatabaseNotEmpty", "DemoSummary", "fill_demo_team"]
