"""Planted boundary cases carry the outcome docs/rules.md sections 3 and 4 decide for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.demo import DemoSummary
from tests.demo.oracle import Oracle, norm

SAO = "SENT_AFTER_OPPOSITION"


@pytest.fixture(scope="module")
def outcomes_by_person(
    demo: tuple[Path, DemoSummary], expected_rules: dict[tuple[str, str], list[str]]
) -> dict[str, list[tuple[str, list[str]]]]:
    """normalized address -> [(sent_at as written, expected rule codes)] in file order."""
    out, _ = demo
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for key, row in Oracle(out).sends.items():
        found.setdefault(norm(row["email"]), []).append((row["sent_at"], expected_rules[key]))
    return found


@pytest.mark.parametrize(
    ("person", "outcomes"),
    [
        ("case.exact-second", [[SAO]]),
        ("case.second-before", [[]]),
        ("case.dst-night", [[], [SAO]]),
        ("case.new-purchase", [[SAO]]),
        ("case.lifted-by-consent", [[], [SAO]]),
        ("case.consent-same-instant", [[SAO]]),
        ("case.all-marketing-lifted-by-sms", [[], ["CONSENT_MISSING", SAO]]),
        ("case.all-channel", [[], []]),
        ("case.all-withdrawn", [["CONSENT_MISSING", SAO]]),
        ("case.withdrawal-opposes", [[SAO]]),
        ("case.grant-withdraw-same-instant", [["CONSENT_MISSING", SAO]]),
        ("case.unknown-scope", [[SAO]]),
        ("case.unknown-scope-word", [[SAO]]),
        ("case.scope-padded", [[]]),
        ("case.refused-cancelled-line", [[SAO]]),
        ("case.refused-free-line", [[SAO]]),
        ("case.refused-at-checkout", [[SAO]]),
        ("case.chain-no-sale", [["NO_SALE_RELATIONSHIP"]]),
        ("case.sale-same-second", [[]]),
        ("case.sale-next-second", [["NO_SALE_RELATIONSHIP"]]),
        ("case.chain-not-analogous", [["NOT_ANALOGOUS"]]),
        ("case.chain-not-informed", [["NOT_INFORMED"]]),
        ("case.chain-expired", [["AUTHORIZATION_EXPIRED"]]),
        ("case.window-exact", [["AUTHORIZATION_EXPIRED"]]),
        ("case.window-one-second-newer", [[]]),
        ("case.notice-unknown-version", [["NOT_INFORMED"]]),
        ("case.sale-before-every-notice", [["NOT_INFORMED"]]),
        ("case.notice-midnight-rome", [[]]),
        ("case.notice-before-midnight-rome", [["NOT_INFORMED"]]),
        ("case.no-basis-opposed", [["NO_LEGAL_BASIS", SAO]]),
        ("case.no-basis-soft-spam-objection", [["NO_LEGAL_BASIS"]]),
        ("case.basis-padded", [[]]),
        ("case.soft-spam-sms", [["NON_EMAIL_CHANNEL"]]),
        ("case.soft-spam-no-channel", [["NON_EMAIL_CHANNEL"]]),
        ("case.no-opt-out", [["NO_OPT_OUT_LINK"]] * 5),
        ("case.opt-out-spellings", [[]] * 5),
        ("case.sms-no-opt-out", [["NO_OPT_OUT_LINK"]]),
        ("", [["CONSENT_MISSING"], ["NO_SALE_RELATIONSHIP"]]),
        ("case.mixed-case", [[]]),
        ("case.refunded-line", [[]]),
        ("case.padded-objection", [[SAO]]),
        ("case.other-controller", [["NO_SALE_RELATIONSHIP"]]),
        ("case.overlap", [[], ["NO_OPT_OUT_LINK"], [], [SAO], [], []]),
        ("case.shopify-buyer", [[], []]),
        ("case.shopify-cancelled", [["NO_SALE_RELATIONSHIP"]]),
        ("case.shopify-pending", [["NO_SALE_RELATIONSHIP"]]),
        ("case.shopify-zero-total", [["NO_SALE_RELATIONSHIP"]]),
        ("case.shopify-refunded", [[]]),
        ("case.mailchimp-utc", [[], [SAO]]),
    ],
)
def test_planted_case_has_its_outcome(
    outcomes_by_person: dict[str, list[tuple[str, list[str]]]], person: str, outcomes: list[list[str]]
) -> None:
    address = f"{person}@example.it" if person else ""
    assert [sorted(codes) for _, codes in outcomes_by_person[address]] == [
        sorted(codes) for codes in outcomes
    ]


def test_overlapping_send_follows_the_later_export(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    sends = Oracle(out).sends
    assert sends[("OVL-001", "mailchimp")]["has_opt_out_link"] == "true"
    assert sends[("OVL-004", "mailchimp")]["sent_at"] == "2026-09-30T13:00:00Z"


def test_planted_alignment_cases(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    gaps = (out / "_expected/alignment_gaps.csv").read_text(encoding="utf-8")
    for present in (
        "crm,case.gap-crm@",
        "sms_gateway,case.gap-sms@",
        "mailchimp,case.gap-mailchimp@",
        "crm,case.gap-sla-boundary@",
        "crm,case.mailchimp-euid@example.it,e1d2c3b4a5",
    ):
        assert present in gaps
    for absent in ("case.gap-email-only@", "case.gap-within-sla@", "case.all-marketing-lifted-by-sms@"):
        assert absent not in gaps
