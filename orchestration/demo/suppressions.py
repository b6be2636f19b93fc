"""Suppression-list snapshots of the sending applications (docs/rules.md section 7).

Every person with an objection is written to every application's latest snapshot unless the
scenario leaves them out on purpose (an alignment gap, or a deliberate non-gap case).
"""

from __future__ import annotations

from collections.abc import Collection

from orchestration.demo.formats import (
    MAILCHIMP_COLUMNS,
    SUPPRESSIONS_COLUMNS,
    SUPPRESSIONS_WITH_SNAPSHOT_COLUMNS,
)
from orchestration.demo.writers import LandingWriter

APPLICATIONS = ("mailchimp", "crm", "sms_gateway")
# Mailchimp's export has no snapshot column: dated by its file name (midnight, Rome).
MAILCHIMP_SNAPSHOT = "suppressions/mailchimp/mailchimp_unsubscribed_2026-10-31.csv"
CRM_SNAPSHOT = "suppressions/crm/crm_suppressions_20261030.csv"  # dated by its file name
CRM_OLDER_SNAPSHOT = "suppressions/crm/crm_suppressions_20260601.csv"  # superseded: never counts
SMS_SNAPSHOT = "suppressions/sms_gateway/sms_gateway_suppressions.csv"
SMS_SNAPSHOT_TAKEN_AT = "2026-10-31T05:00:00Z"
# Snapshot instants in UTC (for scenario checks of the service level).
SNAPSHOT_AT = {
    "mailchimp": "2026-10-30T23:00:00Z",
    "crm": "2026-10-29T23:00:00Z",
    "sms_gateway": SMS_SNAPSHOT_TAKEN_AT,
}
SLA_HOURS = {"mailchimp": 48, "crm": 72, "sms_gateway": 24}


class SuppressionSnapshots:
    def __init__(self, landing: LandingWriter) -> None:
        self._mailchimp = landing.stream(MAILCHIMP_SNAPSHOT, MAILCHIMP_COLUMNS)
        self._crm = landing.stream(CRM_SNAPSHOT, SUPPRESSIONS_COLUMNS)
        self._crm_older = landing.stream(CRM_OLDER_SNAPSHOT, SUPPRESSIONS_COLUMNS)
        self._sms = landing.stream(SMS_SNAPSHOT, SUPPRESSIONS_WITH_SNAPSHOT_COLUMNS)

    def add(
        self,
        email: str,
        since_iso: str,
        since_mailchimp: str,
        leid: str,
        first_name: str = "",
        last_name: str = "",
        missing_from: Collection[str] = (),
    ) -> None:
        """One suppressed person; ``since_mailchimp`` is the same instant as 'YYYY-MM-DD HH:MM:SS' UTC."""
        if "mailchimp" not in missing_from:
            self._mailchimp.line(
                f"{email},{first_name},{last_name},2,,,,,,,,IT,,{since_mailchimp},,,,,{leid},,,"
            )
        if "crm" not in missing_from:
            self._crm.line(f"{email},{since_iso}")
        elif since_iso < "2026-06-01":
            # Present in the superseded snapshot, missing from the latest: still a gap.
            self._crm_older.line(f"{email},{since_iso}")
        if "sms_gateway" not in missing_from:
            self._sms.line(f"{email},{since_iso},{SMS_SNAPSHOT_TAKEN_AT}")
