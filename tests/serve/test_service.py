"""`softspam serve` (docs/formats.md section 5) on a small company's published build: the verdicts
are check-audience's and the mart's, a posted objection counts at once and lands exactly once,
bad requests are 4xx, the token is enforced, and a new build is swapped in."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from identity.harness import rows

from orchestration.config import default_policy
from orchestration.ingestion import ingest_kind, pending_files
from orchestration.publish import connect_latest, latest_published, publish
from orchestration.reports.audience import compile_eligibility_sql, judge_audience, parse_audience
from orchestration.serve.app import create_app
from orchestration.serve.journal import journal_dir, read_journal

from .conftest import BUYER, EXPIRING, FAN, KNOWN, OBJECTOR

pytestmark = pytest.mark.slow

TOKEN = "s3cret-token"
READ = {"Authorization": f"Bearer {TOKEN}"}
UNKNOWN = "stranger@example.it"


@pytest.fixture(scope="module")
def client(company, eligibility_sql):
    app = create_app(company.warehouse, company.landing, token=TOKEN, eligibility_sql=eligibility_sql)
    with TestClient(app) as client:
        yield client


def categories_and_channels(warehouse: Path) -> tuple[list[str], list[str]]:
    connection, _ = connect_latest(warehouse)
    try:
        categories = [
            row[0]
            for row in connection.execute(
                "select category from staging.stg_reference__product_categories"
            ).fetchall()
        ]
        channels = [
            row[0]
            for row in connection.execute(
                "select distinct channel from staging.stg_reference__applications "
                "where is_sending_marketing and channel is not null"
            ).fetchall()
        ]
    finally:
        connection.close()
    return categories, channels


def audience(client: TestClient, category: str, channel: str, as_of: str, emails=KNOWN + (UNKNOWN,)):
    answer = client.post(
        "/v1/audience",
        json={"emails": list(emails), "category": category, "channel": channel, "as_of": as_of},
        headers=READ,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_verdicts_equal_the_mart_at_the_builds_instant(client, company):
    connection, manifest = connect_latest(company.warehouse)
    try:
        mart = {
            (email, category, channel): (eligible, basis, reason)
            for email, category, channel, eligible, basis, reason in connection.execute(
                "select email, product_category, channel, is_eligible, legal_basis, blocking_reason "
                "from marts.audience_eligibility"
            ).fetchall()
        }
    finally:
        connection.close()
    categories, channels = categories_and_channels(company.warehouse)
    served = {}
    for category in categories:
        for channel in channels:
            for verdict in audience(client, category, channel, manifest["as_of"])["verdicts"]:
                served[(verdict["email"], category, channel)] = (
                    verdict["is_eligible"], verdict["legal_basis"], verdict["blocking_reason"]
                )  # fmt: skip
    assert {key: value for key, value in served.items() if key[0] != UNKNOWN} == mart
    assert mart[(EXPIRING, "audio", "email")] == (True, "soft_spam", None)


def test_verdicts_equal_check_audience_now(client, company):
    """At one instant after the build: the expiring authorization has lapsed meanwhile."""
    instant = datetime.now(UTC).replace(microsecond=0)
    published, _ = latest_published(company.warehouse)
    check_sql = compile_eligibility_sql(published, instant)
    categories, channels = categories_and_channels(company.warehouse)
    planned = parse_audience("\n".join(KNOWN + (UNKNOWN,)))
    for category in categories:
        for channel in channels:
            expected = judge_audience(published, planned, category, channel, instant, check_sql)
            served = audience(client, category, channel, instant.isoformat())["verdicts"]
            answered = [
                (v["email"], v["is_eligible"], v["legal_basis"], v["blocking_reason"]) for v in served
            ]
            assert answered == [
                (v.email, v.is_eligible, v.legal_basis, v.blocking_reason) for v in expected
            ], (category, channel)
    single = client.get("/v1/eligibility", params={"email": EXPIRING, "category": "audio"}, headers=READ)
    assert single.json()["blocking_reason"] == "AUTHORIZATION_EXPIRED"


def test_single_look_up_names_the_rule_the_instant_and_the_build(client, company):
    answer = client.get(
        "/v1/eligibility", params={"email": " Objector@Example.it ", "category": "audio"}, headers=READ
    )
    assert answer.status_code == 200
    body = answer.json()
    _, manifest = connect_latest(company.warehouse)
    assert body["email"] == OBJECTOR and body["channel"] == "email"
    assert (body["is_eligible"], body["blocking_reason"]) == (False, "OPPOSED")
    assert body["evidence"]["oppositions"][0]["opposition_id"] == "OPP-1"
    assert body["build"]["build_id"] == manifest["build_id"]
    assert abs(datetime.fromisoformat(body["evaluated_at"]) - datetime.now(UTC)).total_seconds() < 60


def test_bad_requests_are_4xx_with_a_json_error(client):
    crm = {"email": "a@b.it", "scope": "soft_spam", "source_system": "crm"}
    cases = [
        ("get", "/v1/eligibility", {"params": {"category": "audio"}}),
        ("get", "/v1/eligibility", {"params": {"email": "a@b.it", "category": "no-such"}}),
        ("get", "/v1/eligibility", {"params": {"email": "a@b.it", "category": "audio", "channel": "fax"}}),
        ("get", "/v1/eligibility", {"params": {"email": "  ", "category": "audio"}}),
        ("post", "/v1/audience", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("post", "/v1/audience", {"json": {"emails": "a@b.it", "category": "audio"}}),
        ("post", "/v1/audience", {"json": {"emails": ["a@b.it"], "category": "audio", "as_of": "yesterday"}}),
        ("post", "/v1/audience", {"json": {"emails": ["a@b.it"], "category": "audio", "colour": "red"}}),
        ("post", "/v1/audience", {"json": {"emails": ["a@b.it"] * 100_001, "category": "audio"}}),
        ("post", "/v1/oppositions", {"json": {**crm, "scope": "everything"}}),
        ("post", "/v1/oppositions", {"json": {**crm, "email": "not-an-address"}}),
        ("post", "/v1/oppositions", {"json": {**crm, "source_system": " "}}),
        ("post", "/v1/oppositions", {"json": {**crm, "opposed_at": "soon"}}),
        ("post", "/v1/oppositions", {"json": {"email": "a@b.it", "scope": "soft_spam"}}),
        ("post", "/v1/oppositions", {"json": [1, 2]}),
        ("get", "/v1/nowhere", {}),
    ]  # fmt: skip
    for method, path, options in cases:
        headers = {**READ, **options.pop("headers", {})}
        answer = getattr(client, method)(path, headers=headers, **options)
        assert 400 <= answer.status_code < 500, (path, options, answer.status_code, answer.text)
        assert answer.json()["error"], (path, options)
    assert not list(journal_dir(client.app.state.engine.landing).glob("*.csv"))


def test_the_token_is_required_for_writes_and_when_set_for_reads(client, company, eligibility_sql):
    look_up = {"email": BUYER, "category": "audio"}
    assert client.get("/v1/eligibility", params=look_up).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert client.get("/v1/eligibility", params=look_up, headers=wrong).status_code == 401
    assert client.get("/metrics").status_code == 401
    assert client.get("/healthz").status_code == 200
    post = {"email": BUYER, "scope": "soft_spam", "source_system": "crm"}
    assert client.post("/v1/oppositions", json=post).status_code == 401
    open_app = create_app(company.warehouse, company.landing, token=None, eligibility_sql=eligibility_sql)
    with TestClient(open_app) as open_client:
        assert open_client.get("/v1/eligibility", params=look_up).status_code == 200
        refused = open_client.post("/v1/oppositions", json=post)
        assert refused.status_code == 403 and "SOFTSPAM_SERVE_TOKEN" in refused.json()["error"]
    assert not list(journal_dir(company.landing).glob("*.csv"))


def test_an_objection_counts_at_once_and_lands_exactly_once(client, company, eligibility_sql):
    look_up = {"email": FAN, "category": "audio"}
    assert client.get("/v1/eligibility", params=look_up, headers=READ).json()["is_eligible"] is True
    posted = client.post(
        "/v1/oppositions",
        json={"email": " FAN@example.it", "scope": "email_marketing", "source_system": "Customer_Service",
              "request_channel": "phone"},
        headers=READ,
    )  # fmt: skip
    assert posted.status_code == 201, posted.text
    opposition_id = posted.json()["opposition_id"]
    after = client.get("/v1/eligibility", params=look_up, headers=READ).json()
    assert (after["is_eligible"], after["blocking_reason"]) == (False, "OPPOSED")
    assert after["evidence"]["oppositions"][-1]["opposition_id"] == opposition_id
    # the journal holds it in the canonical format, and a restarted service honours it too
    (journal_file,) = journal_dir(company.landing).glob("*.csv")
    with journal_file.open(encoding="utf-8", newline="") as handle:
        (line,) = list(csv.DictReader(handle))
    assert (line["opposition_id"], line["email"]) == (opposition_id, FAN)
    assert line["source_system"] == "customer_service"
    restarted = create_app(company.warehouse, company.landing, token=TOKEN, eligibility_sql=eligibility_sql)
    with TestClient(restarted) as again:
        honoured = again.get("/v1/eligibility", params=look_up, headers=READ).json()
        assert honoured["blocking_reason"] == "OPPOSED"

    # the service is gone without a word (kill -9 right after the 201): the next run ingests it
    company.run(as_of=datetime.now(UTC).isoformat())
    landed = rows(
        company.warehouse,
        "select opposition_id, email, scope, source_system from intermediate.int_oppositions_unioned "
        "where source_system = 'customer_service'",
    )
    assert landed == [(opposition_id, FAN, "email_marketing", "customer_service")]
    raw_count = f"select count(*) from raw.oppositions where opposition_id = '{opposition_id}'"  # noqa: S608
    journal_loads = "select count(*) from raw.load_ledger where file_name like '%journal%'"
    assert rows(company.warehouse, raw_count) == [(1,)]
    pending = pending_files(company.landing, company.warehouse)
    assert not [file for file in pending if "journal" in file.file_name]
    company.run(as_of=datetime.now(UTC).isoformat())
    assert rows(company.warehouse, raw_count) == rows(company.warehouse, journal_loads) == [(1,)]

    # the new build is swapped in; it holds the objection itself now, and the verdict stays
    publish(company.warehouse)
    engine = client.app.state.engine
    old = engine.build.build_id
    assert engine.refresh() is True and engine.build.build_id != old
    swapped = client.get("/v1/eligibility", params=look_up, headers=READ).json()
    assert swapped["build"]["build_id"] == engine.build.build_id and swapped["blocking_reason"] == "OPPOSED"
    metrics = client.get("/metrics", headers=READ).text
    assert 'softspam_requests_total{route="/v1/eligibility",status="200"}' in metrics
    assert "softspam_request_seconds_bucket" in metrics and "softspam_build_age_seconds" in metrics


def test_openapi_schema_lists_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/eligibility", "/v1/audience", "/v1/oppositions", "/healthz", "/metrics"} <= set(paths)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_softspam_serve_on_localhost_then_kill_9_right_after_a_201(company):
    """The real process: it answers, and an objection acknowledged just before a SIGKILL is on disk
    whole and is ingested once, however often ingestion runs."""
    port = _free_port()
    environment = {**os.environ, "SOFTSPAM_SERVE_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "serve", "--port", str(port),
         "--warehouse", str(company.warehouse), "--landing", str(company.landing)],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        look_up = {"email": BUYER, "category": "audio"}
        answer = httpx.get(f"{base}/v1/eligibility", params=look_up, headers=READ, timeout=10)
        assert answer.status_code == 200 and answer.json()["email"] == BUYER
        posted = httpx.post(
            f"{base}/v1/oppositions",
            json={"email": BUYER, "scope": "soft_spam", "source_system": "dpo"},
            headers=READ,
            timeout=10,
        )
        process.send_signal(signal.SIGKILL)
        assert posted.status_code == 201, posted.text
    finally:
        process.kill()
        process.wait(timeout=30)
    opposition_id = posted.json()["opposition_id"]
    timezone = default_policy()["timezone"]
    loads = ingest_kind(company.landing, company.warehouse, "oppositions", timezone)
    assert [(load.file_name, load.rows_loaded) for load in loads] == [(posted.json()["journal_file"], 1)]
    assert ingest_kind(company.landing, company.warehouse, "oppositions", timezone) == []
    raw_count = f"select count(*) from raw.oppositions where opposition_id = '{opposition_id}'"  # noqa: S608
    assert rows(company.warehouse, raw_count) == [(1,)]


def test_concurrent_objections_are_all_kept(client, company):
    def post(index: int) -> httpx.Response:
        return client.post(
            "/v1/oppositions",
            json={"email": f"many{index}@example.it", "scope": "all_marketing", "source_system": "crm"},
            headers=READ,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(post, range(24)))
    assert [answer.status_code for answer in answers] == [201] * 24
    identifiers = {answer.json()["opposition_id"] for answer in answers}
    assert len(identifiers) == 24
    journalled = {objection.opposition_id for objection in read_journal(company.landing)}
    assert identifiers <= journalled
    verdicts = audience(client, "audio", "email", datetime.now(UTC).isoformat(),
                        emails=[f"many{index}@example.it" for index in range(24)])["verdicts"]  # fmt: skip
    assert {verdict["blocking_reason"] for verdict in verdicts} == {"OPPOSED"}


def test_a_new_build_is_swapped_in_without_dropping_a_request(client, company):
    engine = client.app.state.engine
    before = engine.build.build_id
    statuses: list[int] = []
    builds: set[str] = set()
    stop = threading.Event()

    def look_up() -> None:
        while not stop.is_set():
            answer = client.get("/v1/eligibility", params={"email": BUYER, "category": "audio"}, headers=READ)
            statuses.append(answer.status_code)
            builds.add(answer.json()["build"]["build_id"])

    threads = [threading.Thread(target=look_up) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        publish(company.warehouse)
        assert engine.refresh() is True
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert statuses and set(statuses) == {200}
    assert {before, engine.build.build_id} <= builds
