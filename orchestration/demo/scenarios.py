"""Planted cases: one dedicated person per rule and boundary of docs/rules.md sections 3, 4 and 7.

Every case is identical at every scale. Addresses read as the case they plant. Unless a case says
otherwise, a buyer's authorization is a paid, informed smartphone purchase on 2025-05-10 (notice
v2025 in force), so soft-spam e-mail about smartphones or audio passes the chain until 2027-05-10.
"""

from __future__ import annotations

from orchestration.demo.casebook import CONSENTS_FILE, OPPOSITIONS_FILE, SENDS_FILE, CaseBook
from orchestration.demo.formats import (
    CONSENTS_COLUMNS,
    OPPOSITIONS_COLUMNS,
    SENDS_COLUMNS,
    mailchimp_objection_id,
)

AUTHORIZED_AT = "2025-05-10T09:00:00Z"
OVERLAP_FIRST = "sends/sends_2026-10-01.csv"  # an export...
OVERLAP_SECOND = "sends/sends_2026-10-02.csv"  # ...and the next one, overlapping it: this one wins
SAO = "SENT_AFTER_OPPOSITION"


class _Ids:
    def __init__(self, prefix: str) -> None:
        self._prefix, self._n = prefix, 0

    def __call__(self) -> str:
        self._n += 1
        return f"{self._prefix}{self._n:03d}"


def plant_cases(book: CaseBook) -> None:
    ids = {
        "send": _Ids("CASE-S"),
        "order": _Ids("CASE-O"),
        "opp": _Ids("OPP-CASE-"),
        "consent": _Ids("CONS-CASE-"),
    }
    for plant in (
        _opposition_timing,
        _lifting,
        _consents,
        _refusals,
        _soft_spam_chain,
        _window,
        _notices,
        _basis_channel_opt_out,
        _addresses_and_controller,
        _overlapping_exports,
        _unreadable_rows,
        _shopify,
        _mailchimp,
        _alignment,
    ):
        plant(book, ids)


def _authorized(book: CaseBook, ids: dict[str, _Ids], email: str) -> None:
    book.sale(ids["order"](), email, "smartphones", AUTHORIZED_AT)


def _opposition_timing(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.exact-second@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), who, "soft_spam", "2026-02-10T11:00:00+01:00", request_channel="reply")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2026-02-10T10:00:00Z", expect=[SAO])
    book.case(
        who,
        "objects at 10:00:00Z (written +01:00), mailed at that very second",
        SAO,
        "no grace: t >= opposed_at fires",
    )

    who = "case.second-before@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), who, "soft_spam", "2026-02-10T10:00:00Z")
    book.send(ids["send"](), who, "audio", "soft_spam", "2026-02-10T09:59:59Z")
    book.case(who, "mailed one second before objecting", "none", "the objection did not exist yet")

    who = "case.dst-night@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), who, "soft_spam", "2026-03-29T01:30:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2026-03-29 03:10:00", source="crm")
    book.send(
        ids["send"](), who, "smartphones", "soft_spam", "2026-03-29 03:40:00", source="crm", expect=[SAO]
    )
    book.case(
        who,
        "naive 03:10 and 03:40 Rome on the DST night (01:10Z, 01:40Z), objection 01:30Z",
        f"none, then {SAO}",
        "naive times are Rome summer time (+02) after 02:00 that night",
    )

    who = "case.new-purchase@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), who, "soft_spam", "2025-08-01T10:00:00Z")
    book.sale(ids["order"](), who, "audio", "2025-09-01T10:00:00Z")
    book.send(ids["send"](), who, "audio", "soft_spam", "2025-10-01T10:00:00Z", expect=[SAO])
    book.case(who, "objects, buys again, then soft-spam mail", SAO, "nothing lifts an objection to soft spam")


def _lifting(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.lifted-by-consent@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), who, "email_marketing", "2025-09-01T08:00:00Z", source="preference_center")
    book.consent(ids["consent"](), who, "email", "granted", "2025-10-01T08:00:00Z")
    book.send(ids["send"](), who, "smartphones", "consent", "2025-11-01T09:00:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-11-02T09:00:00Z", expect=[SAO])
    book.case(
        who,
        "objects, later consents to e-mail; a consent mail then a soft-spam mail",
        f"none, then {SAO}",
        "a later consent lifts the objection for consent-based sends only",
    )

    who = "case.consent-same-instant@example.it"
    book.opposition(ids["opp"](), who, "email_marketing", "2025-09-01T08:00:00Z", source="preference_center")
    book.consent(ids["consent"](), who, "email", "granted", "2025-09-01T08:00:00Z")
    book.send(ids["send"](), who, "kitchen", "consent", "2025-10-01T09:00:00Z", expect=[SAO])
    book.case(
        who,
        "consent granted at the very instant of the objection",
        SAO,
        "a lifting consent must be strictly later",
    )

    who = "case.all-marketing-lifted-by-sms@example.it"
    book.opposition(
        ids["opp"](), who, "all_marketing", "2025-04-01T10:00:00Z", source="dpo", request_channel="pec"
    )
    book.consent(ids["consent"](), who, "sms", "granted", "2025-05-01T10:00:00Z")
    book.send(
        ids["send"](), who, "fashion", "consent", "2025-06-01T10:00:00Z", channel="sms", source="sms_gateway"
    )
    book.send(
        ids["send"](), who, "fashion", "consent", "2025-06-02T10:00:00Z", expect=[SAO, "CONSENT_MISSING"]
    )
    book.missing_from_snapshot(who, ["sms_gateway"])
    book.case(
        who,
        "objects to all marketing, later consents to SMS; an SMS then an e-mail",
        f"none, then {SAO} + CONSENT_MISSING",
        "the SMS consent lifts the objection for SMS only; "
        "not owed on the SMS suppression list, so missing from it is no gap",
    )


def _consents(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.all-channel@example.it"
    book.consent(ids["consent"](), who, "all", "granted", "2025-02-01T10:00:00+01:00")
    book.send(
        ids["send"](),
        who,
        "beauty",
        "consent",
        "2025-03-01 10:00:00",
        channel="sms",
        source="sms_gateway",
        opt_out="1",
    )
    book.send(ids["send"](), who, "beauty", "consent", "2025-03-02T10:00:00Z", opt_out="Yes")
    book.case(
        who, "one consent for channel `all`; an SMS and an e-mail", "none", "`all` covers every channel"
    )

    who = "case.all-withdrawn@example.it"
    book.consent(ids["consent"](), who, "all", "granted", "2025-02-01T10:00:00Z")
    book.consent(ids["consent"](), who, "all", "withdrawn", "2025-06-01T10:00:00Z")
    book.send(
        ids["send"](),
        who,
        "beauty",
        "consent",
        "2025-07-01T10:00:00Z",
        channel="sms",
        source="sms_gateway",
        expect=["CONSENT_MISSING", SAO],
    )
    book.case(
        who,
        "withdraws an `all` consent, then gets an SMS",
        f"CONSENT_MISSING + {SAO}",
        "the withdrawal of `all` is an all_marketing objection",
    )

    who = "case.withdrawal-opposes@example.it"
    _authorized(book, ids, who)
    book.consent(ids["consent"](), who, "email", "granted", "2025-01-10T10:00:00Z")
    book.consent(ids["consent"](), who, "email", "withdrawn", "2025-06-01T10:00:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-07-01T10:00:00Z", expect=[SAO])
    book.case(
        who,
        "withdraws e-mail consent, then gets soft-spam e-mail",
        SAO,
        "withdrawal_is_opposition: an email_marketing objection covers soft spam too",
    )

    who = "case.grant-withdraw-same-instant@example.it"
    book.consent(ids["consent"](), who, "email", "granted", "2025-04-01T09:00:00Z")
    book.consent(ids["consent"](), who, "email", "withdrawn", "2025-04-01T09:00:00Z")
    book.send(ids["send"](), who, "books", "consent", "2025-05-01T09:00:00Z", expect=["CONSENT_MISSING", SAO])
    book.case(
        who, "grant and withdrawal at the same instant", f"CONSENT_MISSING + {SAO}", "the withdrawal wins"
    )

    who = "case.unknown-scope@example.it"
    book.consent(ids["consent"](), who, "sms", "granted", "2025-01-10T10:00:00Z")
    book.opposition(
        ids["opp"](),
        who,
        "",
        "2025-03-01T10:00:00Z",
        source="customer_service",
        request_channel="phone",
        notes="Chiamata del cliente, chiede la cancellazione\ndi tutti i contatti",
    )
    book.send(
        ids["send"](),
        who,
        "sports",
        "consent",
        "2025-04-01T10:00:00Z",
        channel="sms",
        source="sms_gateway",
        expect=[SAO],
    )
    book.case(
        who,
        "objection with an empty scope (note spans two lines), then an SMS",
        SAO,
        "a missing scope is read as all_marketing",
    )

    who = "case.unknown-scope-word@example.it"
    book.consent(ids["consent"](), who, "sms", "granted", "2025-01-10T10:00:00Z")
    book.opposition(ids["opp"](), who, "everything", "2025-03-01T10:00:00Z", source="customer_service")
    book.send(
        ids["send"](),
        who,
        "sports",
        "consent",
        "2025-04-01T10:00:00Z",
        channel="sms",
        source="sms_gateway",
        expect=[SAO],
    )
    book.case(
        who,
        "objection with scope `everything`, then an SMS",
        SAO,
        "an unknown scope is read as all_marketing",
    )

    who = "case.scope-padded@example.it"
    book.consent(ids["consent"](), who, "sms", "granted", "2025-01-10T10:00:00Z")
    book.opposition(ids["opp"](), who, " Email_Marketing ", "2025-03-01T10:00:00Z", source="customer_service")
    book.send(
        ids["send"](), who, "sports", "consent", "2025-04-01T10:00:00Z", channel="sms", source="sms_gateway"
    )
    book.case(
        who,
        "objection scope ` Email_Marketing ` (padded, mixed case), then an SMS",
        "none",
        "normalized, it is email_marketing, which does not cover SMS",
    )


def _refusals(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.refused-cancelled-line@example.it"
    _authorized(book, ids, who)
    book.sale(ids["order"](), who, "audio", "2025-06-01T10:00:00Z", status="cancelled", refused="true")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-07-01T10:00:00Z", expect=[SAO])
    book.case(
        who, "ticks the refusal on a later order line that is then cancelled", SAO, "a refusal is a refusal"
    )

    who = "case.refused-free-line@example.it"
    _authorized(book, ids, who)
    book.sale(ids["order"](), who, "audio", "2025-06-01T10:00:00Z", is_paid="false", refused="yes")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-07-01T10:00:00Z", expect=[SAO])
    book.case(who, "ticks the refusal on a free line", SAO, "a refusal counts even where the line is no sale")

    who = "case.refused-at-checkout@example.it"
    book.sale(ids["order"](), who, "smartphones", AUTHORIZED_AT, refused="1")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-07-01T10:00:00Z", expect=[SAO])
    book.case(
        who,
        "refuses soft spam on the qualifying purchase itself",
        SAO,
        "a refusal at checkout is a soft_spam objection at the sale's time",
    )


def _soft_spam_chain(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.chain-no-sale@example.it"
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "soft_spam",
        "2025-10-01T10:00:00Z",
        expect=["NO_SALE_RELATIONSHIP"],
    )
    book.case(who, "soft-spam mail, never bought", "NO_SALE_RELATIONSHIP", "first step of the chain")

    who = "case.sale-same-second@example.it"
    book.sale(ids["order"](), who, "smartphones", "2025-10-01T10:00:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-10-01T10:00:00Z")
    book.case(who, "bought at the very second of the send", "none", "sales at or before t count")

    who = "case.sale-next-second@example.it"
    book.sale(ids["order"](), who, "smartphones", "2025-10-01T10:00:01Z")
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "soft_spam",
        "2025-10-01T10:00:00Z",
        expect=["NO_SALE_RELATIONSHIP"],
    )
    book.case(
        who,
        "bought one second after the send",
        "NO_SALE_RELATIONSHIP",
        "point in time: later facts do not count",
    )

    who = "case.chain-not-analogous@example.it"
    book.sale(ids["order"](), who, "books", "2024-02-01T10:00:00Z", version="v2021")
    book.send(
        ids["send"](), who, "smartphones", "soft_spam", "2026-05-01T10:00:00Z", expect=["NOT_ANALOGOUS"]
    )
    book.case(
        who,
        "bought a book (uninformed, over 24 months ago), gets smartphone offers",
        "NOT_ANALOGOUS",
        "only the first failing step is reported",
    )

    who = "case.chain-not-informed@example.it"
    book.sale(ids["order"](), who, "smartphones", "2024-01-15T10:00:00Z", version="v2021")
    book.send(ids["send"](), who, "audio", "soft_spam", "2026-05-01T10:00:00Z", expect=["NOT_INFORMED"])
    book.case(
        who,
        "bought under notice v2021 (no clause), over 24 months ago",
        "NOT_INFORMED",
        "only the first failing step is reported",
    )

    who = "case.chain-expired@example.it"
    book.sale(ids["order"](), who, "smartphones", "2024-01-15T10:00:00Z")
    book.sale(ids["order"](), who, "audio", "2025-12-01T10:00:00Z", version="v2021")
    book.sale(ids["order"](), who, "kitchen", "2026-01-10T10:00:00Z")
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "soft_spam",
        "2026-05-01T10:00:00Z",
        expect=["AUTHORIZATION_EXPIRED"],
    )
    book.case(
        who,
        "informed analogous sale in 2024; newer sales are uninformed or not analogous",
        "AUTHORIZATION_EXPIRED",
        "the window counts from the latest informed analogous sale",
    )


def _window(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.window-exact@example.it"
    book.sale(ids["order"](), who, "smartphones", "2024-03-15T10:00:00Z")
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "soft_spam",
        "2026-03-15T10:00:00Z",
        expect=["AUTHORIZATION_EXPIRED"],
    )
    book.case(
        who,
        "informed sale exactly 24 months before the send",
        "AUTHORIZATION_EXPIRED",
        "the sale must be strictly newer than t - 24 months",
    )

    who = "case.window-one-second-newer@example.it"
    book.sale(ids["order"](), who, "smartphones", "2024-03-15T10:00:01Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2026-03-15T10:00:00Z")
    book.case(
        who, "informed sale 24 months minus one second before the send", "none", "still inside the window"
    )


def _notices(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.notice-unknown-version@example.it"
    book.sale(ids["order"](), who, "smartphones", AUTHORIZED_AT, version="v2024-beta")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-07-01T10:00:00Z", expect=["NOT_INFORMED"])
    book.case(
        who,
        "sale names notice `v2024-beta`, absent from the reference data",
        "NOT_INFORMED",
        "an unknown notice proves nothing",
    )

    who = "case.sale-before-every-notice@example.it"
    book.sale(ids["order"](), who, "smartphones", "2020-06-01T10:00:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-06-01T10:00:00Z", expect=["NOT_INFORMED"])
    book.case(
        who,
        "sale of 2020, before the first notice (2021-01-01)",
        "NOT_INFORMED",
        "no notice was in force; the chain stops there, before the window",
    )

    who = "case.notice-midnight-rome@example.it"
    book.sale(ids["order"](), who, "smartphones", "2023-05-31T22:30:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2024-10-01T10:00:00Z")
    book.case(
        who,
        "sale at 2023-05-31T22:30Z = 1 June 00:30 in Rome",
        "none",
        "v2023 (clause) is in force from midnight Rome time",
    )

    who = "case.notice-before-midnight-rome@example.it"
    book.sale(ids["order"](), who, "smartphones", "2023-05-31T21:30:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2024-10-01T10:00:00Z", expect=["NOT_INFORMED"])
    book.case(
        who,
        "sale at 2023-05-31T21:30Z = 31 May 23:30 in Rome",
        "NOT_INFORMED",
        "v2021 (no clause) still in force",
    )


def _basis_channel_opt_out(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.no-basis-opposed@example.it"
    book.opposition(ids["opp"](), who, "email_marketing", "2025-03-01T10:00:00Z", source="preference_center")
    book.send(ids["send"](), who, "fashion", "", "2025-04-01T10:00:00Z", expect=["NO_LEGAL_BASIS", SAO])
    book.case(
        who,
        "send with an empty basis after an email_marketing objection",
        f"NO_LEGAL_BASIS + {SAO}",
        "a send without basis is still checked for objections",
    )

    who = "case.no-basis-soft-spam-objection@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), who, "soft_spam", "2025-06-01T10:00:00Z")
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "legitimate_interest",
        "2025-07-01T10:00:00Z",
        expect=["NO_LEGAL_BASIS"],
    )
    book.case(
        who,
        "basis `legitimate_interest` after a soft_spam objection",
        "NO_LEGAL_BASIS",
        "a soft_spam objection does not cover a send without valid basis",
    )

    who = "case.basis-padded@example.it"
    _authorized(book, ids, who)
    book.send(ids["send"](), who, "audio", " Soft_Spam ", "2025-07-01T10:00:00Z", channel=" EMAIL ")
    book.case(
        who, "basis ` Soft_Spam ` and channel ` EMAIL `", "none", "text is compared after lower(trim())"
    )

    who = "case.soft-spam-sms@example.it"
    _authorized(book, ids, who)
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "soft_spam",
        "2025-07-01T10:00:00Z",
        channel="sms",
        source="sms_gateway",
        expect=["NON_EMAIL_CHANNEL"],
    )
    book.case(who, "soft spam by SMS to an authorized buyer", "NON_EMAIL_CHANNEL", "soft spam is e-mail only")

    who = "case.soft-spam-no-channel@example.it"
    _authorized(book, ids, who)
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "soft_spam",
        "2025-07-01T10:00:00Z",
        channel="",
        expect=["NON_EMAIL_CHANNEL"],
    )
    book.case(who, "soft spam with an empty channel", "NON_EMAIL_CHANNEL", "a missing channel is not e-mail")

    who = "case.no-opt-out@example.it"
    _authorized(book, ids, who)
    for flag in ("false", "No", "0", "", "maybe"):
        book.send(
            ids["send"](),
            who,
            "audio",
            "soft_spam",
            "2025-07-01T10:00:00Z",
            opt_out=flag,
            expect=["NO_OPT_OUT_LINK"],
        )
    book.case(
        who,
        "five mails whose opt-out flag is false, No, 0, empty, `maybe`",
        "NO_OPT_OUT_LINK (each)",
        "a missing or unreadable flag means no opt-out",
    )

    who = "case.opt-out-spellings@example.it"
    _authorized(book, ids, who)
    for flag in ("TRUE", "yes", "1", "Si", "SI"):
        book.send(ids["send"](), who, "audio", "soft_spam", "2025-07-02T10:00:00Z", opt_out=flag)
    book.case(who, "five mails whose opt-out flag is TRUE, yes, 1, Si, SI", "none", "every accepted spelling")

    who = "case.sms-no-opt-out@example.it"
    book.consent(ids["consent"](), who, "sms", "granted", "2025-01-10T10:00:00Z")
    book.send(
        ids["send"](),
        who,
        "sports",
        "consent",
        "2025-02-01T10:00:00Z",
        channel="sms",
        source="sms_gateway",
        opt_out="no",
        expect=["NO_OPT_OUT_LINK"],
    )
    book.case(who, "consented SMS without a STOP option", "NO_OPT_OUT_LINK", "any basis, any channel")

    who = "(no address)"
    book.send(
        ids["send"](),
        "",
        "sports",
        "consent",
        "2025-02-01T10:00:00Z",
        channel="sms",
        source="sms_gateway",
        expect=["CONSENT_MISSING"],
    )
    book.send(
        ids["send"](), "  ", "sports", "soft_spam", "2025-02-01T10:00:00Z", expect=["NO_SALE_RELATIONSHIP"]
    )
    book.case(
        who,
        "an SMS on consent and a soft-spam mail with no address",
        "CONSENT_MISSING; NO_SALE_RELATIONSHIP",
        "kept and judged: it matches nobody",
    )


def _addresses_and_controller(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.mixed-case@example.it"
    book.sale(
        ids["order"](),
        "  Case.Mixed-Case@Example.IT ",
        "smartphones",
        "10/05/2025 11:00",
        is_paid="SI",
        refused="No",
        controller="demo_shop_srl",
        pos=True,
    )
    book.send(ids["send"](), "CASE.MIXED-CASE@example.it", "smartphones", "soft_spam", "2025-07-01T12:00:00")
    book.case(
        who,
        "till sale as `  Case.Mixed-Case@Example.IT ` (Italian date), mail to `CASE.MIXED-CASE@…`",
        "none",
        "addresses are compared after lower(trim())",
    )

    who = "case.refunded-line@example.it"
    book.sale(
        ids["order"](), who, "smartphones", "10/05/2025 11:00:00", status="Refunded", is_paid="si", pos=True
    )
    book.send(ids["send"](), who, "audio", "soft_spam", "2025-07-01T10:00:00Z")
    book.case(who, "only purchase later refunded", "none", "a refunded line is a sale")

    who = "case.padded-objection@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), " case.padded-objection@EXAMPLE.IT ", "soft_spam", "2025-06-01T10:00:00Z")
    book.send(
        ids["send"](),
        "Case.Padded-Objection@example.it",
        "smartphones",
        "soft_spam",
        "2025-07-01T10:00:00Z",
        expect=[SAO],
    )
    book.case(
        who, "objection recorded with a padded upper-case address", SAO, "same person after normalization"
    )

    who = "case.other-controller@example.it"
    book.sale(ids["order"](), who, "smartphones", AUTHORIZED_AT, controller="demo_outlet_srl")
    book.send(
        ids["send"](),
        who,
        "smartphones",
        "soft_spam",
        "2025-07-01T10:00:00Z",
        expect=["NO_SALE_RELATIONSHIP"],
    )
    book.case(
        who,
        "bought only from demo_outlet_srl",
        "NO_SALE_RELATIONSHIP",
        "another controller's sale does not authorize demo_shop_srl's mail",
    )


def _overlapping_exports(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.overlap@example.it"
    _authorized(book, ids, who)
    book.opposition(ids["opp"](), who, "soft_spam", "2026-09-30T12:00:00Z")
    corrected_flag, lost_flag, same, corrected_time = "OVL-001", "OVL-002", "OVL-003", "OVL-004"
    at = "2026-09-30T09:00:00Z"
    for later, (flag_lost, flag_corrected) in enumerate((("false", "true"), ("true", "no"))):
        file = OVERLAP_SECOND if later else OVERLAP_FIRST
        book.send(
            corrected_flag,
            who,
            "audio",
            "soft_spam",
            at,
            opt_out=flag_lost if not later else "true",
            file=file,
            wins=bool(later),
        )
        book.send(
            lost_flag,
            who,
            "audio",
            "soft_spam",
            at,
            opt_out=flag_corrected if later else "true",
            file=file,
            wins=bool(later),
            expect=["NO_OPT_OUT_LINK"],
        )
        book.send(same, who, "audio", "soft_spam", at, file=file, wins=bool(later))
        book.send(
            corrected_time,
            who,
            "audio",
            "soft_spam",
            "2026-09-30T13:00:00Z" if later else "2026-09-30T11:00:00Z",
            file=file,
            wins=bool(later),
            expect=[SAO],
        )
    book.send("OVL-005", who, "audio", "soft_spam", at, file=OVERLAP_FIRST)
    book.send("OVL-006", who, "audio", "soft_spam", at, file=OVERLAP_SECOND)
    book.case(
        who,
        "sends OVL-001..004 exported on 1 and 2 October with different content",
        f"OVL-002 NO_OPT_OUT_LINK, OVL-004 {SAO}, others none",
        "the later file (sorted path order) wins: OVL-001 gains its opt-out, OVL-002 loses it, "
        "OVL-004's time moves past the 12:00Z objection",
    )


def _unreadable_rows(book: CaseBook, ids: dict[str, _Ids]) -> None:
    send = {
        "campaign_id": "CASE-CAMPAIGN",
        "channel": "email",
        "email": "case.unreadable@example.it",
        "promoted_category": "audio",
        "legal_basis": "soft_spam",
        "has_opt_out_link": "true",
        "source_system": "mailchimp",
    }
    book.quarantined_row(
        SENDS_FILE, SENDS_COLUMNS, send | {"send_id": "", "sent_at": "2025-07-01T10:00:00Z"}, "missing"
    )
    book.quarantined_row(
        SENDS_FILE,
        SENDS_COLUMNS,
        send | {"send_id": "CASE-BAD-TIME", "sent_at": "ieri pomeriggio"},
        "unparseable",
    )
    book.quarantined_row(
        OPPOSITIONS_FILE,
        OPPOSITIONS_COLUMNS + ("notes",),
        {
            "email": "case.unreadable@example.it",
            "scope": "soft_spam",
            "opposed_at": "2025-07-01T10:00:00Z",
            "source_system": "crm",
            "notes": "id perso\nnel passaggio al nuovo CRM, vedi ticket 4411",
        },
        "missing",
    )
    book.quarantined_row(
        CONSENTS_FILE,
        CONSENTS_COLUMNS,
        {
            "consent_id": "CONS-CASE-BAD",
            "email": "case.unreadable@example.it",
            "channel": "email",
            "status": "granted",
            "event_at": "32/13/2025 25:61",
            "source_system": "preference_center",
        },
        "unparseable",
    )
    book.case(
        "case.unreadable@example.it",
        "rows with no id or an unreadable time in sends, oppositions, consents",
        "quarantined",
        "only unreadable rows leave the pipeline; listed in quarantine.csv",
    )


def _shopify(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.shopify-buyer@example.it"
    book.shopify_order(who, "2025-06-03 10:00:00 +0200", ["SMA-002", "ZZZ-999"], accepts_marketing="yes")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2025-07-01T10:00:00Z")
    book.send(ids["send"](), who, "kitchen", "consent", "2025-07-02T10:00:00Z")
    book.case(
        who,
        "Shopify order (a smartphone and an unknown SKU), Accepts Marketing = yes",
        "none",
        "the smartphone line authorizes soft spam; accepting marketing is an e-mail consent",
    )

    for who, options, what in (
        (
            "case.shopify-cancelled@example.it",
            {"cancelled_at": "2025-06-05 09:00:00 +0200"},
            "cancelled order",
        ),
        ("case.shopify-pending@example.it", {"financial_status": "pending"}, "order still pending payment"),
        ("case.shopify-zero-total@example.it", {"total": "0.00"}, "order with Total 0.00"),
    ):
        book.shopify_order(who, "2025-06-04 10:00:00 +0200", ["AUD-001"], **options)
        book.send(
            ids["send"](), who, "audio", "soft_spam", "2025-07-01T10:00:00Z", expect=["NO_SALE_RELATIONSHIP"]
        )
        book.case(
            who, f"Shopify {what}, then soft-spam mail", "NO_SALE_RELATIONSHIP", "not a qualifying sale"
        )

    who = "case.shopify-refunded@example.it"
    book.shopify_order(who, "2026-02-03 10:00:00 +0100", ["COM-003", "AUD-002"], financial_status="refunded")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2026-03-01T10:00:00Z")
    book.case(
        who,
        "refunded Shopify order of a laptop and headphones, then smartphone offers",
        "none",
        "refunded is a sale; computers are analogous to smartphones",
    )


def _mailchimp(book: CaseBook, ids: dict[str, _Ids]) -> None:
    who = "case.mailchimp-utc@example.it"
    _authorized(book, ids, who)
    book.mailchimp_unsubscribe(who, "2026-01-15 09:00:00", leid="900000001")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2026-01-15T08:30:00Z")
    book.send(ids["send"](), who, "smartphones", "soft_spam", "2026-01-15T09:00:00Z", expect=[SAO])
    book.case(
        who,
        "Mailchimp unsubscribe at 09:00:00 (UTC); mails at 08:30Z and 09:00Z",
        f"none, then {SAO}",
        "Mailchimp times are UTC, not Rome",
    )


def _alignment(book: CaseBook, ids: dict[str, _Ids]) -> None:
    def objector(
        who: str, scope: str, at: str, source: str, missing: list[str], gap: str | None, what: str
    ) -> str:
        opposition_id = ids["opp"]()
        book.opposition(opposition_id, who, scope, at, source=source)
        book.missing_from_snapshot(who, missing)
        if gap:
            book.alignment_gap(gap, who, opposition_id)
        book.case(
            who, what, f"alignment gap on {gap}" if gap else "no alignment gap", "docs/rules.md section 7"
        )
        return opposition_id

    objector(
        "case.gap-crm@example.it",
        "all_marketing",
        "2026-09-01T10:00:00Z",
        "dpo",
        ["crm"],
        "crm",
        "objection to the DPO in September, missing from CRM's latest snapshot (present in an older one)",
    )
    objector(
        "case.gap-sms@example.it",
        "all_marketing",
        "2026-09-15T08:00:00Z",
        "customer_service",
        ["sms_gateway"],
        "sms_gateway",
        "all_marketing objection missing from the SMS gateway's snapshot",
    )
    objector(
        "case.gap-mailchimp@example.it",
        "email_marketing",
        "2026-08-01T10:00:00Z",
        "crm",
        ["mailchimp"],
        "mailchimp",
        "objection recorded in the CRM, missing from Mailchimp's snapshot",
    )
    objector(
        "case.gap-email-only@example.it",
        "email_marketing",
        "2026-09-01T10:00:00Z",
        "preference_center",
        ["sms_gateway"],
        None,
        "email_marketing objection missing from the SMS snapshot (not owed there)",
    )
    objector(
        "case.gap-within-sla@example.it",
        "soft_spam",
        "2026-10-28T12:00:00Z",
        "crm",
        ["crm"],
        None,
        "objection 35 hours before CRM's snapshot (SLA 72 h), missing from it",
    )
    objector(
        "case.gap-sla-boundary@example.it",
        "soft_spam",
        "2026-10-26T23:00:00Z",
        "esp",
        ["crm"],
        "crm",
        "objection exactly 72 h (CRM's SLA) before CRM's snapshot, missing from it",
    )
    who = "case.gap-two-objections@example.it"
    first = ids["opp"]()
    book.opposition(first, who, "soft_spam", "2026-07-01T10:00:00Z", source="crm")
    book.opposition(ids["opp"](), who, "all_marketing", "2026-08-01T10:00:00Z", source="dpo")
    book.missing_from_snapshot(who, ["crm"])
    book.alignment_gap("crm", who, first)
    book.case(
        who,
        "two objections, missing from CRM's snapshot",
        "alignment gap on crm naming the earlier one",
        "one row per (application, person)",
    )

    who = "case.mailchimp-euid@example.it"
    book.mailchimp_unsubscribe(who, "2026-06-01 09:00:00", leid="", euid="e1d2c3b4a5")
    book.missing_from_snapshot(who, ["crm"])
    book.alignment_gap("crm", who, mailchimp_objection_id("e1d2c3b4a5", "2026-06-01 09:00:00"))
    book.case(
        who,
        "Mailchimp unsubscribe without LEID, missing from CRM's snapshot",
        "alignment gap on crm",
        "the opposition id falls back to EUID",
    )
