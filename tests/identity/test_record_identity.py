"""The identity of a landed record (docs/formats.md section 1), and incremental runs that equal a full
build whatever a re-export corrects, including the address: each case once failed."""

from __future__ import annotations

import pytest

from .harness import Company, differences, rows

pytestmark = pytest.mark.slow

ANNA, BRUNO = "anna@example.it", "bruno@example.it"


def _sale(email: str, **fields: str) -> dict[str, str]:
    row = {"order_id": "O1", "line_id": "1", "email": email, "product_category": "audio",
           "ordered_at": "2026-01-10 10:00:00", "source_system": "ecommerce", "is_paid": "true",
           "status": "completed", "soft_spam_opt_out": "no"}  # fmt: skip
    return {**row, **fields}


def _send(send_id: str, email: str, sent_at: str, **fields: str) -> dict[str, str]:
    row = {"send_id": send_id, "campaign_id": "C1", "channel": "email", "email": email,
           "promoted_category": "audio", "legal_basis": "soft_spam", "sent_at": sent_at,
           "has_opt_out_link": "yes", "source_system": "mailchimp"}  # fmt: skip
    return {**row, **fields}


def _company(tmp_path) -> Company:
    company = Company(tmp_path)
    company.land_canonical("sends", "sends_1.csv", [
        _send("S1", ANNA, "2026-02-10 10:00:00"),
        _send("S2", BRUNO, "2026-02-11 10:00:00"),
    ])  # fmt: skip
    return company


def _violations(warehouse) -> list[tuple]:
    return rows(warehouse, "select send_id, email, rule_code from marts.violations")


def _assert_incremental_equals_full(company: Company) -> None:
    assert differences(company.warehouse, company.full_build()) == {}


def test_a_sale_line_moved_to_another_address_leaves_its_first_buyer(tmp_path) -> None:
    company = _company(tmp_path)
    company.land_canonical("sales", "sales_1.csv", [_sale(ANNA)])
    company.run()
    assert _violations(company.warehouse) == [("S2", BRUNO, "NO_SALE_RELATIONSHIP")]
    company.land_canonical("sales", "sales_2_corrected.csv", [_sale(BRUNO)])
    company.run()
    assert _violations(company.warehouse) == [("S1", ANNA, "NO_SALE_RELATIONSHIP")]
    _assert_incremental_equals_full(company)


def test_an_opposition_moved_to_another_address(tmp_path) -> None:
    company = _company(tmp_path)
    company.land_canonical("sales", "sales_1.csv", [_sale(ANNA), _sale(BRUNO, order_id="O2")])
    opposition = {"opposition_id": "P1", "scope": "soft_spam", "opposed_at": "2026-02-01 10:00:00",
                  "source_system": "crm"}  # fmt: skip
    company.land_canonical("oppositions", "crm_1.csv", [{**opposition, "email": ANNA}])
    company.run()
    assert _violations(company.warehouse) == [("S1", ANNA, "SENT_AFTER_OPPOSITION")]
    company.land_canonical("oppositions", "crm_2.csv", [{**opposition, "email": BRUNO}])
    company.run()
    assert _violations(company.warehouse) == [("S2", BRUNO, "SENT_AFTER_OPPOSITION")]
    eligible = rows(
        company.warehouse,
        "select email, is_eligible from marts.audience_eligibility"
        " where channel = 'email' and product_category = 'audio'",
    )
    assert eligible == [(ANNA, True), (BRUNO, False)]
    _assert_incremental_equals_full(company)


def test_a_consent_moved_to_another_address(tmp_path) -> None:
    company = Company(tmp_path)
    company.land_canonical("sends", "sends_1.csv", [
        _send("S1", ANNA, "2026-02-10 10:00:00", legal_basis="consent"),
        _send("S2", BRUNO, "2026-02-11 10:00:00", legal_basis="consent"),
    ])  # fmt: skip
    consent = {"consent_id": "K1", "channel": "email", "status": "granted", "event_at": "2026-01-01 10:00:00",
               "source_system": "preference_center"}  # fmt: skip
    company.land_canonical("consents", "pc_1.csv", [{**consent, "email": ANNA}])
    company.run()
    assert _violations(company.warehouse) == [("S2", BRUNO, "CONSENT_MISSING")]
    company.land_canonical("consents", "pc_2.csv", [{**consent, "email": BRUNO}])
    company.run()
    assert _violations(company.warehouse) == [("S1", ANNA, "CONSENT_MISSING")]
    _assert_incremental_equals_full(company)


def test_a_send_moved_to_another_address_takes_its_only_person_away(tmp_path) -> None:
    carla = "carla@example.it"
    company = _company(tmp_path)
    company.land_canonical("sales", "sales_1.csv", [_sale(ANNA), _sale(BRUNO, order_id="O2")])
    company.land_canonical("sends", "sends_2.csv", [_send("S3", carla, "2026-03-01 10:00:00")])
    company.run()
    assert ("S3", carla, "NO_SALE_RELATIONSHIP") in _violations(company.warehouse)
    company.land_canonical("sends", "sends_3_corrected.csv", [_send("S3", ANNA, "2026-03-01 10:00:00")])
    company.run()
    assert _violations(company.warehouse) == []
    persons = rows(company.warehouse, "select distinct email from marts.audience_eligibility")
    assert persons == [(ANNA,), (BRUNO,)]
    _assert_incremental_equals_full(company)


def test_source_systems_compare_after_lower_trim_in_a_record_identity(tmp_path) -> None:
    company = _company(tmp_path)
    company.land_canonical("sales", "sales_1.csv", [_sale(ANNA), _sale(BRUNO, order_id="O2")])
    company.run()
    assert _violations(company.warehouse) == []
    # the same line re-exported by `Ecommerce `, cancelled: it no longer qualifies
    corrected = _sale(ANNA, source_system=" Ecommerce ", status="cancelled")
    company.land_canonical("sales", "sales_2.csv", [corrected])
    company.run()
    assert _violations(company.warehouse) == [("S1", ANNA, "NO_SALE_RELATIONSHIP")]
    lines = rows(company.warehouse, "select order_id, status from staging.stg_landing__order_lines")
    assert lines == [("O1", "cancelled"), ("O2", "completed")]
    _assert_incremental_equals_full(company)


SHOPIFY_HEADER = ["Name", "Email", "Financial Status", "Accepts Marketing", "Total", "Created at",
                  "Lineitem quantity", "Lineitem name", "Lineitem sku", "Cancelled at", "Id"]  # fmt: skip


def test_two_shopify_stores_reusing_an_order_number_keep_both_orders(tmp_path) -> None:
    company = _company(tmp_path)

    def order(store_id: str, email: str) -> dict[str, str]:
        return {"Name": "#1001", "Email": email, "Financial Status": "paid", "Accepts Marketing": "no",
                "Total": "10.00", "Created at": "2026-01-10 10:00:00 +0100", "Lineitem quantity": "1",
                "Lineitem name": "Cuffie", "Lineitem sku": "AUD-001", "Cancelled at": "",
                "Id": store_id}  # fmt: skip

    company.land("sales/shop_a.csv", SHOPIFY_HEADER, [order("5550001", ANNA)])
    company.land("sales/shop_b.csv", SHOPIFY_HEADER, [order("7770001", BRUNO)])
    company.run()
    lines = rows(
        company.warehouse, "select order_id, order_name, email from staging.stg_shopify__order_lines"
    )
    assert lines == [("5550001", "#1001", ANNA), ("7770001", "#1001", BRUNO)]
    assert _violations(company.warehouse) == []
    _assert_incremental_equals_full(company)


MAILCHIMP_HEADER = ["Email Address", "First Name", "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
                    "UNSUB_REASON", "LEID", "EUID"]  # fmt: skip


def test_a_member_who_resubscribed_and_unsubscribed_again_keeps_both_objections(tmp_path) -> None:
    company = Company(tmp_path)
    company.land_canonical("sales", "sales_1.csv", [_sale(ANNA)])
    company.land_canonical("sends", "sends_1.csv", [_send("S1", ANNA, "2026-03-15 10:00:00")])

    def unsubscribe(at: str) -> dict[str, str]:
        return {"Email Address": ANNA, "First Name": "Anna", "UNSUB_TIME": at,
                "UNSUB_CAMPAIGN_TITLE": "Spring", "UNSUB_CAMPAIGN_ID": "c1", "UNSUB_REASON": "NORMAL",
                "LEID": "101", "EUID": "e101"}  # fmt: skip

    company.land("oppositions/mailchimp_2026-03.csv", MAILCHIMP_HEADER, [unsubscribe("2026-03-01 10:00:00")])
    company.run()
    assert _violations(company.warehouse) == [("S1", ANNA, "SENT_AFTER_OPPOSITION")]
    # resubscribed, then unsubscribed again: the later export shows only the later time
    company.land("oppositions/mailchimp_2026-05.csv", MAILCHIMP_HEADER, [unsubscribe("2026-05-01 10:00:00")])
    company.run()
    assert _violations(company.warehouse) == [("S1", ANNA, "SENT_AFTER_OPPOSITION")]
    objections = rows(company.warehouse, "select first_opposed_at::varchar from marts.suppression_list")
    assert objections == [("2026-03-01 10:00:00+00",)]
    _assert_incremental_equals_full(company)


def test_an_older_mailchimp_export_repeating_unsub_reason_is_read(tmp_path) -> None:
    company = Company(tmp_path)
    header = [*MAILCHIMP_HEADER[:6], "UNSUB_REASON", "UNSUB_CAMPAIGN_ID", *MAILCHIMP_HEADER[6:]]
    line = f"{ANNA},Anna,2026-03-01 10:00:00,Spring,c1,NORMAL,OTHER,c2,101,e101\n"
    company.land_bytes("oppositions/mailchimp_old.csv", (",".join(header) + "\n" + line).encode())
    company.run()
    loads = rows(company.warehouse, "select status, rows_loaded, repeated_columns from raw.load_ledger")
    assert loads == [("loaded", 1, "unsub_campaign_id, unsub_reason")]
    objections = rows(company.warehouse, "select email, scope from marts.suppression_list")
    assert objections == [(ANNA, "email_marketing")]
    landed = rows(
        company.warehouse,
        "select unsub_reason, unsub_campaign_id, _extra_columns from raw.mailchimp_unsubscribes",
    )
    extra = '{"First Name":"Anna","UNSUB_REASON":"OTHER","UNSUB_CAMPAIGN_ID":"c2"}'
    assert landed == [("NORMAL", "c1", extra)]
    findings = rows(
        company.warehouse, "select finding_type, kind, record_ref from marts.data_quality_findings"
    )
    assert findings == [("repeated_column", "oppositions", "oppositions/mailchimp_old.csv")]


def test_the_same_bytes_in_two_places_are_loaded_for_each(tmp_path) -> None:
    company = Company(tmp_path)
    content = (
        ",".join(MAILCHIMP_HEADER) + "\n" + f"{ANNA},Anna,2026-03-01 10:00:00,Spring,c1,NORMAL,101,e101\n"
    ).encode()
    company.land_bytes("oppositions/unsubscribed.csv", content)
    company.land_bytes("suppressions/mailchimp/unsubscribed_2026-04-01.csv", content)
    company.land_bytes("suppressions/newsletter_tool/unsubscribed_2026-04-01.csv", content)
    company.run()
    loads = rows(company.warehouse, "select file_name, landing_place, rows_loaded from marts.load_audit")
    assert loads == [
        ("oppositions/unsubscribed.csv", "oppositions", 1),
        ("suppressions/mailchimp/unsubscribed_2026-04-01.csv", "suppressions/mailchimp", 1),
        ("suppressions/newsletter_tool/unsubscribed_2026-04-01.csv", "suppressions/newsletter_tool", 1),
    ]
    # the same bytes again in a place that has them are skipped
    company.land_bytes("oppositions/unsubscribed_again.csv", content)
    company.run()
    assert len(rows(company.warehouse, "select * from raw.load_ledger")) == 3
