"""`softspam evidence` (docs/formats.md section 4.2): evidence packs built on a small company's
warehouse, built once through the in-process pipeline, and every fact of a pack checked against
the landed files line by line.

anna bought audio under the 2021 notice (no soft-spam clause) and again under the 2025 one (with
it), granted e-mail consent, and objected in the CRM; she was e-mailed before and after each of
these. bruno's facts come from every other origin: a Shopify order that accepts marketing, a
checkout refusal, a Mailchimp unsubscribe and a consent withdrawal. Campaign C-BIG reaches seven
persons; two source systems both number a send DUP.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from orchestration import publish
from orchestration.cli.parser import main
from orchestration.reports import evidence
from orchestration.reports.evidence import Selector, build_pack

from .harness import Company, rows

pytestmark = pytest.mark.slow

ANNA, BRUNO = "anna@example.it", "bruno@example.it"
SALES_HEADER = ["order_id", "line_id", "email", "product_category", "ordered_at", "source_system", "is_paid",
                "status", "soft_spam_opt_out", "privacy_notice_version"]  # fmt: skip
SHOPIFY_HEADER = ["Name", "Email", "Financial Status", "Accepts Marketing", "Total", "Created at",
                  "Lineitem quantity", "Lineitem name", "Lineitem sku", "Cancelled at", "Id"]  # fmt: skip
MAILCHIMP_HEADER = ["Email Address", "UNSUB_TIME", "LEID", "EUID"]
SENDS_HEADER = ["send_id", "campaign_id", "channel", "email", "promoted_category", "legal_basis", "sent_at",
                "has_opt_out_link", "source_system"]  # fmt: skip
# The expected verdicts of anna's sends: (send_id, broken rules, what the verdicts name).
ANNA_SENDS = [
    ("S1", {"NOT_INFORMED"}, "ecommerce:A:1"),  # her only audio sale: the 2021 notice, no clause
    ("S2", set(), "ecommerce:B:1"),  # the authorization of the 2025 sale
    ("S3", set(), "K1"),  # consent-based: her grant
    ("S4", {"SENT_AFTER_OPPOSITION"}, "OPP-1"),  # after her objection in the CRM
    ("S5", {"SENT_AFTER_OPPOSITION"}, "OPP-1"),  # consent-based, after it too
]


def sale(order_id: str, email: str, at: str, **fields: str) -> dict[str, str]:
    row = {"order_id": order_id, "line_id": "1", "email": email, "product_category": "audio",
           "ordered_at": at, "source_system": "ecommerce", "is_paid": "true", "status": "completed",
           "soft_spam_opt_out": "no", "privacy_notice_version": ""}  # fmt: skip
    return {**row, **fields}


def send(send_id: str, email: str, at: str, basis: str = "soft_spam", **fields: str) -> dict[str, str]:
    row = {"send_id": send_id, "campaign_id": "C-A", "channel": "email", "email": email,
           "promoted_category": "audio", "legal_basis": basis, "sent_at": at, "has_opt_out_link": "yes",
           "source_system": "mailchimp"}  # fmt: skip
    return {**row, **fields}


def land(company: Company) -> None:
    company.land("sales/ecommerce.csv", SALES_HEADER, [
        sale("A", ANNA, "2022-06-01T10:00:00+00:00"),
        sale("B", ANNA, "2025-05-01T10:00:00+00:00"),
        sale("C", BRUNO, "2025-03-10T10:00:00+00:00", soft_spam_opt_out="yes"),
    ])  # fmt: skip
    company.land("sales/shopify_orders.csv", SHOPIFY_HEADER, [
        {"Name": "#2001", "Email": BRUNO, "Financial Status": "paid", "Accepts Marketing": "yes",
         "Total": "99.00", "Created at": "2025-02-01 10:00:00 +0000", "Lineitem quantity": "1",
         "Lineitem name": "Cuffie", "Lineitem sku": "AUD-001", "Cancelled at": "", "Id": "9001"},
    ])  # fmt: skip
    company.land_canonical("consents", "preferences.csv", [
        {"consent_id": "K1", "email": ANNA, "channel": "email", "status": "granted",
         "event_at": "2025-01-01T10:00:00+00:00", "source_system": "preference_center"},
        {"consent_id": "K2", "email": BRUNO, "channel": "email", "status": "withdrawn",
         "event_at": "2025-05-01T10:00:00+00:00", "source_system": "preference_center"},
    ])  # fmt: skip
    company.land_canonical("oppositions", "crm.csv", [
        {"opposition_id": "OPP-1", "email": ANNA, "scope": "email_marketing",
         "opposed_at": "2025-09-01T10:00:00+00:00", "source_system": "crm"},
    ])  # fmt: skip
    company.land("oppositions/mailchimp_unsubscribed.csv", MAILCHIMP_HEADER, [
        {"Email Address": BRUNO, "UNSUB_TIME": "2025-04-01 10:00:00", "LEID": "501", "EUID": ""},
    ])  # fmt: skip
    campaign = [send(f"B{n}", f"p{n}@example.it", f"2025-07-0{n}T10:00:00+00:00", campaign_id="C-BIG")
                for n in range(1, 7)]  # fmt: skip
    company.land("sends/mailchimp.csv", SENDS_HEADER, [
        send("S1", ANNA, "2022-07-01T10:00:00+00:00"),
        send("S2", ANNA, "2025-06-01T10:00:00+00:00"),
        send("S3", ANNA, "2025-08-01T10:00:00+00:00", "consent"),
        send("S4", ANNA, "2025-10-01T10:00:00+00:00"),
        send("S5", ANNA, "2025-10-02T10:00:00+00:00", "consent"),
        send("S6", BRUNO, "2025-06-01T10:00:00+00:00", campaign_id="C-BIG"),
        *campaign,
        send("DUP", "carla@example.it", "2025-07-01T10:00:00+00:00", campaign_id="C-D"),
    ])  # fmt: skip
    company.land("sends/crm.csv", SENDS_HEADER, [
        send("DUP", "dario@example.it", "2025-07-02T10:00:00+00:00", campaign_id="C-D", source_system="crm"),
    ])  # fmt: skip


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    company = Company(tmp_path_factory.mktemp("evidence"))
    land(company)
    company.run()
    return company


def pack(company: Company, tmp_path: Path, **selector: str):
    return build_pack(company.warehouse, Selector.of(**selector), tmp_path / "packs", **_page_size(selector))


def _page_size(selector: dict[str, str]) -> dict[str, int]:
    return {"sends_per_page": 3} if "campaign" in selector else {}


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def landed_row(landing: Path, file_name: str, line: int) -> dict[str, str]:
    """The row of the landed file that starts at physical line ``line`` (header = 1)."""
    lines = (landing / file_name).read_text(encoding="utf-8").splitlines()
    header, row = next(csv.reader([lines[0]])), next(csv.reader([lines[line - 1]]))
    return dict(zip(header, row, strict=True))


def matches_landed_row(fact: dict[str, str], row: dict[str, str]) -> bool:
    """The fact's own values are those of its landed row."""
    ref, kind, origin = fact["fact_ref"], fact["fact_type"], fact["origin"]
    email = (row.get("email") or row.get("Email") or row.get("Email Address") or "").strip().lower()
    same_person = email == fact["email"]
    if kind == "send":
        own = row["send_id"] == ref and row["source_system"] == fact["source_system"]
    elif kind == "sale_line" and fact["format"] == "shopify":
        own = ref == f"shopify:{row['Id']}:1"
    elif kind == "sale_line":
        own = ref == f"{row['source_system']}:{row['order_id']}:{row['line_id']}"
    elif origin == "checkout_refusal":
        own = ref == f"checkout:{row['source_system']}:{row['order_id']}:{row['line_id']}"
        own = own and row["soft_spam_opt_out"] == "yes"
    elif origin == "consent_withdrawal":
        own = ref == f"withdrawal:{row['consent_id']}" and row["status"] == "withdrawn"
    elif origin == "mailchimp_unsubscribe":
        own = ref.startswith(f"{row['LEID']}@") and fact["fact_at"].startswith(row["UNSUB_TIME"][:10])
    elif kind == "opposition":
        own = row["opposition_id"] == ref
    elif fact["format"] == "shopify":
        own = ref == f"shopify:{row['Id']}" and row["Accepts Marketing"] == "yes"
    else:
        own = row["consent_id"] == ref
    return own and same_person


def check_custody(company: Company, folder: Path) -> list[dict[str, str]]:
    """Every fact of facts.csv: its landed file has the SHA-256 the fact gives and the ledger
    holds, and the line it names is its row."""
    facts = csv_rows(folder / "facts.csv")
    with duckdb.connect(str(company.warehouse), read_only=True) as connection:
        ledger = dict(connection.execute("select load_id, content_sha256 from raw.load_ledger").fetchall())
        audited = dict(
            connection.execute("select file_name, content_sha256 from marts.load_audit").fetchall()
        )
    for fact in facts:
        landed = company.landing / fact["file_name"]
        sha = hashlib.sha256(landed.read_bytes()).hexdigest()
        assert sha == fact["content_sha256"] == ledger[int(fact["load_id"])] == audited[fact["file_name"]]
        row = landed_row(company.landing, fact["file_name"], int(fact["source_line"]))
        assert matches_landed_row(fact, row), (fact, row)
    return facts


def check_manifest(result) -> None:
    """MANIFEST.sha256 names every other file of the pack with its SHA-256; the zip holds the same
    bytes under the folder's name."""
    folder = result.folder
    listed = {}
    for line in (folder / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    assert set(listed) == files - {"MANIFEST.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    with zipfile.ZipFile(result.archive) as bundle:
        zipped = {name.split("/", 1)[1]: bundle.read(name) for name in bundle.namelist()}
        assert {name.split("/", 1)[0] for name in bundle.namelist()} == {folder.name}
    assert zipped == {name: (folder / name).read_bytes() for name in files}


# a broken rule's row of a send's verdict table: its code, then the badge
BROKEN_RULE = re.compile(r'#rule-(\w+)"[^>]*><code>\w+</code></a></td><td><span class="badge critical">')


def articles(html: str) -> dict[str, str]:
    """Each send's block of a page, by its source_system:send_id."""
    blocks = html.split('<article class="send"')[1:]
    return {re.search(r"Send <code>([^<]+)</code>", block).group(1): block for block in blocks}


def test_a_persons_pack_proves_each_verdict_with_the_landed_lines(company: Company, tmp_path: Path) -> None:
    result = pack(company, tmp_path, email=" Anna@Example.it ")
    assert result.sends == 5 and result.pages == 0
    facts = check_custody(company, result.folder)
    check_manifest(result)
    assert {(fact["fact_type"], fact["fact_ref"]) for fact in facts} == {
        *(("send", send_id) for send_id, _, _ in ANNA_SENDS),
        ("sale_line", "ecommerce:A:1"), ("sale_line", "ecommerce:B:1"),
        ("consent_event", "K1"), ("opposition", "OPP-1"),
    }  # fmt: skip
    html = (result.folder / "index.html").read_text(encoding="utf-8")
    blocks = articles(html)
    for send_id, broken, named in ANNA_SENDS:
        block = blocks[f"mailchimp:{send_id}"]
        found = set(BROKEN_RULE.findall(block))
        assert found == broken, send_id
        assert f"<code>{named}</code>" in block, send_id
    # the notice with or without the clause, the objection's application, the window
    assert "privacy notice v2021 without the soft-spam clause" in blocks["mailchimp:S1"]
    assert "privacy notice v2025 with the soft-spam clause" in blocks["mailchimp:S2"]
    assert "authorizes this send only when it is newer than 2023-06-01 10:00:00 UTC" in blocks["mailchimp:S2"]
    assert "made via an unknown channel in crm (opposition_export)" in blocks["mailchimp:S4"]
    assert "NOT_INFORMED" in html and "D.Lgs. 196/2003 art. 130 c.4; GDPR art. 13" in html
    # timeline and eligibility: exactly the person's rows of the marts
    for name, mart in (("timeline.csv", "person_timeline"), ("eligibility.csv", "audience_eligibility")):
        expected = rows(company.warehouse, f"select count(*) from marts.{mart} where email = '{ANNA}'")  # noqa: S608
        assert [(len(csv_rows(result.folder / name)),)] == expected
    # personal data: only the person asked for, and never in the pack's name
    text = "".join(path.read_text(encoding="utf-8") for path in result.folder.iterdir())
    assert ANNA in text and not re.search(r"(bruno|carla|dario|p\d)@example", text)
    assert "anna" not in result.folder.name and result.archive.name == f"{result.folder.name}.zip"


def test_every_origin_of_a_fact_resolves_to_its_landed_line(company: Company, tmp_path: Path) -> None:
    result = pack(company, tmp_path, email=BRUNO)
    facts = check_custody(company, result.folder)
    check_manifest(result)
    origins = {(fact["fact_type"], fact["origin"] or fact["format"]) for fact in facts}
    assert origins == {
        ("send", "canonical"), ("sale_line", "canonical"), ("sale_line", "shopify"),
        ("consent_event", "shopify"), ("consent_event", "canonical"),
        ("opposition", "checkout_refusal"), ("opposition", "mailchimp_unsubscribe"),
        ("opposition", "consent_withdrawal"),
    }  # fmt: skip
    block = articles((result.folder / "index.html").read_text(encoding="utf-8"))["mailchimp:S6"]
    # the earliest covering objection: the refusal ticked at checkout
    assert "<code>checkout:ecommerce:C:1</code>" in block


def test_a_campaign_pack_pages_its_sends_after_the_summary(company: Company, tmp_path: Path) -> None:
    result = pack(company, tmp_path, campaign="C-BIG")
    assert (result.sends, result.pages) == (7, 3)
    check_custody(company, result.folder)
    check_manifest(result)
    index = (result.folder / "index.html").read_text(encoding="utf-8")
    assert not articles(index)
    assert [index.count(f'href="sends-000{n}.html"') for n in (1, 2, 3)] == [1, 1, 1]
    pages = [articles((result.folder / f"sends-000{n}.html").read_text(encoding="utf-8")) for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [3, 3, 1]
    # in time order: bruno's June send first, then p1 to p6 in July
    assert [key for page in pages for key in page] == [
        "mailchimp:S6",
        *(f"mailchimp:B{n}" for n in range(1, 7)),
    ]
    assert 'href="sends-0002.html">Next page' in (result.folder / "sends-0001.html").read_text(
        encoding="utf-8"
    )
    persons = {row["email"] for row in csv_rows(result.folder / "eligibility.csv")}
    assert persons == {BRUNO, *(f"p{n}@example.it" for n in range(1, 7))}


def test_a_send_id_shared_by_two_systems_and_one_system_s_send(company: Company, tmp_path: Path) -> None:
    both = pack(company, tmp_path, send="DUP")
    assert both.sends == 2
    assert set(articles((both.folder / "index.html").read_text(encoding="utf-8"))) == {
        "mailchimp:DUP",
        "crm:DUP",
    }
    one = pack(company, tmp_path, send="crm:DUP")
    assert set(articles((one.folder / "index.html").read_text(encoding="utf-8"))) == {"crm:DUP"}
    assert "carla@example.it" not in (one.folder / "facts.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--email", "nobody@example.it"], "no fact of the person nobody@example.it"),
        (["--send", "S404"], "no send with id 'S404'"),
        (["--send", "crm:S1"], "no send with id 'crm:S1'"),
        (["--campaign", "C-404"], "no send of campaign 'C-404'"),
        (["--email", ANNA, "--as-of", "yesterday"], "--as-of 'yesterday' is not an ISO 8601 time"),
    ],
)
def test_what_cannot_be_packed_is_one_line_and_exit_2(
    company: Company, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    out = tmp_path / "packs"
    code = main(["evidence", *arguments, "--warehouse", str(company.warehouse), "--out", str(out)])
    error = capsys.readouterr().err
    assert code == 2 and error.startswith("error: ") and message in error and error.count("\n") == 1
    assert not out.exists() or not any(path for path in out.iterdir() if not path.name.startswith("."))


def test_exactly_one_selector() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["evidence", "--email", ANNA, "--campaign", "C-A"])
    assert exited.value.code == 2
    with pytest.raises(evidence.EvidenceError, match="exactly one"):
        Selector.of()


def test_the_command_writes_the_pack_and_says_where(
    company: Company, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "packs"
    assert main(["evidence", "--send", "S4", "--warehouse", str(company.warehouse), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    folders = [path for path in out.iterdir() if path.is_dir()]
    assert len(folders) == 1 and folders[0].name.startswith("evidence-send-S4-")
    assert str(folders[0]) in printed and f"{folders[0]}.zip" in printed
    assert ANNA not in printed
    assert [row["fact_ref"] for row in csv_rows(folders[0] / "facts.csv") if row["fact_type"] == "send"] == [
        "S4"
    ]
    assert (folders[0] / "MANIFEST.sha256").read_text(encoding="utf-8").count("\n") == 4


def by_category_and_channel(folder: Path) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["product_category"], row["channel"]): row for row in csv_rows(folder / "eligibility.csv")}


def test_eligibility_at_as_of_is_judged_with_the_facts_then(company: Company, tmp_path: Path) -> None:
    """The last run evaluated eligibility after anna's objection; at --as-of, before it, her grant
    and her informed sale both still hold."""
    now = by_category_and_channel(pack(company, tmp_path, email=ANNA).folder)
    assert (now["audio", "email"]["is_eligible"], now["audio", "email"]["blocking_reason"]) == (
        "false",
        "OPPOSED",
    )
    as_of = "2025-07-15T00:00:00+00:00"
    result = build_pack(company.warehouse, Selector.of(email=ANNA), tmp_path / "then", as_of=as_of)
    then = by_category_and_channel(result.folder)
    assert set(then) == set(now)
    assert {row["evaluated_at"] for row in then.values()} == {"2025-07-15T00:00:00Z"}
    assert (then["audio", "email"]["is_eligible"], then["audio", "email"]["legal_basis"]) == (
        "true",
        "consent",
    )
    assert "2025-07-15 00:00:00 (asked with --as-of)" in (result.folder / "index.html").read_text(
        encoding="utf-8"
    )


def test_the_published_copy_is_read_when_it_holds_what_the_pack_reads(
    company: Company, tmp_path: Path
) -> None:
    """The copy a run publishes holds the whole warehouse, so the pack reads it (and the warehouse
    itself may be held by a run); a copy without the pack's relations (one published before the
    copy was whole) is passed over for the warehouse."""
    database, manifest = publish.publish(company.warehouse)
    with duckdb.connect(str(company.warehouse)):  # a writer holds the warehouse
        result = pack(company, tmp_path, send="S4")
    assert result.source == f"published copy of {company.warehouse.name}, build {manifest['build_id']}"
    check_custody(company, result.folder)
    database.chmod(0o644)
    with duckdb.connect(str(database)) as connection:
        connection.execute("drop view intermediate.int_fact_sources")
    database.chmod(0o444)
    assert pack(company, tmp_path, send="S4").source == f"warehouse {company.warehouse.name}"
