"""The exports Tierbot recognises by their headers, and which rows of them are not sales.

A shape only names what the admin is loading (``--dry-run`` and the summary say "纷享销客 销售订单"); the
columns themselves are read through the synonyms in columns.py, so a variant of an export (a column
renamed, added or dropped) still loads. Recognition: the first shape of the file's kind whose
signature headers are all present; otherwise the file is Tierbot's own generic format.
docs/import-formats.md describes every shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bot.importing.columns import normalise_header


@dataclass(frozen=True)
class Shape:
    id: str
    kind: str
    signature: tuple[str, ...]


SHAPES = (
    Shape("fxiaoke.people", "people", ("员工编号", "主属部门")),
    Shape("fxiaoke.customers", "customers", ("客户名称", "负责人", "生命状态")),
    Shape("zoho.accounts", "customers", ("Record Id", "Account Owner", "Account Name")),
    Shape("salesforce.accounts", "customers", ("Account ID", "Account Name", "Account Owner")),
    Shape("fxiaoke.orders", "sales", ("销售订单编号", "客户名称", "下单日期")),
    Shape("zoho.sales_orders", "sales", ("SO Number", "Account Name", "Grand Total")),
    Shape("zoho.invoices", "sales", ("Invoice Number", "Account Name", "Grand Total")),
    Shape("salesforce.opportunities", "sales", ("Account Name", "Stage", "Close Date", "Amount")),
    Shape("distributor.flow", "sales", ("终端名称", "销售数量")),
    Shape("erp.sales_lines", "sales", ("单据编号", "行号", "金额")),
    Shape("fxiaoke.visits", "contacts", ("客户名称", "拜访人")),
)


def recognise(kind: str, headers: list[str]) -> str:
    """The id of the export these headers come from, or ``tierbot.<kind>`` for the generic format."""
    present = {normalise_header(h) for h in headers}
    for shape in SHAPES:
        if shape.kind == kind and all(normalise_header(h) in present for h in shape.signature):
            return shape.id
    return f"tierbot.{kind}"


# Order and record states that are not (yet, or any more) a sale. Compared casefolded, spaces removed.
NOT_A_SALE = frozenset(
    {
        "作废",
        "已作废",
        "草稿",
        "确认中",
        "待确认",
        "审核中",
        "待审核",
        "审批中",
        "驳回",
        "已驳回",
        "取消",
        "已取消",
        "无效",
        "已退回",
        "draft",
        "void",
        "voided",
        "cancelled",
        "canceled",
        "rejected",
        "pendingapproval",
    }
)
# An opportunity is a sale only once won.
WON_STAGES = frozenset({"closedwon", "won", "赢单", "已赢单", "成交", "已成交", "赢得"})


def _key(values: pd.Series) -> pd.Series:
    return values.str.casefold().str.replace(r"\s+", "", regex=True)


def not_a_sale(values: pd.Series) -> np.ndarray:
    """Cells of a status column saying the record is void, a draft, cancelled or not yet confirmed."""
    return _key(values).isin(NOT_A_SALE).to_numpy(dtype=bool)


def not_won(values: pd.Series) -> np.ndarray:
    """Cells of an opportunity stage column other than Closed Won (an empty stage is not won either)."""
    return (~_key(values).isin(WON_STAGES)).to_numpy(dtype=bool)
