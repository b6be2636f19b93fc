"""The identity of a landed record (contracts: docs/formats.md section 1), and incremental runs that
equal a full build whatever a re-export corrects, the address included: each case once failed.

One company holds every case, each with its own persons, landed in two runs: the first lands the
records, the second their corrections; the marts are read after each run, and after the second
compared with a fresh warehouse that ingests the same files in the same order and builds once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from .harness import Company, differences, rows

pytestmark = pytest.mark.slow

SHOPIFY_HEADER = ["Name", "Email", "Financial Status", "Accepts Marketing", "Total", "Created at",
                  "Lineitem quantity", "Lineitem name", "Lineitem sku", "Cancelled at", "Id"]  # fmt: skip
MAILCHIMP_HEADER = ["Email Address", "First Name", "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
                    "UNSUB_REASON", "LEID", "EUID"]  # fmt: skip


def person(case: str, who: str) -> str:
    return f"{case}.{who}@example.it"


def sale(order_id: str, email: str, **fields: str) -> dict[str, str]:
    row = {"order_id": order_id, "line_id": "1", "email": email, "product_category": "audio",
           "ordered_at": "2026-01-10 10:00:00", "source_system": "ecommerce", "is_paid": "true",
           "status": "completed", "soft_spam_opt_out": "no"}  # fmt: skip
    return {**row, **fields}


def send(send_id: str, email: str, sent_at: str = "2026-03-20 10:00:00", **fields: str) -> dict[str, str]:
    row = {"send_id": send_id, "campaign_id": "C1", "channel": "email", "email": email,
           "promoted_category": "audio", "legal_basis": "soft_spam", "sent_at": sent_at,
           "has_opt_out_link": "yes", "source_system": "mailchimp"}  # fmt: skip
    return {**row, **fields}


def opposition(email: str) -> dict[str, str]:
    return {"opposition_id": "P1", "email": email, "scope": "soft_spam", "opposed_at": "2026-02-01 10:00:00",
            "source_system": "crm"}  # fmt: skip


def consent(email: str) -> dict[str, str]:
    return {"consent_id": "K1", "email": email, "channel": "email", "status": "granted",
            "event_at": "2026-01-01 10:00:00", "source_system": "preference_center"}  # fmt: skip


def shopify_order(store_id: str, email: str) -> dict[str, str]:
    return {"Name": "#1001", "Email": email, "Financial Status": "paid", "Accepts Marketing": "no",
            "Total": "10.00", "Created at": "2026-01-10 10:00:00 +0100", "Lineitem quantity": "1",
            "Lineitem name": "Cuffie", "Lineitem sku": "AUD-001", "Cancelled at": "",
            "Id": store_id}  # fmt: skip


def unsubscribe(email: str, member: str, at: str) -> dict[str, str]:
    return {"Email Address": email, "First Name": "Anna", "UNSUB_TIME": at, "UNSUB_CAMPAIGN_TITLE": "Spring",
            "UNSUB_CAMPAIGN_ID": "c1", "UNSUB_REASON": "NORMAL", "LEID": member, "EUID": ""}  # fmt: skip


def mailchimp_file(*lines: dict[str, str], header: list[str] = MAILCHIMP_HEADER) -> bytes:
    return (
        "\n".join([",".join(header), *(",".join(line[c] for c in header) for line in lines)]) + "\n"
    ).encode()


SAME_BYTES = mailchimp_file(unsubscribe(person("bytes", "a"), "301", "2026-03-01 10:00:00"))
OLDER_HEADER = [*MAILCHIMP_HEADER[:6], "UNSUB_REASON", "UNSUB_CAMPAIGN_ID", *MAILCHIMP_HEADER[6:]]
OLDER_EXPORT = (
    ",".join(OLDER_HEADER)
    + "\n"
    + f"{person('older', 'a')},Anna,2026-03-01 10:00:00,Spring,c1,NORMAL,OTHER,c2,401,\n"
).encode()


def land_records(company: Company) -> None:
    company.land_canonical("sales", "sales_1.csv", [
        sale("O1", person("sale", "a")),
        sale("O2", person("opposition", "a")), sale("O3", person("opposition", "b")),
        sale("O4", person("send", "a")),
        sale("O5", person("spelling", "a")),
        sale("O6", person("resubscribed", "a")),
    ])  # fmt: skip
    company.land_canonical("oppositions", "crm_1.csv", [opposition(person("opposition", "a"))])
    company.land_canonical("consents", "preferences_1.csv", [consent(person("consent", "a"))])
    company.land_canonical("sends", "sends_1.csv", [
        send("S1", person("sale", "a")), send("S2", person("sale", "b")),
        send("S3", person("opposition", "a")), send("S4", person("opposition", "b")),
        send("S5", person("consent", "a"), legal_basis="consent"),
        send("S6", person("consent", "b"), legal_basis="consent"),
        send("S7", person("send", "c")),
        send("S8", person("spelling", "a")),
        send("S9", person("shopify", "a")), send("S10", person("shopify", "b")),
        send("S11", person("resubscribed", "a"), sent_at="2026-03-15 10:00:00"),
    ])  # fmt: skip
    company.land("sales/shop_a.csv", SHOPIFY_HEADER, [shopify_order("5550001", person("shopify", "a"))])
    company.land("sales/shop_b.csv", SHOPIFY_HEADER, [shopify_order("7770001", person("shopify", "b"))])
    company.land_bytes(
        "oppositions/mailchimp_2026-03.csv",
        mailchimp_file(unsubscribe(person("resubscribed", "a"), "201", "2026-03-01 10:00:00")),
    )
    company.land_bytes("oppositions/mailchimp_old.csv", OLDER_EXPORT)
    company.land_bytes("oppositions/unsubscribed.csv", SAME_BYTES)
    company.land_bytes("suppressions/mailchimp/unsubscribed_2026-04-01.csv", SAME_BYTES)
    company.land_bytes("suppressions/newsletter_tool/unsubscribed_2026-04-01.csv", SAME_BYTES)


def land_corrections(company: Company) -> None:
    company.land_canonical("sales", "sales_2_corrected.csv", [
        sale("O1", person("sale", "b")),
        # the same line re-exported by ` Ecommerce `, cancelled: it no longer qualifies
        sale("O5", person("spelling", "a"), source_system=" Ecommerce ", status="cancelled"),
    ])  # fmt: skip
    company.land_canonical("oppositions", "crm_2_corrected.csv", [opposition(person("opposition", "b"))])
    company.land_canonical("consents", "preferences_2_corrected.csv", [consent(person("consent", "b"))])
    company.land_canonical("sends", "sends_2_corrected.csv", [send("S7", person("send", "a"))])
    # resubscribed, then unsubscribed again: the later export shows only the later time
    company.land_bytes(
        "oppositions/mailchimp_2026-05.csv",
        mailchimp_file(unsubscribe(person("resubscribed", "a"), "201", "2026-05-01 10:00:00")),
    )
    company.land_bytes("oppositions/unsubscribed_again.csv", SAME_BYTES)


@dataclass
class Outcome:
    after_records: dict[str, list[tuple]]
    after_corrections: dict[str, list[tuple]]
    differences_from_a_fresh_build: dict


QUERIES = {
    "violations": "select send_id, email, rule_code from marts.violations",
    "eligible": "select email, is_eligible from marts.audience_eligibility"
    " where channel = 'email' and product_category = 'audio'",
    "lines": "select source_system, order_id, status from staging.stg_landing__order_lines",
    "shopify": "select order_id, order_name, email from staging.stg_shopify__order_lines",
    "objections": "select email, first_opposed_at::varchar from marts.suppression_list",
    "loads": "select file_name, landing_place, status, rows_loaded, repeated_columns from marts.load_audit",
    "older": "select unsub_reason, unsub_campaign_id, _extra_columns from raw.mailchimp_unsubscribes"
    " where leid = '401'",
    "findings": "select finding_type, kind, record_ref from marts.data_quality_findings",
}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> Outcome:
    company = Company(Path(tmp_path_factory.mktemp("corrections")))
    land_records(company)
    company.run()
    after_records = {name: rows(company.warehouse, sql) for name, sql in QUERIES.items()}
    land_corrections(company)
    company.run()
    after_corrections = {name: rows(company.warehouse, sql) for name, sql in QUERIES.items()}
    return Outcome(after_records, after_corrections, differences(company.warehouse, company.full_build()))


def of_case(found: list[tuple], case: str) -> list[tuple]:
    return [row for row in found if any(isinstance(value, str) and f"{case}." in value for value in row)]


def test_every_correction_equals_a_fresh_full_build(outcome: Outcome) -> None:
    assert outcome.differences_from_a_fresh_build == {}


def test_a_sale_line_moved_to_another_address_leaves_its_first_buyer(outcome: Outcome) -> None:
    before, after = outcome.after_records["violations"], outcome.after_corrections["violations"]
    assert of_case(before, "sale") == [("S2", person("sale", "b"), "NO_SALE_RELATIONSHIP")]
    assert of_case(after, "sale") == [("S1", person("sale", "a"), "NO_SALE_RELATIONSHIP")]


def test_an_opposition_moved_to_another_address(outcome: Outcome) -> None:
    before, after = outcome.after_records, outcome.after_corrections
    assert of_case(before["violations"], "opposition") == [
        ("S3", person("opposition", "a"), "SENT_AFTER_OPPOSITION")
    ]
    assert of_case(after["violations"], "opposition") == [
        ("S4", person("opposition", "b"), "SENT_AFTER_OPPOSITION")
    ]
    assert of_case(after["eligible"], "opposition") == [
        (person("opposition", "a"), True),
        (person("opposition", "b"), False),
    ]


def test_a_consent_moved_to_another_address(outcome: Outcome) -> None:
    before, after = outcome.after_records["violations"], outcome.after_corrections["violations"]
    assert of_case(before, "consent") == [("S6", person("consent", "b"), "CONSENT_MISSING")]
    assert of_case(after, "consent") == [("S5", person("consent", "a"), "CONSENT_MISSING")]


def test_a_send_moved_to_another_address_takes_its_only_person_away(outcome: Outcome) -> None:
    before, after = outcome.after_records, outcome.after_corrections
    assert of_case(before["violations"], "send") == [("S7", person("send", "c"), "NO_SALE_RELATIONSHIP")]
    assert of_case(after["violations"], "send") == []
    assert of_case(after["eligible"], "send") == [(person("send", "a"), True)]


def test_source_systems_compare_after_lower_trim_in_a_record_identity(outcome: Outcome) -> None:
    before, after = outcome.after_records, outcome.after_corrections
    assert of_case(before["violations"], "spelling") == []
    assert of_case(after["violations"], "spelling") == [
        ("S8", person("spelling", "a"), "NO_SALE_RELATIONSHIP")
    ]
    assert [line for line in after["lines"] if line[1] == "O5"] == [("ecommerce", "O5", "cancelled")]


def test_two_shopify_stores_reusing_an_order_number_keep_both_orders(outcome: Outcome) -> None:
    after = outcome.after_corrections
    assert after["shopify"] == [
        ("5550001", "#1001", person("shopify", "a")),
        ("7770001", "#1001", person("shopify", "b")),
    ]
    assert of_case(after["violations"], "shopify") == []


def test_a_member_who_resubscribed_and_unsubscribed_again_keeps_both_objections(outcome: Outcome) -> None:
    before, after = outcome.after_records, outcome.after_corrections
    objection = [("S11", person("resubscribed", "a"), "SENT_AFTER_OPPOSITION")]
    assert of_case(before["violations"], "resubscribed") == objection
    assert of_case(after["violations"], "resubscribed") == objection
    assert of_case(after["objections"], "resubscribed") == [
        (person("resubscribed", "a"), "2026-03-01 10:00:00+00")
    ]


def test_an_older_mailchimp_export_repeating_unsub_reason_is_read(outcome: Outcome) -> None:
    after = outcome.after_corrections
    load = [row for row in after["loads"] if row[0] == "oppositions/mailchimp_old.csv"]
    assert load == [
        ("oppositions/mailchimp_old.csv", "oppositions", "loaded", 1, "unsub_campaign_id, unsub_reason")
    ]
    assert of_case(after["objections"], "older") == [(person("older", "a"), "2026-03-01 10:00:00+00")]
    extra = '{"First Name":"Anna","UNSUB_REASON":"OTHER","UNSUB_CAMPAIGN_ID":"c2"}'
    assert after["older"] == [("NORMAL", "c1", extra)]
    assert after["findings"] == [("repeated_column", "oppositions", "oppositions/mailchimp_old.csv")]


def test_the_same_bytes_in_two_places_are_loaded_for_each_and_again_in_one_place_skipped(
    outcome: Outcome,
) -> None:
    loads = [row[:2] + row[3:4] for row in outcome.after_corrections["loads"] if "unsubscribed" in row[0]]
    assert loads == [
        ("oppositions/unsubscribed.csv", "oppositions", 1),
        ("suppressions/mailchimp/unsubscribed_2026-04-01.csv", "suppressions/mailchimp", 1),
        ("suppressions/newsletter_tool/unsubscribed_2026-04-01.csv", "suppressions/newsletter_tool", 1),
    ]
