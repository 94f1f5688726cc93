"""Pure scoring core: sales aggregates + customers + rules + as_of -> scores, tiers and reasons.

Entry points: scoring.engine.score (from sales lines) and scoring.engine.score_customers (from the
per-customer aggregates of scoring.aggregate, which the database can compute with one GROUP BY).
Nothing here imports bot, handlers, a database or Telegram, reads a clock, or does I/O.
"""
