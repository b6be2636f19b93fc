"""A small warehouse built to the marts contract (docs/formats.md section 3), for the report tests.

It stands in for the dbt models so these tests do not depend on them; the values are realistic
and include the hostile ones (formula cells, markup, quotes and newlines in evidence).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


def person_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


ANNA = "anna.rossi@example.it"
LUCA = "luca.bianchi@example.it"
MARIO = "mario.verdi@example.it"

FORMULA_EVIDENCE = '=HYPERLINK("http://evil.test","click")'
MARKUP_EVIDENCE = 'opposition OPP-7 <script>alert("x")</script> at 2026-02-01, "quoted", and\na newline'

SENDS = [
    # send_id, source_system, email, campaign_id, channel, legal_basis, category, sent_at, compliant, n
    (
        "S1",
        "mailchimp",
        ANNA,
        "spring-audio",
        "email",
        "soft_spam",
        "audio",
        "2026-02-02 09:00:00+00",
        False,
        2,
    ),
    (
        "S2",
        "mailchimp",
        LUCA,
        "spring-audio",
        "email",
        "soft_spam",
        "audio",
        "2026-02-03 09:00:00+00",
        True,
        0,
    ),
    ("S3", "crm", MARIO, "=1+1", "email", "consent", "computers", "2026-02-10 10:30:00+00", False, 1),
    (
        "S4",
        "crm",
        ANNA,
        "winter-sale",
        "email",
        "soft_spam",
        "smartphones",
        "2026-02-17 08:00:00+00",
        False,
        1,
    ),
    ("S5", "sms_gateway", LUCA, "sms-promo", "sms", "soft_spam", "audio", "2026-02-17 12:00:00+00", False, 1),
    ("S6", "mailchimp", MARIO, "winter-sale", "email", "consent", "audio", "2026-02-18 12:00:00+00", True, 0),
]

VIOLATIONS = [
    # send_id, source_system, rule_code, severity, email, sent_at, evidence, evidence_ref
    (
        "S1",
        "mailchimp",
        "SENT_AFTER_OPPOSITION",
        "critical",
        ANNA,
        "2026-02-02 09:00:00+00",
        MARKUP_EVIDENCE,
        "opposition:crm:OPP-7",
    ),
    (
        "S1",
        "mailchimp",
        "NO_OPT_OUT_LINK",
        "high",
        ANNA,
        "2026-02-02 09:00:00+00",
        "has_opt_out_link is false",
        None,
    ),
    ("S3", "crm", "CONSENT_MISSING", "critical", MARIO, "2026-02-10 10:30:00+00", FORMULA_EVIDENCE, None),
    (
        "S4",
        "crm",
        "AUTHORIZATION_EXPIRED",
        "warning",
        ANNA,
        "2026-02-17 08:00:00+00",
        "latest informed analogous sale 2023-01-05, window 24 months",
        "sale:ecommerce:O-1:1",
    ),
    (
        "S5",
        "sms_gateway",
        "NON_EMAIL_CHANNEL",
        "critical",
        LUCA,
        "2026-02-17 12:00:00+00",
        "soft_spam claimed on channel sms",
        None,
    ),
]


def build_fixture_warehouse(
    path: Path,
    *,
    with_rules: bool = True,
    with_quarantine: bool = True,
    with_application_suppressions: bool = True,
) -> Path:
    connection = duckdb.connect(str(path))
    connection.execute("set TimeZone = 'UTC'")
    connection.execute("create schema marts; create schema reference; create schema raw")
    connection.execute(
        """
        create table marts.sends_checked (send_id varchar, source_system varchar, person_key varchar,
            email varchar, campaign_id varchar, channel varchar, legal_basis varchar,
            promoted_category varchar, sent_at timestamptz, is_compliant boolean, violation_count integer)
        """
    )
    for send_id, source, email, campaign, channel, basis, category, sent_at, compliant, count in SENDS:
        connection.execute(
            "insert into marts.sends_checked values (?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?, ?)",
            [
                send_id,
                source,
                person_key(email),
                email,
                campaign,
                channel,
                basis,
                category,
                sent_at,
                compliant,
                count,
            ],
        )
    connection.execute(
        """
        create table marts.violations as
        select v.send_id, v.source_system, v.rule_code, v.severity, s.person_key, s.email, s.campaign_id,
               s.channel, s.legal_basis, s.promoted_category, s.sent_at, v.evidence, v.evidence_ref
        from (select * from marts.sends_checked limit 0) s, (select ''::varchar send_id, ''::varchar
              source_system, ''::varchar rule_code, ''::varchar severity, ''::varchar evidence,
              ''::varchar evidence_ref limit 0) v
        """
    )
    for send_id, source, rule, severity, _email, _sent_at, evidence, evidence_ref in VIOLATIONS:
        connection.execute(
            """
            insert into marts.violations
            select send_id, source_system, ?, ?, person_key, email, campaign_id, channel, legal_basis,
                   promoted_category, sent_at, ?, ?
            from marts.sends_checked where send_id = ? and source_system = ?
            """,
            [rule, severity, evidence, evidence_ref, send_id, source],
        )
    connection.execute(
        """
        create table marts.alignment_gaps (application varchar, person_key varchar, email varchar,
            opposition_id varchar, opposed_at timestamptz, snapshot_taken_at timestamptz,
            hours_overdue double)
        """
    )
    connection.execute(
        "insert into marts.alignment_gaps values "
        "('mailchimp', ?, ?, 'OPP-7', '2026-01-20 10:00:00+00', '2026-02-01 00:00:00+00', 230.0), "
        "('crm', ?, ?, '-OPP-9', '2026-01-25 10:00:00+00', '2026-02-01 00:00:00+00', 86.5)",
        [person_key(ANNA), ANNA, person_key(LUCA), LUCA],
    )
    if with_application_suppressions:
        connection.execute(
            """
            create table marts.application_suppressions (application varchar, person_key varchar,
                email varchar, first_opposed_at timestamptz, opposition_id varchar)
            """
        )
        connection.execute(
            "insert into marts.application_suppressions values "
            "('mailchimp', ?, ?, '2026-01-20 10:00:00+00', 'OPP-7'), "
            "('mailchimp', ?, ?, '2026-01-25 10:00:00.250+00', '+OPP-9'), "
            "('crm', ?, ?, '2026-01-20 10:00:00+00', 'OPP-7'), "
            "('sms_gateway', ?, ?, '2026-01-20 10:00:00+00', 'OPP-7')",
            [person_key(ANNA), ANNA, person_key(LUCA), LUCA, person_key(ANNA), ANNA, person_key(ANNA), ANNA],
        )
    connection.execute(
        """
        create table marts.person_timeline (person_key varchar, email varchar, event_at timestamptz,
            event_type varchar, detail varchar, source_system varchar, source_ref varchar)
        """
    )
    # Inserted out of order on purpose: the trail must sort by event_at.
    connection.executemany(
        "insert into marts.person_timeline values (?, ?, ?::timestamptz, ?, ?, ?, ?)",
        [
            (person_key(ANNA), ANNA, *event)
            for event in [
                ("2026-02-02 09:00:00+00", "send", "campaign spring-audio, audio", "mailchimp", "S1"),
                (
                    "2023-01-05 15:20:00+00",
                    "sale",
                    "order O-1 line 1, smartphones, paid",
                    "ecommerce",
                    "O-1:1",
                ),
                ("2026-01-20 10:00:00+00", "opposition", "scope all_marketing", "crm", "OPP-7"),
            ]
        ],
    )
    connection.execute(
        """
        create table marts.audience_eligibility (person_key varchar, email varchar, product_category varchar,
            channel varchar, is_eligible boolean, legal_basis varchar, blocking_reason varchar,
            evaluated_at timestamptz)
        """
    )
    connection.executemany(
        "insert into marts.audience_eligibility values (?, ?, ?, 'email', ?, ?, ?, ?::timestamptz)",
        [
            (person_key(email), email, category, eligible, basis, reason, "2026-03-01 00:00:00+00")
            for email, category, eligible, basis, reason in [
                (ANNA, "audio", False, None, "OPPOSED"),
                (ANNA, "smartphones", False, None, "OPPOSED"),
                (LUCA, "audio", True, "soft_spam", None),
                (MARIO, "audio", True, "consent", None),
            ]
        ],
    )
    connection.execute(
        """
        create table marts.load_audit (file_name varchar, kind varchar, format varchar,
            content_sha256 varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
            loaded_at timestamptz, status varchar, load_id bigint)
        """
    )
    loaded_at = "2026-03-01 06:00:00+00"
    connection.executemany(
        "insert into marts.load_audit values (?, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?, ?)",
        [
            (
                "sales/orders_2026-02.csv",
                "sales",
                "canonical",
                "aa",
                120,
                118,
                2,
                loaded_at,
                "loaded_with_quarantine",
                1,
            ),
            ("sends/sends_2026-02.csv", "sends", "canonical", "bb", 6, 6, 0, loaded_at, "loaded", 2),
            ("oppositions/weird.csv", "oppositions", None, "cc", 3, 0, 3, loaded_at, "quarantined", 3),
        ],
    )
    if with_quarantine:
        connection.execute(
            """
            create table raw.quarantine (load_id bigint, file_name varchar, kind varchar, line_number bigint,
                reason varchar, raw_record varchar, quarantined_at timestamptz)
            """
        )
        connection.executemany(
            "insert into raw.quarantine values (?, ?, ?, ?, ?, ?, now())",
            [
                (1, "sales/orders_2026-02.csv", "sales", 14, "unparseable ordered_at", "x"),
                (1, "sales/orders_2026-02.csv", "sales", 15, "unparseable ordered_at", "y"),
                (3, "oppositions/weird.csv", "oppositions", None, "header matches no known format", None),
            ],
        )
    connection.execute(
        """
        create table marts.data_quality_findings (finding_type varchar, kind varchar,
            source_system varchar, record_ref varchar, detail varchar)
        """
    )
    connection.executemany(
        "insert into marts.data_quality_findings values (?, ?, ?, ?, ?)",
        [
            ("unknown_sku", "sales", "shopify", f"#10{n}:1", f"SKU 'X-{n}' is not in product_catalog")
            for n in range(1, 6)
        ]
        + [
            (
                "opposition_scope_defaulted",
                "oppositions",
                "crm",
                "OPP-<b>",
                "scope '' is missing or unknown; read as all_marketing",
            )
        ],
    )
    # The reference data a run used is in staging (the company's overrides, else the seeds); the
    # seed tables here differ from it on purpose, so a reader of the seeds is caught.
    connection.execute("create schema staging")
    if with_rules:
        connection.execute(
            "create table staging.stg_reference__compliance_rules (rule_code varchar, severity varchar, "
            "legal_reference varchar, description varchar)"
        )
        connection.executemany(
            "insert into staging.stg_reference__compliance_rules values (?, ?, ?, ?)",
            COMPLIANCE_RULES,
        )
        connection.execute(
            "create table reference.compliance_rules as select * from staging.stg_reference__compliance_rules"
        )
        connection.execute("update reference.compliance_rules set legal_reference = 'SEED, NOT THE RUN'")
    connection.execute(
        "create table staging.stg_reference__applications (application varchar, channel varchar, "
        "is_sending_marketing boolean, sla_hours integer)"
    )
    connection.executemany(
        "insert into staging.stg_reference__applications values (?, ?, ?, ?)",
        [
            ("mailchimp", "email", True, 48),
            ("crm", "email", True, 72),
            ("sms_gateway", "sms", True, 24),
            ("ecommerce", "email", False, 72),
        ],
    )
    connection.execute(
        "create table reference.applications (application varchar, channel varchar, sends_marketing boolean, "
        "sla_hours integer)"
    )
    connection.executemany(
        "insert into reference.applications values (?, ?, ?, ?)",
        [("seed_only_app", "fax", True, 1), ("crm", "email", True, 72)],
    )
    connection.execute(
        "create table staging.stg_reference__product_categories (category varchar, description varchar)"
    )
    connection.executemany(
        "insert into staging.stg_reference__product_categories values (?, ?)",
        [("audio", "Audio"), ("smartphones", "Phones"), ("computers", "Computers")],
    )
    connection.execute("create table reference.product_categories (category varchar, description varchar)")
    connection.executemany(
        "insert into reference.product_categories values (?, ?)",
        [("audio", "Audio"), ("seed_only_category", "Only in the shipped seed")],
    )
    connection.close()
    return path


COMPLIANCE_RULES = [
    (
        "SENT_AFTER_OPPOSITION",
        "critical",
        "GDPR art. 21(3); Garante doc. web 9819285",
        "After objection.",
    ),
    ("CONSENT_MISSING", "critical", "GDPR art. 7(1)", "No active consent."),
    (
        "NON_EMAIL_CHANNEL",
        "critical",
        "D.Lgs. 196/2003 art. 130 c.4",
        "Soft spam on another channel.",
    ),
    ("NO_OPT_OUT_LINK", "high", "Directive 2002/58/EC art. 13(2)", "No opt-out."),
    ("NOT_ANALOGOUS", "high", "D.Lgs. 196/2003 art. 130 c.4", "Not analogous."),
    (
        "AUTHORIZATION_EXPIRED",
        "warning",
        "Garante 2005 retention benchmark",
        "Authorization too old.",
    ),
]


def add_propagation_mart(path: Path) -> None:
    """marts.propagation as the dbt model writes it, for the report's propagation section:
    mailchimp (SLA 48 h) shows OPP-7 in 24 h and never shows +OPP-9 (late at its last snapshot);
    crm (72 h) shows OPP-7 after 278 h (late). The owed persons gain the model's scope and
    source_system, which the suppression deltas read."""
    connection = duckdb.connect(str(path))
    connection.execute(
        "alter table marts.application_suppressions add column scope varchar default 'all_marketing'; "
        "alter table marts.application_suppressions add column source_system varchar default 'crm'"
    )
    connection.execute(
        """
        create table marts.propagation (application varchar, person_key varchar, opposition_id varchar,
            opposed_at timestamptz, first_seen_at timestamptz, hours_to_propagate double,
            is_within_sla boolean, email varchar, source_system varchar, scope varchar,
            sla_hours integer, due_at timestamptz, is_propagated boolean, is_already_suppressed boolean,
            is_in_latest_snapshot boolean, latest_snapshot_taken_at timestamptz)
        """
    )
    connection.executemany(
        "insert into marts.propagation values (?, ?, ?, ?::timestamptz, ?::timestamptz, ?, ?, ?, 'crm',"
        " 'all_marketing', ?, ?::timestamptz, ?, false, ?, '2026-02-01 00:00:00+00')",
        [
            ("mailchimp", person_key(ANNA), "OPP-7", "2026-01-20 10:00:00+00", "2026-01-21 10:00:00+00", 24.0)
            + (True, ANNA, 48, "2026-01-22 10:00:00+00", True, True),
            ("mailchimp", person_key(LUCA), "+OPP-9", "2026-01-25 10:00:00.250+00", None, None)
            + (False, LUCA, 48, "2026-01-27 10:00:00.250+00", False, False),
            ("crm", person_key(ANNA), "OPP-7", "2026-01-20 10:00:00+00", "2026-02-01 00:00:00+00", 278.0)
            + (False, ANNA, 72, "2026-01-23 10:00:00+00", True, True),
        ],
    )
    connection.close()
