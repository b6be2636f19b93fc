"""One asset check per compliance rule (seeds/compliance_rules.csv) on marts.violations.

A violation is a finding about the sends, not a broken pipeline: severity WARN.
"""

import csv
from collections.abc import Iterator

import dagster as dg

from orchestration.assets.metadata import markdown_table
from orchestration.assets.resources import SoftspamSettings
from orchestration.config import PROJECT_DIR
from orchestration.warehouse import query

VIOLATIONS_KEY = dg.AssetKey(["marts", "violations"])
WORST_EXAMPLES = 5


def _rule_codes() -> tuple[str, ...]:
    with (PROJECT_DIR / "seeds" / "compliance_rules.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(row["rule_code"].strip() for row in csv.DictReader(handle))


RULE_CODES = _rule_codes()


def rule_check_name(rule_code: str) -> str:
    return f"rule_{rule_code.lower()}"


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            rule_check_name(code),
            asset=VIOLATIONS_KEY,
            description=f"No send breaks {code} (docs/rules.md section 3).",
        )
        for code in RULE_CODES
    ],
    name="violation_rule_checks",
)
def violation_rule_checks(softspam: SoftspamSettings) -> Iterator[dg.AssetCheckResult]:
    warehouse = softspam.settings.warehouse
    counts = query(warehouse, "select rule_code, count(*) as n from marts.violations group by rule_code")
    count_by_rule = dict(zip(counts["rule_code"], counts["n"].astype(int), strict=True))
    # Worst first: the rule's severity is one per code, so within a rule the newest sends lead.
    examples = query(
        warehouse,
        "select rule_code, send_id, source_system, severity, campaign_id, channel, legal_basis, sent_at"
        " from marts.violations"
        " qualify row_number() over (partition by rule_code order by sent_at desc, send_id) <= ?",
        [WORST_EXAMPLES],
    )
    for code in RULE_CODES:
        count = count_by_rule.get(code, 0)
        rule_examples = examples[examples["rule_code"] == code].sort_values(
            ["sent_at", "send_id"], ascending=[False, True]
        )
        yield dg.AssetCheckResult(
            check_name=rule_check_name(code),
            asset_key=VIOLATIONS_KEY,
            passed=count == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "rule_code": code,
                "violations": count,
                "worst_examples": dg.MetadataValue.md(markdown_table(rule_examples)),
            },
        )
