"""Load benchmark of `softspam serve` on a built warehouse, over localhost only.

Starts the service as a subprocess (its journal in a scratch landing folder, so the objections
it records are never ingested), then measures: single look-ups one at a time (p50, p99), their
throughput with concurrent clients, how soon a posted objection blocks the next look-up, a
10,000-address audience, and the service's memory. Prints a Markdown report (``--out`` writes it).

    python -m benchmarks.serve --warehouse /tmp/serve-demo/warehouse/softspam.duckdb
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from orchestration.publish import connect_latest

TOKEN = "benchmark-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
CATEGORY = "audio"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _memory_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of the process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _addresses(warehouse: Path, count: int) -> tuple[list[str], str, int]:
    connection, manifest = connect_latest(warehouse)
    try:
        persons = connection.execute(
            "select count(distinct person_key) from marts.audience_eligibility"
        ).fetchall()
        emails = [
            row[0]
            for row in connection.execute(
                "select distinct email from marts.audience_eligibility where email is not null "
                "order by hash(email) limit ?",
                [count],
            ).fetchall()
        ]
    finally:
        connection.close()
    return emails, manifest["build_id"], persons[0][0]


def _start(warehouse: Path, landing: Path, port: int) -> tuple[subprocess.Popen, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "serve", "--port", str(port),
         "--warehouse", str(warehouse), "--landing", str(landing)],
        env={**os.environ, "SOFTSPAM_SERVE_TOKEN": TOKEN},
    )  # fmt: skip
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process, time.monotonic() - started
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"the service exited with {process.returncode}")
        time.sleep(0.25)


def _look_ups(client: httpx.Client, emails: list[str]) -> list[float]:
    timings = []
    for email in emails:
        started = time.perf_counter()
        answer = client.get("/v1/eligibility", params={"email": email, "category": CATEGORY})
        timings.append(time.perf_counter() - started)
        answer.raise_for_status()
    return timings


def _throughput(base: str, emails: list[str], clients: int, seconds: float) -> float:
    done = [0] * clients
    deadline = time.monotonic() + seconds

    def work(index: int) -> None:
        with httpx.Client(base_url=base, headers=HEADERS, timeout=30) as client:
            position = index
            while time.monotonic() < deadline:
                client.get(
                    "/v1/eligibility", params={"email": emails[position % len(emails)], "category": CATEGORY}
                ).raise_for_status()
                done[index] += 1
                position += clients

    threads = [threading.Thread(target=work, args=(index,)) for index in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def _objection_delay(client: httpx.Client, emails: list[str]) -> tuple[float, str]:
    """Seconds from a 201 to the first look-up that answers OPPOSED for the person."""
    for email in emails:
        verdict = client.get("/v1/eligibility", params={"email": email, "category": CATEGORY}).json()
        if verdict["is_eligible"]:
            break
    else:
        return float("nan"), "no eligible person in the sample"
    posted = client.post(
        "/v1/oppositions",
        json={
            "email": email,
            "scope": "email_marketing",
            "source_system": "benchmark",
            "request_channel": "phone",
        },
    )
    answered = time.perf_counter()
    posted.raise_for_status()
    while True:
        verdict = client.get("/v1/eligibility", params={"email": email, "category": CATEGORY}).json()
        if verdict["blocking_reason"] == "OPPOSED":
            return time.perf_counter() - answered, "first look-up after the 201"
        if time.perf_counter() - answered > 30:
            return float("inf"), "not honoured within 30 s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, type=Path, help="a warehouse a run has published")
    parser.add_argument("--singles", type=int, default=1000, help="sequential look-ups (default 1000)")
    parser.add_argument(
        "--clients", type=int, default=32, help="concurrent clients for throughput (default 32)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput duration")
    parser.add_argument("--audience", type=int, default=10_000, help="audience size (default 10000)")
    parser.add_argument("--out", type=Path, help="write the Markdown report here too")
    args = parser.parse_args(argv)

    emails, build_id, persons = _addresses(args.warehouse, max(args.singles, args.audience))
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="softspam-bench-serve-") as landing:
        process, start_seconds = _start(args.warehouse, Path(landing), port)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, headers=HEADERS, timeout=60) as client:
                _look_ups(client, emails[:50])  # warm-up: the first queries of each thread
                singles = _look_ups(client, emails[: args.singles])
                rate = _throughput(base, emails, args.clients, args.seconds)
                audience_times = []
                for _ in range(3):
                    started = time.perf_counter()
                    answer = client.post(
                        "/v1/audience", json={"emails": emails[: args.audience], "category": CATEGORY}
                    )
                    audience_times.append(time.perf_counter() - started)
                    answer.raise_for_status()
                delay, how = _objection_delay(client, emails[args.singles :] or emails)
            rss, peak = _memory_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)

    p50, p99 = statistics.median(singles) * 1000, _percentile(singles, 0.99) * 1000
    lines = [
        "# `softspam serve` load benchmark",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, "
        f"{platform.platform()}, Python {platform.python_version()}; shared machine, timings are noisy",
        f"- command: `python -m benchmarks.serve {' '.join(argv if argv is not None else sys.argv[1:])}`",
        f"- build {build_id}: {persons:,} persons; service start-up (dbt compile, build loaded) "
        f"{start_seconds:.1f} s",
        "",
        "| measure | value | target (issue 19, at 1M persons) |",
        "|---|---|---|",
        f"| single look-up p50 (sequential, {len(singles):,}) | {p50:.1f} ms | |",
        f"| single look-up p99 | {p99:.1f} ms | <= 5 ms |",
        f"| single look-ups per second ({args.clients} clients, {args.seconds:.0f} s) | {rate:,.0f} "
        "| >= 2,000 |",
        f"| {args.audience:,}-address audience (median of 3) | {statistics.median(audience_times):.2f} s "
        "| <= 1 s |",
        f"| objection effective after its 201 ({how}) | {delay * 1000:.1f} ms | <= 1 s |",
        f"| service memory (RSS now / peak) | {rss:,.0f} / {peak:,.0f} MB | <= 1,536 MB |",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
