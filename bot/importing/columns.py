"""The columns each file kind accepts, under English or Chinese headers, and how headers are matched.

Headers match case-, space- and punctuation-insensitively: ``Customer ID``, ``customer_id`` and
``CUSTOMER-ID`` are the same header, and a unit or note in brackets (``金额（元）``, ``*客户编号``) is
ignored. docs/import-formats.md lists every accepted header; a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.importing.report import ImportFileError

KINDS = ("customers", "sales", "people", "contacts")


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
        (
            "external_id",
            "customer_id",
            "customer_code",
            "id",
            "客户编号",
            "客户代码",
            "客户编码",
            "客户ID",
            # Zoho's Record Id is what its orders point to (Account Name.id); Salesforce's Account ID.
            "Record Id",
            "Account ID",
            "Account Number",
        ),
        "the customer's id in your system",
    ),
    FieldSpec(
        "name", True, ("name", "customer_name", "客户名称", "名称", "客户名", "Account Name"), "the customer's name"
    ),
    FieldSpec(
        "kind",
        False,
        ("kind", "type", "customer_type", "类型", "客户类型", "客户类别", "Account Type", "机构类型"),
        "the kind",
    ),
    FieldSpec("province", False, ("province", "省", "省份", "Billing State", "Billing State/Province"), "the province"),
    FieldSpec("city", False, ("city", "城市", "市", "Billing City"), "the city"),
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
    # 纷享销客's 生命状态: a voided (作废) customer is skipped, not loaded.
    FieldSpec("life_status", False, ("life_status", "生命状态"), "the record's life status"),
)

SALES_FIELDS = (
    # A unique id of the line in the exporting system (never a per-document line number).
    FieldSpec("line_id", False, ("line_id", "单据行号", "明细ID", "明细编号", "line_item_id"), "the line's id"),
    FieldSpec(
        "doc_no",
        False,
        (
            "doc_no",
            "document_no",
            "order_no",
            "invoice_no",
            "单据编号",
            "单据号",
            "销售订单编号",
            "订单编号",
            "订单号",
            "销售单号",
            "发票号",
            "发票号码",
            "SO Number",
            "Sales Order Number",
            "Invoice Number",
            "Order Number",
            "Opportunity ID",
        ),
        "the document (order, invoice) number",
    ),
    # Numbers lines within one document; identifies a line only together with the document number.
    FieldSpec(
        "line_no",
        False,
        ("line_no", "行号", "序号", "行", "明细行号", "row", "no", "line", "line_number"),
        "the line number",
    ),
    FieldSpec(
        "customer",
        False,
        (
            "customer",
            "customer_id",
            "customer_code",
            "客户编号",
            "客户代码",
            "客户编码",
            "客户ID",
            # Zoho: the account's Record Id, before the free-text Customer No.
            "Account Name.id",
            "Account ID",
            "Customer No.",
            "Account Number",
        ),
        "the customer's id",
    ),
    FieldSpec(
        "customer_name",
        False,
        ("customer_name", "客户名称", "客户名", "终端名称", "终端客户名称", "Account Name", "医院名称", "药店名称"),
        "the customer's name",
    ),
    FieldSpec(
        "date",
        False,
        (
            "date",
            "sale_date",
            "order_date",
            "日期",
            "销售日期",
            "订单日期",
            "下单日期",
            "单据日期",
            "开票日期",
            "发货日期",
            "出库日期",
            "Invoice Date",
            "Close Date",
            "Order Date",
            "Sales Order Date",
            "Due Date",
        ),
        "the date of sale",
    ),
    # A flow file's 所属月份: the sale's month when the file has no date column (the 1st is stored).
    FieldSpec("month", False, ("month", "所属月份", "月份", "销售月份"), "the month of sale"),
    FieldSpec(
        "amount",
        False,
        (
            "amount",
            "sales_amount",
            "金额",
            "销售额",
            "销售金额",
            "销售订单金额",
            "订单金额",
            "价税合计",
            "含税金额",
            "Grand Total",
            "Total",
            "Amount",
        ),
        "the amount",
    ),
    FieldSpec("quantity", False, ("quantity", "qty", "数量", "销量", "销售数量", "Quantity"), "the quantity"),
    FieldSpec(
        "unit_price", False, ("unit_price", "price", "单价", "含税单价", "Unit Price", "List Price"), "the unit price"
    ),
    FieldSpec(
        "product", False, ("product", "product_name", "产品", "品名", "产品名称", "品规", "Product Name"), "the product"
    ),
    FieldSpec("spec", False, ("spec", "specification", "规格", "包装规格"), "the pack size"),
    FieldSpec("batch", False, ("batch", "lot", "批号", "生产批号"), "the batch number"),
    FieldSpec(
        "distributor", False, ("distributor", "流向商业公司名", "商业公司", "经销商", "配送商"), "the distributor"
    ),
    FieldSpec("status", False, ("status", "状态", "订单状态", "单据状态", "Order Status"), "the order status"),
    FieldSpec("life_status", False, ("life_status", "生命状态"), "the record's life status"),
    FieldSpec("stage", False, ("stage", "阶段", "销售阶段", "商机阶段"), "the opportunity stage"),
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

CONTACT_FIELDS = (
    FieldSpec(
        "customer", False, ("customer", "customer_id", "客户编号", "客户编码", "Account ID"), "the customer's id"
    ),
    FieldSpec(
        "customer_name",
        False,
        ("customer_name", "客户名称", "客户名", "终端名称", "Account Name"),
        "the customer's name",
    ),
    FieldSpec(
        "person",
        True,
        (
            "person",
            "rep",
            "staff_id",
            "拜访人",
            "签到人",
            "执行人",
            "负责人",
            "工号",
            "员工编号",
            "Owner",
            "Assigned To",
        ),
        "the person who made the contact",
    ),
    FieldSpec(
        "contacted_at",
        True,
        (
            "contacted_at",
            "date",
            "time",
            "签到时间",
            "拜访时间",
            "拜访日期",
            "实际拜访时间",
            "日期",
            "Date",
            "Visit Date",
        ),
        "the time of the contact",
    ),
    FieldSpec("outcome", False, ("outcome", "result", "拜访结果", "结果", "Outcome"), "the outcome"),
    FieldSpec("purpose", False, ("purpose", "拜访目的", "目的", "Subject"), "the purpose"),
    FieldSpec("note", False, ("note", "notes", "备注", "拜访总结", "拜访内容", "Comments", "Description"), "the note"),
)

ALIAS_FIELDS = (
    FieldSpec(
        "alias",
        True,
        ("alias", "name", "alias_name", "名称", "终端名称", "客户名称", "别名"),
        "the name as the other system writes it",
    ),
    FieldSpec(
        "customer",
        True,
        ("customer", "customer_id", "customer_code", "客户编号", "客户编码", "客户代码", "客户ID"),
        "our customer id",
    ),
)

FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "customers": CUSTOMER_FIELDS,
    "sales": SALES_FIELDS,
    "people": PEOPLE_FIELDS,
    "contacts": CONTACT_FIELDS,
    "aliases": ALIAS_FIELDS,
}

# Values a file needs that may come from one of several sets of columns: a sales line names its
# customer by id or by name, its day by a date or a month, its amount directly or as quantity × price.
ALTERNATIVES: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {
    "sales": (
        (("customer",), ("customer_name",)),
        (("date",), ("month",)),
        (("amount",), ("quantity", "unit_price")),
    ),
    "contacts": ((("customer",), ("customer_name",)),),
}

_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_IGNORED = re.compile(r"[\s_\-*:：.#/]+")


def normalise_header(header: str) -> str:
    """Reduce a header to the form synonyms are compared in (``客户编号（必填）`` -> ``客户编号``)."""
    text = _BRACKETED.sub("", str(header)).casefold()
    return _IGNORED.sub("", text)


def _lookup(kind: str) -> dict[str, tuple[FieldSpec, int]]:
    """{normalised header: (field, preference)}; a lower preference number wins when two columns match."""
    found: dict[str, tuple[FieldSpec, int]] = {}
    for spec in FIELDS[kind]:
        for preference, header in enumerate(spec.headers):
            found.setdefault(normalise_header(header), (spec, preference))
    return found


@dataclass(frozen=True)
class UnusedColumn:
    """A column of the file that Tierbot does not read, and why: ``unknown`` or ``instead`` of another."""

    header: str
    reason: str
    used_instead: str | None = None


def map_headers(kind: str, headers: list[str]) -> dict[str, int]:
    """Return {field name: column position}; raise ImportFileError if a needed column is missing.

    When two columns give the same field (Zoho's Invoice Date and Due Date), the header listed first
    in the field's synonyms is used and the other is reported as unused; the same header twice is refused.
    """
    lookup = _lookup(kind)
    found: dict[str, tuple[int, int]] = {}
    seen: dict[str, int] = {}
    for position, header in enumerate(headers):
        key = normalise_header(header)
        if key and key in seen and key in lookup:
            first = headers[seen[key]]
            raise ImportFileError(
                f"the columns {first!r} and {header!r} both give {lookup[key][0].describes}; keep only one of them."
            )
        seen.setdefault(key, position)
        match = lookup.get(key)
        if match is None:
            continue  # unknown columns are listed as unused, so a rejects file can be fixed and imported again
        spec, preference = match
        if spec.name not in found or preference < found[spec.name][1]:
            found[spec.name] = (position, preference)
    fields = {name: position for name, (position, _) in found.items()}
    missing = [spec for spec in FIELDS[kind] if spec.required and spec.name not in fields]
    missing_groups = [group for group in ALTERNATIVES.get(kind, ()) if not _satisfied(group, fields)]
    if missing or missing_groups:
        raise ImportFileError(_missing_message(kind, headers, missing, missing_groups))
    return fields


def _satisfied(group: tuple[tuple[str, ...], ...], fields: dict[str, int]) -> bool:
    return any(all(name in fields for name in option) for option in group)


def unused_columns(kind: str, headers: list[str], fields: dict[str, int]) -> list[UnusedColumn]:
    """The file's columns that are not read, each with the reason."""
    lookup = _lookup(kind)
    used = set(fields.values())
    unused: list[UnusedColumn] = []
    for position, header in enumerate(headers):
        if position in used or not str(header).strip():
            continue
        match = lookup.get(normalise_header(header))
        if match is not None and match[0].name in fields:
            unused.append(UnusedColumn(str(header), "instead", headers[fields[match[0].name]]))
        else:
            unused.append(UnusedColumn(str(header), "unknown"))
    return unused


def matched_required(kind: str, headers: list[str]) -> int:
    """How many of the kind's needed values these headers give (to find the header row)."""
    lookup = _lookup(kind)
    names = {match[0].name for h in headers if (match := lookup.get(normalise_header(h)))}
    plain = sum(1 for spec in FIELDS[kind] if spec.required and spec.name in names)
    groups = sum(1 for group in ALTERNATIVES.get(kind, ()) if _satisfied(group, dict.fromkeys(names, 0)))
    return plain + groups


def key_fields(kind: str) -> list[str]:
    """The fields that make a row a record: the required ones and every alternative for a needed value."""
    names = [spec.name for spec in FIELDS[kind] if spec.required]
    for group in ALTERNATIVES.get(kind, ()):
        names.extend(name for option in group for name in option if name not in ("amount", "quantity", "unit_price"))
    return list(dict.fromkeys(names))


def required_count(kind: str) -> int:
    """How many needed values a file of this kind must give (what matched_required reaches on a header)."""
    return sum(spec.required for spec in FIELDS[kind]) + len(ALTERNATIVES.get(kind, ()))


def closest_headers(kind: str, header: str, limit: int = 3) -> list[str]:
    """Accepted headers that look most like an unknown one (``销售金額`` -> ``销售金额``)."""
    from rapidfuzz import fuzz, process

    choices = [h for spec in FIELDS[kind] for h in spec.headers]
    key = normalise_header(header)
    if not key:
        return []
    scored = process.extract(key, [normalise_header(c) for c in choices], scorer=fuzz.ratio, limit=limit * 2)
    picked: list[str] = []
    for _, score, index in scored:
        if score >= 60 and choices[index] not in picked:
            picked.append(choices[index])
    return picked[:limit]


def _describe_group(kind: str, group: tuple[tuple[str, ...], ...]) -> str:
    specs = {spec.name: spec for spec in FIELDS[kind]}
    options = []
    for option in group:
        parts = [f"{specs[n].describes} ({', '.join(specs[n].headers[:8])})" for n in option]
        options.append(" with ".join(parts))
    return " or ".join(options)


def _missing_message(
    kind: str, headers: list[str], missing: list[FieldSpec], groups: list[tuple[tuple[str, ...], ...]]
) -> str:
    lines = [f"this is not a usable {kind} file: it has no column for"]
    for spec in missing:
        accepted = ", ".join(spec.headers)
        lines.append(f"  - {spec.describes} (accepted headers: {accepted})")
    for group in groups:
        lines.append(f"  - {_describe_group(kind, group)}")
    shown = ", ".join(repr(str(h)) for h in headers if str(h).strip()) or "none"
    lines.append(f"The columns found are: {shown}.")
    lookup = _lookup(kind)
    hints = [
        f"{str(h)!r} looks like {', '.join(repr(c) for c in close)}"
        for h in headers
        if str(h).strip() and normalise_header(h) not in lookup and (close := closest_headers(kind, h))
    ]
    if hints:
        lines.append("Did you mean: " + "; ".join(hints[:5]) + "?")
    others = [other for other in KINDS if other != kind and matched_required(other, headers) == required_count(other)]
    if others:
        lines.append(f"It looks like a {others[0]} file; did you mean to import {others[0]}?")
    lines.append("See docs/import-formats.md for a sample of each file.")
    return "\n".join(lines)
