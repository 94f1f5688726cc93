"""The columns each file kind accepts, under English or Chinese headers, and how headers are matched.

Headers match case-, space- and punctuation-insensitively: ``Customer ID``, ``customer_id`` and
``CUSTOMER-ID`` are the same header, and a unit or note in brackets (``金额（元）``, ``*客户编号``) is
ignored. docs/import-formats.md lists every accepted header; a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.importing.report import ImportFileError

KINDS = ("customers", "sales", "people")


@dataclass(frozen=True)
class FieldSpec:
    """One column of an import file: its canonical name, whether it must be there, and its headers."""

    name: str
    required: bool
    headers: tuple[str, ...]
    describes: str


CUSTOMER_FIELDS = (
    FieldSpec(
        "external_id",
        True,
        ("external_id", "customer_id", "customer_code", "id", "客户编号", "客户代码", "客户编码", "客户ID"),
        "the customer's id in your system",
    ),
    FieldSpec("name", True, ("name", "customer_name", "客户名称", "名称", "客户名"), "the customer's name"),
    FieldSpec("kind", False, ("kind", "type", "customer_type", "类型", "客户类型", "客户类别"), "the kind"),
    FieldSpec("city", False, ("city", "城市"), "the city"),
    FieldSpec("district", False, ("district", "county", "区县", "区"), "the district"),
    FieldSpec(
        "rep",
        False,
        (
            "rep",
            "rep_id",
            "sales_rep",
            "representative",
            "代表",
            "代表工号",
            "负责代表",
            "负责人工号",
            "负责人",
            "Account Owner",
            "Owner",
            "客户负责人",
        ),
        "the responsible rep's staff id or name",
    ),
    FieldSpec(
        "potential",
        False,
        ("potential", "beds", "bed_count", "潜力", "床位数", "市场潜力", "潜力等级"),
        "the potential",
    ),
)

SALES_FIELDS = (
    FieldSpec("line_id", False, ("line_id", "line_no", "行号", "单据行号", "明细ID"), "the line's id"),
    FieldSpec(
        "customer",
        True,
        ("customer", "customer_id", "customer_code", "客户编号", "客户代码", "客户编码", "客户ID"),
        "the customer's id",
    ),
    FieldSpec("date", True, ("date", "sale_date", "order_date", "日期", "销售日期", "订单日期"), "the date of sale"),
    FieldSpec("amount", True, ("amount", "sales_amount", "金额", "销售额", "销售金额"), "the amount"),
    FieldSpec("quantity", False, ("quantity", "qty", "数量", "销量"), "the quantity"),
    FieldSpec("product", False, ("product", "product_name", "产品", "品名", "产品名称"), "the product"),
)

PEOPLE_FIELDS = (
    FieldSpec(
        "external_id",
        True,
        ("external_id", "id", "employee_id", "staff_id", "工号", "员工编号", "员工工号"),
        "the person's staff id",
    ),
    FieldSpec("name", True, ("name", "姓名", "名字"), "the person's name"),
    FieldSpec("role", False, ("role", "角色"), "the role"),
    FieldSpec("title", False, ("title", "job_title", "position", "职位", "岗位", "职务"), "the job title"),
    FieldSpec(
        "manager",
        False,
        ("manager", "manager_id", "reports_to", "经理", "经理工号", "上级工号", "汇报对象", "直属上级", "上级"),
        "the manager's staff id or name",
    ),
    FieldSpec(
        "status",
        False,
        ("status", "active", "employee_status", "员工状态", "在职状态", "状态"),
        "whether the person still works here",
    ),
    FieldSpec("email", False, ("email", "e-mail", "mail", "邮箱", "电子邮箱"), "the e-mail address"),
    FieldSpec("language", False, ("language", "lang", "语言"), "the language"),
    FieldSpec("timezone", False, ("timezone", "time_zone", "tz", "时区"), "the time zone"),
)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": CUSTOMER_FIELDS,
    "sales": SALES_FIELDS,
    "people": PEOPLE_FIELDS,
}

_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_IGNORED = re.compile(r"[\s_\-*:：.#]+")


def normalise_header(header: str) -> str:
    """Reduce a header to the form synonyms are compared in (``客户编号（必填）`` -> ``客户编号``)."""
    text = _BRACKETED.sub("", str(header)).casefold()
    return _IGNORED.sub("", text)


def _lookup(kind: str) -> dict[str, FieldSpec]:
    return {normalise_header(h): spec for spec in FIELDS[kind] for h in spec.headers}


def map_headers(kind: str, headers: list[str]) -> dict[str, int]:
    """Return {field name: column position}; raise ImportFileError if a required column is missing."""
    lookup = _lookup(kind)
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        spec = lookup.get(normalise_header(header))
        if spec is None:
            continue  # unknown columns are ignored, so a rejects file can be fixed and imported again
        if spec.name in found:
            first = headers[found[spec.name]]
            raise ImportFileError(
                f"the columns {first!r} and {header!r} both give {spec.describes}; keep only one of them."
            )
        found[spec.name] = position
    missing = [spec for spec in FIELDS[kind] if spec.required and spec.name not in found]
    if missing:
        raise ImportFileError(_missing_message(kind, headers, missing))
    return found


def matched_required(kind: str, headers: list[str]) -> int:
    """How many of the kind's required columns these headers have (to find the header row)."""
    names = {spec.name for h in headers if (spec := _lookup(kind).get(normalise_header(h)))}
    return sum(1 for spec in FIELDS[kind] if spec.required and spec.name in names)


def _missing_message(kind: str, headers: list[str], missing: list[FieldSpec]) -> str:
    lines = [f"this is not a usable {kind} file: it has no column for"]
    for spec in missing:
        accepted = ", ".join(spec.headers)
        lines.append(f"  - {spec.describes} (accepted headers: {accepted})")
    shown = ", ".join(repr(str(h)) for h in headers if str(h).strip()) or "none"
    lines.append(f"The columns found are: {shown}.")
    others = [
        other
        for other in KINDS
        if other != kind and matched_required(other, headers) == sum(s.required for s in FIELDS[other])
    ]
    if others:
        lines.append(f"It looks like a {others[0]} file; did you mean to import {others[0]}?")
    lines.append("See docs/import-formats.md for a sample of each file.")
    return "\n".join(lines)
