"""One real `softspam run` on a company's own exports, then its deliverables.

The landing folder brings its own product categories (landing/reference/), a Shopify export whose
every SKU is unknown, and a sends file no format recognises: the run has failed checks (gx_sends
ERROR, rule_<code> WARN, the dbt warn test on unknown SKUs), and still writes the report, whose
first lines name them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re

import duckdb
import pytest

from orchestration.cli import main

pytestmark = pytest.mark.slow

AS_OF = "2026-03-01T00:00:00Z"
OWN_CATEGORY = "garden"  # not in seeds/product_categories.csv
FILES = {
    "reference/product_categories.csv": "category,description\ngarden,Garden tools\naudio,Audio\n",
    "sales/orders.csv": (
        "order_id,line_id,email,product_category,ordered_at,is_paid,status,privacy_notice_version,"
        "soft_spam_opt_out,source_system\n"
        "O1,1,anna@example.com,garden,2026-01-10T10:00:00+01:00,true,completed,,false,ecommerce\n"
        "O2,1,bruno@example.com,garden,2026-01-11 10:00:00,true,completed,,false,ecommerce\n"
    ),
    "sales/shopify_orders.csv": (
        "Name,Id,Email,Financial Status,Accepts Marketing,Total,Created at,Cancelled at,Lineitem sku\n"
        "#1001,1,carla@example.com,paid,yes,10.00,2026-01-05 10:00:00 +0100,,NOPE-1\n"
        "#1002,2,dario@example.com,paid,yes,12.00,2026-01-06 10:00:00 +0100,,NOPE-2\n"
    ),
    "sends/sends.csv": (
        "send_id,campaign_id,channel,email,promoted_category,legal_basis,sent_at,has_opt_out_link,"
        "source_system\n"
        "S1,C1,email,anna@example.com,garden,soft_spam,2026-02-01T09:00:00Z,true,mailchimp\n"
        "S2,C1,email,bruno@example.com,garden,soft_spam,2026-02-01T09:00:00Z,false,mailchimp\n"
    ),
    "sends/unknown_layout.csv": "foo,bar\n1,2\n3,4\n5,6\n",
    "oppositions/crm.csv": (
        "opposition_id,email,scope,opposed_at,source_system\n"
        "P1,bruno@example.com,email_marketing,2026-01-20T10:00:00Z,crm\n"
    ),
}


def run_cli(*arguments: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(arguments))
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("own_exports")
    for name, text in FILES.items():
        path = root / "landing" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    warehouse, output = root / "warehouse" / "softspam.duckdb", root / "output"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SOFTSPAM_LANDING", "SOFTSPAM_WAREHOUSE", "SOFTSPAM_OUTPUT", "SOFTSPAM_POLICY"):
            patch.delenv(name, raising=False)
        code, out, err = run_cli(
            "run", "--landing", str(root / "landing"), "--warehouse", str(warehouse),
            "--output", str(output), "--as-of", AS_OF,
        )  # fmt: skip
    assert code == 0, err
    return {"root": root, "warehouse": warehouse, "output": output, "stdout": out}


def failed_checks_of_the_summary(stdout: str) -> list[str]:
    line = next(line.strip() for line in stdout.splitlines() if "failed checks:" in line)
    listed = re.search(r"\((.*)\)", line)
    return [item.split()[0] for item in listed.group(1).split(", ")] if listed else []


def test_report_first_lines_name_every_failed_check(run: dict[str, object]) -> None:
    failed = failed_checks_of_the_summary(run["stdout"])
    assert {"gx_sends", "rule_no_opt_out_link", "rule_sent_after_opposition"} <= set(failed)
    assert "no_sale_has_an_unknown_sku" in failed  # a dbt data test (severity warn)
    page = (run["output"] / "report.html").read_text(encoding="utf-8")
    first = page[page.index("<body>") + len("<body>") :].lstrip().splitlines()[0]
    assert first.startswith('<div id="run-checks" class="checks failed"')
    assert f"{len(failed)} failed checks in this run: " in first
    for name in failed:
        assert name in first
    assert "Not evaluated" not in first  # every check had its result before the report


def test_report_shows_the_findings_and_counts_quarantined_rows(run: dict[str, object]) -> None:
    page = (run["output"] / "report.html").read_text(encoding="utf-8")
    findings = page[page.index('<section id="findings">') :]
    findings = findings[: findings.index("</section>")]
    assert re.search(r'<code>unknown_sku</code></td><td>sales</td><td class="num">2</td>', findings)
    assert "NOPE-1" in findings
    # the company's own categories: garden sales are no unknown_category finding
    assert "unknown_category" not in findings
    quality = page[page.index('<section id="quality">') :]
    # sends/unknown_layout.csv is rejected whole: its 3 rows, one file
    assert re.search(
        r'<td>sends</td><td>[^<]*unknown_layout.csv[^<]*</td><td class="num">3</td>'
        r'<td class="num">1</td><td class="num">1</td>',
        quality,
    )


def test_check_audience_knows_the_companys_own_category(run: dict[str, object]) -> None:
    root, warehouse = run["root"], run["warehouse"]
    connection = duckdb.connect(str(warehouse), read_only=True)
    mart = connection.execute(
        "select email, is_eligible, legal_basis, blocking_reason from marts.audience_eligibility "
        "where product_category = ? and channel = 'email' order by email",
        [OWN_CATEGORY],
    ).fetchall()
    connection.close()
    assert len(mart) >= 4
    planned = root / "planned.txt"
    planned.write_text("\n".join(email for email, *_ in mart) + "\n", encoding="utf-8")
    verdicts = root / "verdicts.csv"
    code, out, err = run_cli(
        "check-audience", str(planned), "--category", OWN_CATEGORY, "--as-of", AS_OF,
        "--warehouse", str(warehouse), "--output", str(verdicts),
    )  # fmt: skip
    assert code == 0, err
    with verdicts.open(encoding="utf-8", newline="") as handle:
        judged = [
            (
                row["email"],
                row["is_eligible"] == "true",
                row["legal_basis"] or None,
                row["blocking_reason"] or None,
            )
            for row in csv.DictReader(handle)
        ]
    assert judged == mart
    assert ("anna@example.com", True, "soft_spam", None) in judged


def test_check_audience_still_refuses_an_unknown_category(run: dict[str, object]) -> None:
    planned = run["root"] / "one.txt"
    planned.write_text("anna@example.com\n", encoding="utf-8")
    code, _, err = run_cli(
        "check-audience", str(planned), "--category", "smartphones", "--warehouse", str(run["warehouse"]),
        "--output", str(run["root"] / "refused.csv"),
    )  # fmt: skip
    assert code == 2
    # the shipped seed's categories are not the company's
    assert "unknown category 'smartphones'; known: audio, garden" in err
