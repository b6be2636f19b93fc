"""The demo landing folder: deterministic, every kind present, canonical headers, hard formats."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from orchestration.demo import DemoSummary, generate_demo

# docs/formats.md section 1, spelled out here rather than imported from the generator.
CANONICAL = {
    "sales": ["order_id", "line_id", "email", "product_category", "ordered_at", "is_paid", "status",
              "privacy_notice_version", "soft_spam_opt_out", "controller", "customer_id", "product_sku",
              "amount", "source_system"],
    "sends": ["send_id", "campaign_id", "channel", "email", "promoted_category", "legal_basis", "sent_at",
              "has_opt_out_link", "controller", "source_system"],
    "oppositions": ["opposition_id", "email", "scope", "opposed_at", "recorded_at", "request_channel",
                    "source_system"],
    "consents": ["consent_id", "email", "channel", "status", "event_at", "evidence_ref", "source_system"],
    "suppressions": ["email", "suppressed_since"],
}  # fmt: skip
SHOPIFY_RECOGNISED_BY = {
    "Name",
    "Email",
    "Financial Status",
    "Created at",
    "Lineitem sku",
    "Cancelled at",
    "Total",
}
MAILCHIMP_HEADER = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,GMTOFF,"
    "DSTOFF,TIMEZONE,CC,REGION,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,"
    "UNSUB_REASON_OTHER,LEID,EUID,NOTES,TAGS"
).split(",")


def _landing_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] != "_expected")


def _read(path: Path) -> tuple[list[str], list[list[str]], bytes]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter))
    return rows[0], rows[1:], raw


def test_same_scale_and_seed_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    generate_demo(first, scale=150, seed=11)
    generate_demo(second, scale=150, seed=11)
    names = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_another_seed_gives_other_background_but_the_same_planted_cases(tmp_path: Path) -> None:
    generate_demo(tmp_path / "a", scale=150, seed=11)
    generate_demo(tmp_path / "b", scale=150, seed=12)
    generate_demo(tmp_path / "c", scale=0, seed=11)
    assert (tmp_path / "a/sends/sends_2025-03.csv").read_bytes() != (
        tmp_path / "b/sends/sends_2025-03.csv"
    ).read_bytes()
    cases = {(tmp_path / name / "_expected/cases.md").read_text() for name in "abc"}
    assert len(cases) == 1


def test_every_landing_kind_and_answer_key_file_is_present(demo: tuple[Path, DemoSummary]) -> None:
    out, summary = demo
    folders = ("sales", "sends", "oppositions", "consents", "suppressions/mailchimp", "suppressions/crm")
    for folder in (*folders, "suppressions/sms_gateway"):
        assert list((out / folder).glob("*.csv")), folder
    for name in ("violations.csv", "sends.csv", "quarantine.csv", "alignment_gaps.csv", "cases.md"):
        assert (out / "_expected" / name).stat().st_size > 0, name
    on_disk = {}
    for path in _landing_files(out):
        on_disk[path.relative_to(out).parts[0]] = on_disk.get(path.relative_to(out).parts[0], 0) + 1
    assert summary.files_per_kind == on_disk


def test_every_file_has_a_known_header_and_rectangular_rows(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    formats_seen = set()
    for path in _landing_files(out):
        header, rows, _ = _read(path)
        kind = path.relative_to(out).parts[0]
        if SHOPIFY_RECOGNISED_BY <= set(header):
            formats_seen.add("shopify")
            assert kind == "sales" and len(header) >= 75
        elif header == MAILCHIMP_HEADER:
            formats_seen.add(f"mailchimp in {kind}")
        else:
            assert header[: len(CANONICAL[kind])] == CANONICAL[kind], path
            formats_seen.add(f"canonical {kind}")
        assert all(len(row) == len(header) for row in rows), path
    assert formats_seen == {"shopify", "mailchimp in oppositions", "mailchimp in suppressions"} | {
        f"canonical {kind}" for kind in CANONICAL
    }


def test_hard_file_formats_are_exercised(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    contents = [p.read_bytes() for p in _landing_files(out)]
    assert any(raw.startswith(b"\xef\xbb\xbf") and b";" in raw[:200] and b"\r\n" in raw for raw in contents)
    quoted_newline_with_comma = [
        value
        for p in _landing_files(out)
        for row in _read(p)[1]
        for value in row
        if "\n" in value and "," in value
    ]
    assert quoted_newline_with_comma
    text = "\n".join(p.read_bytes().decode("utf-8-sig") for p in _landing_files(out))
    time_forms = {
        "iso_with_offset": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}",
        "iso_z": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
        "naive_iso": r"[,;]\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}[,;\r\n]",
        "shopify": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}",
        "italian_minutes": r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}[,;\r\n]",
        "italian_seconds": r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}",
    }
    assert {name for name, pattern in time_forms.items() if re.search(pattern, text)} == set(time_forms)
    flags = set()
    for kind, column in (("sends", "has_opt_out_link"), ("sales", "is_paid"), ("sales", "soft_spam_opt_out")):
        for path in (out / kind).glob("*.csv"):
            header, rows, _ = _read(path)
            if column in header:
                flags |= {row[header.index(column)] for row in rows}
    for spelling in ("true", "false", "yes", "no", "1", "0", "si", "TRUE", "No", "SI"):
        assert spelling in flags, spelling


def test_overlapping_exports_repeat_sends_with_different_content(demo: tuple[Path, DemoSummary]) -> None:
    out, _ = demo
    first, second = (
        _read(out / "sends" / name)[1] for name in ("sends_2026-10-01.csv", "sends_2026-10-02.csv")
    )
    by_key = {(row[0], row[-1]): row for row in first}
    repeated = [(by_key[(row[0], row[-1])], row) for row in second if (row[0], row[-1]) in by_key]
    assert any(old != new for old, new in repeated)
    assert any(old == new for old, new in repeated)


def test_regenerating_replaces_an_earlier_demo_but_never_real_exports(tmp_path: Path) -> None:
    generate_demo(tmp_path / "demo", scale=50)
    (tmp_path / "demo/sends/stale.csv").write_text("left over\n", encoding="utf-8")
    generate_demo(tmp_path / "demo", scale=50)
    assert not (tmp_path / "demo/sends/stale.csv").exists()

    (tmp_path / "real/sales").mkdir(parents=True)
    (tmp_path / "real/sales/orders.csv").write_text("order_id\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a demo"):
        generate_demo(tmp_path / "real", scale=50)
    assert (tmp_path / "real/sales/orders.csv").read_text(encoding="utf-8") == "order_id\n"
