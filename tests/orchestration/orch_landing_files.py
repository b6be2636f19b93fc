"""A tiny landing folder whose outcome is known send by send (docs/rules.md section 3)."""

from pathlib import Path

SALES = (
    "order_id,line_id,email,product_category,ordered_at,is_paid,status,privacy_notice_version,"
    "soft_spam_opt_out,source_system\n"
    "O1,1,anna@example.com,garden,2026-01-10T10:00:00+01:00,true,completed,,false,ecommerce\n"
    "O2,1,bruno@example.com,garden,2026-01-11 10:00:00,true,completed,,false,ecommerce\n"
    # no order_id: quarantined, counted
    ",1,nobody@example.com,garden,2026-01-11 10:00:00,true,completed,,false,ecommerce\n"
)
SENDS = (
    "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,source_system\n"
    # compliant: informed garden buyer, soft spam about garden
    "S1,C1,email,anna@example.com,garden,soft_spam,2026-02-01T09:00:00Z,true,mailchimp\n"
    # NO_OPT_OUT_LINK and SENT_AFTER_OPPOSITION (bruno objected on 2026-01-20)
    "S2,C1,email,bruno@example.com,garden,soft_spam,2026-02-01T09:00:00Z,false,mailchimp\n"
    # NON_EMAIL_CHANNEL
    "S3,C1,sms,carla@example.com,garden,soft_spam,2026-02-01T09:00:00Z,true,sms_gateway\n"
    # compliant: consent granted before the send
    "S4,C1,email,dario@example.com,garden,consent,2026-02-01T09:00:00Z,true,mailchimp\n"
)
OPPOSITIONS = (
    "opposition_id,email,scope,opposed_at,source_system\n"
    "P1,bruno@example.com,email_marketing,2026-01-20T10:00:00Z,crm\n"
)
CONSENTS = (
    "consent_id,email,channel,status,event_at,source_system\n"
    "K1,dario@example.com,email,granted,2026-01-05T10:00:00Z,preference_center\n"
)
SUPPRESSION_SNAPSHOT = "email,suppressed_since\nbruno@example.com,2026-01-21T00:00:00Z\n"

FILES = {
    "sales/orders_2026-01.csv": SALES,
    "sends/sends_2026-02.csv": SENDS,
    "oppositions/crm.csv": OPPOSITIONS,
    "consents/consents.csv": CONSENTS,
    "suppressions/crm/crm_2026-02-10.csv": SUPPRESSION_SNAPSHOT,
}
EXPECTED_VIOLATIONS = {"NO_OPT_OUT_LINK": 1, "SENT_AFTER_OPPOSITION": 1, "NON_EMAIL_CHANNEL": 1}


def write_landing(root: Path, files: dict[str, str] | None = None) -> Path:
    for name, text in (files or FILES).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
