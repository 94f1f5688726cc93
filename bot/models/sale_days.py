"""The daily sales rollup: one row per customer and day, what scoring aggregates instead of every line."""

from sqlmodel import Field, SQLModel


class SaleDay(SQLModel, table=True):
    """A customer's sale lines of one day, summed; kept equal to sale_line by every write of sale_line."""

    __tablename__ = "sale_day"
    # On SQLite the rows are stored in key order, so scoring's GROUP BY customer streams without sorting.
    __table_args__ = {"sqlite_with_rowid": False}

    customer_id: int = Field(foreign_key="customer.id", primary_key=True)
    day: int = Field(primary_key=True)  # sale_line.sold_on as days since 1970-01-01
    amount: float  # net: returns (negative lines) included
    positive_amount: float  # the lines with an amount above 0
    lines: int
    positive_lines: int  # above 0: the day is a purchase day
