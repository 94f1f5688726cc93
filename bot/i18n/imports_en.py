"""English texts of import reports (CLI, bot replies). Keys and {placeholders} match imports_zh_hans.py."""

TEXTS: dict[str, str] = {
    "imp.read": "{file}: {rows} rows read ({kind}; {source}).",
    "imp.shape": "Recognised as: {shape}.",
    "imp.counts": "Inserted {inserted}, updated {updated}; {unchanged} unchanged; {rejected} rejected.",
    "imp.counts.would": "Would insert {inserted}, would update {updated}; {unchanged} unchanged; {rejected} rejected.",
    "imp.mapping": "Columns read (file column → Tierbot field):",
    "imp.mapping.line": "  {column} → {field}",
    "imp.unused": "Unused columns: {columns}.",
    "imp.unused.instead": "{column} ({used} is used instead)",
    "imp.preview": "First rows as they would be stored:",
    "imp.skipped": "Skipped {count} rows that are not sales or not data:",
    "imp.skipped.line": "  row {row}, {column} {value}: {reason}",
    "imp.corrections": "This file would change {count} stored lines, so nothing was changed. "
    "Check the changes below; to apply them, import the file again with --replace:",
    "imp.corrections.applied": "Corrected {count} stored lines:",
    "imp.correction.line": "  row {row}: {field} {old} → {new}",
    "imp.notices": "Worth knowing:",
    "imp.problems": "Problems:",
    "imp.problem.line": "  row {row}, column {column}: {reason}",
    "imp.more": "  and {count} more",
    "imp.outcome.corrections": "Nothing was changed: the file would change {count} stored lines (listed above); "
    "import it again with --replace to apply the corrections.",
    "imp.outcome.dry_run": "Dry run: nothing was changed.",
    "imp.outcome.empty": "The file has no rows; nothing was changed.",
    "imp.outcome.done": "Done.",
    "imp.outcome.nothing_new": "Nothing changed: the database already had every row.",
    "imp.outcome.good_rows": "The good rows were imported; the {count} bad rows were left out.",
    "imp.outcome.good_rows_nothing": "The good rows changed nothing; the {count} bad rows were left out.",
    "imp.outcome.bad_rows": "Nothing was changed, because {count} rows have problems. Fix them and import the file "
    "again, or import only the good rows with --accept-good-rows.",
    "imp.outcome.rejects": " The bad rows and their reasons are in {path}.",
    "imp.unusable": "{file}: {reason}",
    "imp.busy": "{file}: the database is busy with another import or the bot; nothing was changed. Try again.",
    "imp.no_file": "{file}: no such file",
    "imp.shape.tierbot.customers": "Tierbot customers file",
    "imp.shape.tierbot.sales": "Tierbot sales file",
    "imp.shape.tierbot.people": "Tierbot people file",
    "imp.shape.tierbot.contacts": "Tierbot contacts file",
    "imp.shape.tierbot.aliases": "Tierbot customer aliases file",
    "imp.shape.fxiaoke.people": "纷享销客 (ShareCRM) 人员 export",
    "imp.shape.fxiaoke.customers": "纷享销客 (ShareCRM) 客户 export",
    "imp.shape.fxiaoke.orders": "纷享销客 (ShareCRM) 销售订单 export",
    "imp.shape.fxiaoke.visits": "纷享销客 (ShareCRM) 拜访记录 export",
    "imp.shape.zoho.accounts": "Zoho CRM Accounts export",
    "imp.shape.zoho.sales_orders": "Zoho CRM Sales Orders export",
    "imp.shape.zoho.invoices": "Zoho CRM Invoices export",
    "imp.shape.salesforce.accounts": "Salesforce Accounts report",
    "imp.shape.salesforce.opportunities": "Salesforce Opportunities report (Closed Won only)",
    "imp.shape.erp.sales_lines": "ERP sales lines (document number + line number)",
    "imp.shape.distributor.flow": "distributor flow data (流向)",
    # Sales stored but the scoring after them failed (issue 11 §3)
    "imp.scoring_failed": "Loaded {count} lines; tiers not updated: {reason}. Run `tierbot score`, or they update "
    "tonight.",
    # Implausible amounts (issue 11 §14)
    "imp.outliers": "{count} amounts are far outside the file's and the customer's amounts and may be mistyped:",
    "imp.outliers.accepted": "Loaded {count} amounts far outside the file's and the customer's amounts "
    "(--accept-outliers):",
    "imp.outlier.line": "  row {row}: {amount} for customer {customer}",
    "imp.outcome.outliers": "Nothing was changed: {count} amounts look mistyped (listed above). Correct them, or "
    "import the file again with --accept-outliers if they are right.",
}
