"""简体中文: import reports (TEXTS, keys as in imports_en.py) and the importer's English sentences (PHRASES).

PHRASES maps an English template (``{name}`` = any text) to its Chinese; bot.i18n.phrases uses it to say
row reasons and file errors in Chinese. A sentence missing here is shown in English.
"""

TEXTS: dict[str, str] = {
    # Scoring run summary (tierbot score, and after a sales import)
    "scoring.run": "第 {run} 次分级（截至 {as_of}）：{customers} 家客户，用时 {seconds} 秒",
    "scoring.tiers": "  级别   {tiers}",
    "scoring.stages": "  阶段   {stages}",
    "scoring.first": "  首次分级：没有可比较的级别变化",
    "scoring.since": "  与第 {run} 次相比：升级 {up} 家，降级 {down} 家",
    "export.wrote": "已写入 {rows} 行到 {path}。",
    # Export headers (tierbot export)
    "export.col.customer_id": "客户编号",
    "export.col.customer": "客户名称",
    "export.col.kind": "客户类型",
    "export.col.city": "城市",
    "export.col.district": "区县",
    "export.col.rep_id": "代表工号",
    "export.col.rep": "代表",
    "export.col.tier": "级别",
    "export.col.previous_tier": "上次级别",
    "export.col.stage": "生命周期阶段",
    "export.col.r_score": "最近下单得分(R)",
    "export.col.f_score": "频次得分(F)",
    "export.col.m_score": "金额得分(M)",
    "export.col.abc_class": "ABC 分类",
    "export.col.recency_days": "距上次下单天数",
    "export.col.frequency": "下单次数(12个月)",
    "export.col.monetary": "销售额(12个月)",
    "export.col.trend": "趋势",
    "export.col.potential_score": "潜力得分",
    "export.col.p_alive": "仍活跃概率",
    "export.col.expected_purchases": "预计下单天数",
    "export.col.clv": "客户终身价值",
    "export.col.as_of": "评分日期",
    "export.col.rfm": "RFM",
    "export.col.reason": "原因",
    "export.col.contacted_at": "联系时间",
    "export.col.outcome": "结果",
    "export.col.note": "备注",
    "export.col.follow_up": "跟进日期",
    "imp.read": "{file}：读取 {rows} 行（{kind}；{source}）。",
    "imp.shape": "识别为：{shape}。",
    "imp.counts": "新增 {inserted}，更新 {updated}；未变 {unchanged}；拒绝 {rejected}。",
    "imp.counts.would": "将新增 {inserted}，将更新 {updated}；未变 {unchanged}；拒绝 {rejected}。",
    "imp.mapping": "读取的列（文件列 → Tierbot 字段）：",
    "imp.mapping.line": "  {column} → {field}",
    "imp.unused": "未使用的列：{columns}。",
    "imp.unused.why_instead": "（未使用：已由 {used} 提供）",
    "imp.unused.why_unknown": "（未使用：Tierbot 没有对应字段）",
    "imp.unused.why_close": "（未使用：Tierbot 没有对应字段；是否应为 {close}？）",
    "imp.unused.instead": "{column}（已改用 {used}）",
    "imp.preview": "前几行将这样保存：",
    "imp.skipped": "跳过 {count} 行（不是销售或不是数据）：",
    "imp.skipped.line": "  第 {row} 行，{column} {value}：{reason}",
    "imp.corrections": "该文件会修改 {count} 条已保存的记录，因此没有做任何修改。请核对以下变更；"
    "确认无误后加 --replace 重新导入即可应用：",
    "imp.corrections.applied": "已更正 {count} 条已保存的记录：",
    "imp.correction.line": "  第 {row} 行：{field} {old} → {new}",
    "imp.notices": "请留意：",
    "imp.problems": "问题：",
    "imp.problem.line": "  第 {row} 行，{column} 列：{reason}",
    "imp.more": "  另有 {count} 处",
    "imp.outcome.corrections": "没有做任何修改：该文件会修改 {count} 条已保存的记录（见上）；加 --replace 重新导入即可应用更正。",
    "imp.outcome.dry_run": "试运行：没有做任何修改。",
    "imp.outcome.empty": "文件没有数据行；没有做任何修改。",
    "imp.outcome.done": "完成。",
    "imp.outcome.nothing_new": "没有变化：数据库中已有每一行。",
    "imp.outcome.good_rows": "已导入正确的行；{count} 行有问题，未导入。",
    "imp.outcome.good_rows_nothing": "正确的行没有带来变化；{count} 行有问题，未导入。",
    "imp.outcome.bad_rows": "没有做任何修改，因为有 {count} 行有问题。请修改后重新导入，"
    "或加 --accept-good-rows 只导入正确的行。",
    "imp.outcome.rejects": " 有问题的行及原因已写入 {path}。",
    "imp.unusable": "{file}：{reason}",
    "imp.busy": "{file}：数据库正忙于另一次导入或机器人；没有做任何修改。请稍后重试。",
    "imp.rejects_needs_accept": "--rejects 需要与 --accept-good-rows 一起使用",
    "imp.full_people_only": "--full 只适用于人员文件",
    "imp.no_file": "{file}：文件不存在",
    "imp.shape.tierbot.customers": "Tierbot 客户文件",
    "imp.shape.tierbot.sales": "Tierbot 销售文件",
    "imp.shape.tierbot.people": "Tierbot 人员文件",
    "imp.shape.tierbot.contacts": "Tierbot 拜访记录文件",
    "imp.shape.tierbot.aliases": "Tierbot 客户别名文件",
    "imp.shape.fxiaoke.people": "纷享销客 人员导出",
    "imp.shape.fxiaoke.customers": "纷享销客 客户导出",
    "imp.shape.fxiaoke.orders": "纷享销客 销售订单导出",
    "imp.shape.fxiaoke.visits": "纷享销客 拜访记录导出",
    "imp.shape.zoho.accounts": "Zoho CRM 客户（Accounts）导出",
    "imp.shape.zoho.sales_orders": "Zoho CRM 销售订单（Sales Orders）导出",
    "imp.shape.zoho.invoices": "Zoho CRM 发票（Invoices）导出",
    "imp.shape.salesforce.accounts": "Salesforce 客户报表（Accounts）",
    "imp.shape.salesforce.opportunities": "Salesforce 商机报表（只计 Closed Won）",
    "imp.shape.erp.sales_lines": "ERP 销售明细（单据编号+行号）",
    "imp.shape.distributor.flow": "经销商流向数据",
    # Sales stored but the scoring after them failed (issue 11 §3)
    "imp.scoring_failed": "已导入 {count} 行；客户分级未更新：{reason}。请运行 `tierbot score`，或等今晚自动更新。",
    # Implausible amounts (issue 11 §14)
    "imp.outliers": "有 {count} 个金额远超出本文件和该客户的金额范围，可能输错了：",
    "imp.outliers.accepted": "已导入 {count} 个远超出本文件和该客户金额范围的金额（--accept-outliers）：",
    "imp.outlier.line": "  第 {row} 行：客户 {customer} 的金额 {amount}",
    "imp.outcome.outliers": "没有做任何修改：有 {count} 个金额疑似输错（见上）。请更正；如确认无误，"
    "加 --accept-outliers 重新导入。",
}

PHRASES: dict[str, str] = {
    # Field descriptions (columns.py)
    "the customer's id in your system": "客户在贵司系统中的编号",
    "the customer's name": "客户名称",
    "the kind": "客户类型",
    "the province": "省份",
    "the city": "城市",
    "the district": "区县",
    "the responsible rep's staff id": "负责代表",
    "the potential": "潜力",
    "the record's life status": "生命状态",
    "the line's id": "明细编号",
    "the document (order, invoice) number": "单据编号（订单号、发票号）",
    "the line number": "行号",
    "the customer's id": "客户编号",
    "the date of sale": "销售日期",
    "the month of sale": "销售月份",
    "the amount": "金额",
    "the quantity": "数量",
    "the unit price": "单价",
    "the product": "产品",
    "the pack size": "规格",
    "the batch number": "批号",
    "the distributor": "经销商",
    "the order status": "订单状态",
    "the opportunity stage": "商机阶段",
    "the person's staff id": "员工编号",
    "the person's name": "姓名",
    "the role": "角色",
    "the manager's staff id": "上级",
    "the e-mail address": "邮箱",
    "the language": "语言",
    "the time zone": "时区",
    "the customer": "客户",
    "the date": "日期",
    # Row reasons (sales.py, rows.py, values.py)
    "is not a number": "不是数字",
    "is not a date; write dates year first, as 2026-11-05, 2026/11/5, 20261105 or 2026年11月5日": (
        "不是日期；请把年份写在前面，如 2026-11-05、2026/11/5、20261105 或 2026年11月5日"
    ),
    "is not a month; write months as 2026-10 or 2026年10月": "不是月份；请写成 2026-10 或 2026年10月",
    "is empty; a date is required": "为空；日期必填",
    "is empty; an amount is required": "为空；金额必填",
    "is empty; the customer is required": "为空；客户必填",
    "is empty; the amount is computed from quantity × unit price": "为空；金额按 数量 × 单价 计算，需要此值",
    "is empty; {what} is required": "为空；{what}必填",
    "a customer id": "客户编号",
    "a name": "名称",
    "a staff id": "员工编号",
    "is longer than {limit} characters": "超过 {limit} 个字符",
    "is the {what} of row {row} too; each may appear only once": "与第 {row} 行的{what}重复；每个只能出现一次",
    "line id": "明细编号",
    "document and line number": "单据编号+行号",
    "customer id": "客户编号",
    "staff id": "员工编号",
    "is not a known customer; import the customers file first, or correct the id": (
        "不是已知客户；请先导入客户文件，或更正编号"
    ),
    "is not a known customer; closest: {names}": "不是已知客户；最接近的：{names}",
    "is not a known customer; import the customers file first": "不是已知客户；请先导入客户文件",
    "names several customers: {names}; map it once with tierbot import aliases": (
        "对应多个客户：{names}；请用 tierbot import aliases 指定一次"
    ),
    "is not a sale (void, draft or not confirmed)": "不是销售（作废、草稿或未确认）",
    "is not Closed Won": "不是赢单（Closed Won）",
    "is a totals or footer row": "是合计行或页脚",
    "is after {day}; a sale cannot be dated in the future": "晚于 {day}；销售日期不能是将来的日期",
    # Whole-file reasons (readers.py, columns.py, values.py)
    "the file is empty.": "文件是空的。",
    "cannot open the file: {reason}": "无法打开文件：{reason}",
    "this is an old Excel 97-2003 (.xls) workbook, which cannot be read; open it in Excel or WPS and save it "
    "as .xlsx or as CSV.": "这是旧版 Excel 97-2003（.xls）工作簿，无法读取；请用 Excel 或 WPS 打开，另存为 .xlsx 或 CSV。",
    "this does not look like a CSV or XLSX file (it holds binary data).": "这不像 CSV 或 XLSX 文件（含有二进制数据）。",
    "this does not look like a CSV or XLSX file (its first row is not text).": "这不像 CSV 或 XLSX 文件（第一行不是文本）。",
    "the file is not well-formed CSV ({reason}).": "文件不是格式正确的 CSV（{reason}）。",
    "the file is not well-formed CSV ({reason}). Rows must not have more cells than the header row; a value "
    "that contains a comma must be in double quotes.": (
        "文件不是格式正确的 CSV（{reason}）。每行的单元格不能比表头多；含逗号的值必须用英文双引号括起来。"
    ),
    "the file's text encoding is neither UTF-8 nor GBK/GB18030. Save it from Excel or WPS as 'CSV UTF-8' "
    "(or as .xlsx) and import it again.": (
        "文件编码既不是 UTF-8 也不是 GBK/GB18030。请在 Excel 或 WPS 中另存为“CSV UTF-8”（或 .xlsx）后重新导入。"
    ),
    "this is not a readable XLSX workbook ({reason}).": "这不是可读取的 XLSX 工作簿（{reason}）。",
    "the workbook has no data in any sheet.": "工作簿的所有工作表都没有数据。",
    # A small XLSX cannot take gigabytes (issue 11 §5)
    "the workbook unpacks to {size} MB, more than the {limit} MB allowed (setting [import] xlsx_max_inflated_mb). "
    "Save it as CSV, which has no such limit.": (
        "该工作簿解压后有 {size} MB，超过允许的 {limit} MB（设置 [import] xlsx_max_inflated_mb）。请另存为 CSV，CSV 没有此限制。"
    ),
    "the workbook's shared text table is {size} MB, more than the {limit} MB allowed (setting [import] "
    "xlsx_max_shared_strings_mb). Save it as CSV, which has no such limit.": (
        "该工作簿的共享文本表有 {size} MB，超过允许的 {limit} MB（设置 [import] xlsx_max_shared_strings_mb）。"
        "请另存为 CSV，CSV 没有此限制。"
    ),
    "the workbook's shared text table holds more than {limit} texts (setting [import] xlsx_max_shared_strings). "
    "Save it as CSV, which has no such limit.": (
        "该工作簿的共享文本表超过 {limit} 条文本（设置 [import] xlsx_max_shared_strings）。请另存为 CSV，CSV 没有此限制。"
    ),
    "reading the file needed more than the {limit} MB of memory the bot allows (setting [import] upload_memory_mb); "
    "nothing was changed. Load it with tierbot import on the server instead.": (
        "读取该文件所需内存超过机器人允许的 {limit} MB（设置 [import] upload_memory_mb）；没有做任何修改。"
        "请改在服务器上用 tierbot import 导入。"
    ),
    # Unusable files refused, never a crash (issue 11 §12)
    "this is not a readable XLSX workbook (its XML is damaged at line {line}, column {column}).": (
        "这不是可读取的 XLSX 工作簿（其 XML 在第 {line} 行第 {column} 列处损坏）。"
    ),
    "this is not a readable XLSX workbook (its zip container is damaged).": "这不是可读取的 XLSX 工作簿（其压缩包已损坏）。",
    "this is not a readable XLSX workbook (it is compressed or encrypted in a way Excel does not write).": (
        "这不是可读取的 XLSX 工作簿（其压缩或加密方式不是 Excel 所写的）。"
    ),
    "this is not a readable XLSX workbook (a part of it is damaged).": "这不是可读取的 XLSX 工作簿（其中一部分已损坏）。",
    "the file's UTF-16 text is cut off or damaged. Save it from Excel or WPS as 'CSV UTF-8' (or as .xlsx) and "
    "import it again.": "文件的 UTF-16 文本不完整或已损坏。请在 Excel 或 WPS 中另存为“CSV UTF-8”（或 .xlsx）后重新导入。",
    "the file holds a NUL character (a zero byte), which is not text: it is damaged or not a CSV export. Export "
    "it again from your system.": "文件含有 NUL 字符（零字节），这不是文本：文件已损坏或不是 CSV 导出。请从系统中重新导出。",
    "this is not a usable {kind} file: it has no column for": "这不是可用的{kind}文件：缺少以下列",
    "customers": "客户",
    "sales": "销售",
    "people": "人员",
    "contacts": "拜访记录",
    "aliases": "客户别名",
    "{what} (accepted headers: {headers})": "{what}（可用的表头：{headers}）",
    "The columns found are: {columns}.": "文件中的列：{columns}。",
    "Did you mean: {hints}?": "您是否想写：{hints}？",
    "It looks like a {kind} file; did you mean to import {other}?": "这看起来是{kind}文件；是否要导入为{other}？",
    "See docs/import-formats.md for a sample of each file.": "每类文件的样例见 docs/import-formats.md。",
    "the columns {first} and {second} both give {what}; keep only one of them.": (
        "{first} 和 {second} 两列都表示{what}；请只保留一列。"
    ),
    "every date such as {text} (row {row}) could be day/month or month/day, and no date in the file decides it. "
    "Format the date column as yyyy-mm-dd, or say which with --date-order mdy (US) or dmy.": (
        "像 {text}（第 {row} 行）这样的日期既可能是“日/月”也可能是“月/日”，文件中没有日期能判断。"
        "请把日期列设为 yyyy-mm-dd 格式，或用 --date-order mdy（美国格式）或 dmy 指定。"
    ),
    "the dates are written both day-first (row {a}: {b}) and month-first (row {c}: {d}), so no date can be "
    "trusted. Format the date column as yyyy-mm-dd and export again.": (
        "日期既有“日在前”（第 {a} 行：{b}）又有“月在前”（第 {c} 行：{d}）的写法，无法确定任何日期。"
        "请把日期列设为 yyyy-mm-dd 格式后重新导出。"
    ),
    # People, customers, aliases (people.py, customers.py, aliases.py, person_names.py)
    "is not a role; use rep, manager or admin (代表, 经理, 管理员)": "不是角色；请写 代表、经理 或 管理员（rep, manager, admin）",
    "is not a status; use 正常/在职/active/yes for people who work here, 已停用/离职/inactive/no for leavers": (
        "不是员工状态；在职请写 正常/在职，离职请写 已停用/离职"
    ),
    "is not an e-mail address": "不是邮箱地址",
    "is not a language; use zh-Hans, zh-Hant or en": "不是语言；请写 zh-Hans、zh-Hant 或 en",
    "is not a time zone such as Asia/Shanghai": "不是时区（如 Asia/Shanghai）",
    "is this person's own staff id": "是此人自己的工号",
    "names this person": "就是此人本人",
    "makes a management cycle: {cycle}": "构成汇报关系循环：{cycle}",
    "is not a known person, neither in the database nor a good row of this file": "不是已知人员（数据库和本文件的正确行中都没有）",
    "is not a known person, neither in the database nor a good row of this file; closest: {names}": (
        "不是已知人员（数据库和本文件的正确行中都没有）；最接近的：{names}"
    ),
    "names more than one person ({names}); give the staff id": "对应多个人（{names}）；请填写工号",
    "is not a known person; import the people file first, or correct the staff id": "不是已知人员；请先导入人员文件，或更正工号",
    "is not a known person; import the people file first, or correct the staff id; closest: {names}": (
        "不是已知人员；请先导入人员文件，或更正工号；最接近的：{names}"
    ),
    "is not a known person; closest: {names}": "不是已知人员；最接近的：{names}",
    "names several people: {names}; use the staff id": "对应多个人：{names}；请填写工号",
    "is empty; the person who made the contact is required": "为空；拜访人必填",
    "is void: the record was deleted": "已作废：该记录已删除",
    "is neither a number nor H/M/L (高/中/低)": "既不是数字也不是 H/M/L（高/中/低）",
    "is negative; potential is a size such as a bed count": "是负数；潜力应是床位数之类的规模",
    "is not a known customer id; import the customers file first, or correct the id": "不是已知客户编号；请先导入客户文件，或更正编号",
    "is the alias of row {row} too; each name may appear only once": "与第 {row} 行的名称重复；每个名称只能出现一次",
    # What a file changes about the team (roster.py)
    "What the file would change about the team:": "该文件将对团队做出的变更：",
    "Role changed ({count}):": "角色变更（{count}）：",
    "Manager changed ({count}):": "上级变更（{count}）：",
    "Left (marked inactive in the file) ({count}):": "离职（文件中标为停用）（{count}）：",
    "Left (not in the file, --full) ({count}):": "离职（不在文件中，--full）（{count}）：",
    "Unknown job title, made a rep ({count}):": "职位无法识别，按代表处理（{count}）：",
    "Customers moving to another rep ({count}):": "更换代表的客户（{count}）：",
    "Customers needing a new rep (their rep has left) ({count}):": "需要新代表的客户（原代表已离职）（{count}）：",
    "and {count} more": "另有 {count} 个",
}
