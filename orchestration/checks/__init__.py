"""Asset checks on the marts: one per compliance rule, and the load-to-mart reconciliation."""

from orchestration.checks.reconciliation import RECONCILIATION_CHECK, reconciliation_check
from orchestration.checks.rules import RULE_CODES, rule_check_name, violation_rule_checks

__all__ = [
    "RECONCILIATION_CHECK",
    "RULE_CODES",
    "reconciliation_check",
    "rule_check_name",
    "violation_rule_checks",
]
