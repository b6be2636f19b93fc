"""The HTTP face of the service (FastAPI): look-ups, audiences, objections, health and metrics."""

from __future__ import annotations

import hmac
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfoNotFoundError

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client import Counter as Counted
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from orchestration.config import load_policy
from orchestration.errors import SoftspamError
from orchestration.reports.audience import (
    Verdict,
    distinct_addresses,
    normalise_address,
    summarise,
)
from orchestration.serve import TOKEN_VARIABLE, journal
from orchestration.serve.engine import Eligibility, LoadedBuild, LookUps
from orchestration.timezones import read_instant, utc_iso
from orchestration.vocabulary import terms

MAX_AUDIENCE = 100_000
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class AudienceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    emails: list[str] = Field(max_length=MAX_AUDIENCE)
    category: str
    channel: str = "email"
    as_of: str | None = None


class OppositionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    scope: str
    source_system: str
    request_channel: str | None = None
    opposed_at: str | None = None


def _error(status: int, message: str, detail: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status)


def _instant(text: str | None, timezone: str, field: str) -> datetime:
    """An ISO 8601 time read like the pipeline reads one (no offset: the policy's zone)."""
    if not text:
        return datetime.now(UTC)
    try:
        return read_instant(text, timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise HTTPException(
            422, f"{field} {text!r} is not an ISO 8601 time such as 2026-03-01T10:00:00+01:00"
        ) from None


def _verdict(verdict: Verdict, category: str, channel: str, at: datetime, build: LoadedBuild) -> dict:
    return {
        "email": verdict.email,
        "category": category,
        "channel": channel,
        "is_eligible": verdict.is_eligible,
        "legal_basis": verdict.legal_basis,
        "blocking_reason": verdict.blocking_reason,
        # the rule behind the verdict: its blocking code, or the basis that allows the send
        "evidence": {"rule": verdict.blocking_reason or verdict.legal_basis},
        "evaluated_at": utc_iso(at),
        "build": {"build_id": build.build_id, "built_at": build.built_at},
    }


def create_app(
    warehouse: Path,
    landing: Path,
    token: str | None = None,
    eligibility_sql: str | None = None,
    check_every_seconds: float = 2.0,
) -> FastAPI:
    """The service over the latest published copy of ``warehouse``; journal under ``landing``."""
    engine = Eligibility(warehouse, landing, eligibility_sql, check_every_seconds)
    look_ups = LookUps(engine)
    timezone = load_policy(os.environ.get("SOFTSPAM_POLICY"))["timezone"]
    scopes = terms("scopes")
    registry = CollectorRegistry()
    requests = Counted("softspam_requests", "HTTP requests answered", ("route", "status"), registry=registry)
    latency = Histogram(
        "softspam_request_seconds", "Time to answer", ("route",), buckets=LATENCY_BUCKETS, registry=registry
    )
    build_age = Gauge("softspam_build_age_seconds", "Age of the build answering look-ups", registry=registry)
    build_age.set_function(
        lambda: time.time() - datetime.fromisoformat(engine.build.built_at.replace("Z", "+00:00")).timestamp()
    )
    objections = Counted("softspam_objections_recorded", "Objections journalled", registry=registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        look_ups.close()
        engine.close()

    app = FastAPI(
        lifespan=lifespan,
        title="softspam eligibility service",
        version="1",
        description="May this person be contacted about this category now? Verdicts of the "
        "warehouse's eligibility rules at the request's instant, over the latest published build; "
        f"objections recorded here take effect at once. Bearer token: ${TOKEN_VARIABLE}.",
    )
    app.state.engine = engine

    @app.middleware("http")
    async def measure(request: Request, call_next):
        started = time.perf_counter()
        engine.maybe_refresh()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        latency.labels(name).observe(time.perf_counter() - started)
        requests.labels(name, str(response.status_code)).inc()
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"location": ".".join(str(part) for part in error.get("loc", ())), "message": error.get("msg")}
            for error in exc.errors()
        ]
        return _error(422, "the request is malformed", detail)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = _error(exc.status_code, str(exc.detail))
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(SoftspamError)
    async def unanswerable(request: Request, exc: SoftspamError) -> JSONResponse:
        # an unknown category or channel: check-audience's own message, with the known values
        return _error(422, str(exc))

    def _authorised(request: Request, required: bool) -> None:
        if not token:
            if required:
                raise HTTPException(403, f"writes are disabled: start the service with {TOKEN_VARIABLE} set")
            return
        given = request.headers.get("authorization", "")
        scheme, _, credential = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(credential.strip(), token):
            raise HTTPException(401, "a valid bearer token is required (Authorization: Bearer <token>)")

    def reader(request: Request) -> None:
        _authorised(request, required=False)

    def writer(request: Request) -> None:
        _authorised(request, required=True)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        build = engine.build
        return {"status": "ok", "build": {"build_id": build.build_id, "built_at": build.built_at}}

    @app.get("/metrics", dependencies=[Depends(reader)])
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/eligibility", dependencies=[Depends(reader)])
    def eligibility(
        email: Annotated[str, Query(min_length=1)],
        category: Annotated[str, Query(min_length=1)],
        channel: str = "email",
    ) -> dict[str, Any]:
        address = normalise_address(email)
        if not address:
            raise HTTPException(422, "email is blank")
        category, channel = normalise_address(category), normalise_address(channel)
        verdict, build, at = look_ups.judge(address, category, channel)
        answer = _verdict(verdict, category, channel, at, build)
        if verdict.blocking_reason == "OPPOSED":
            with engine.current() as current:
                answer["evidence"]["oppositions"] = [
                    {**row, "opposed_at": utc_iso(row["opposed_at"])}
                    for row in current.oppositions_of(address, at)
                ]
        return answer

    @app.post("/v1/audience", dependencies=[Depends(reader)])
    def audience(body: AudienceRequest) -> dict[str, Any]:
        category, channel = normalise_address(body.category), normalise_address(body.channel)
        at = _instant(body.as_of, timezone, "as_of")
        planned = distinct_addresses(body.emails)
        verdicts, build = engine.judge(planned.addresses, category, channel, at)
        reasons = Counter(verdict.blocking_reason for verdict in verdicts if not verdict.is_eligible)
        return {
            "category": category,
            "channel": channel,
            "evaluated_at": utc_iso(at),
            "build": {"build_id": build.build_id, "built_at": build.built_at},
            "summary": {
                "addresses": len(verdicts),
                "entries": planned.entries_read,
                "duplicates": planned.duplicate_entries,
                "blank": planned.blank_entries,
                "eligible": sum(1 for verdict in verdicts if verdict.is_eligible),
                "blocked": dict(sorted(reasons.items())),
                "text": summarise(verdicts, planned, channel),
            },
            "verdicts": [_verdict(verdict, category, channel, at, build) for verdict in verdicts],
        }

    @app.post("/v1/oppositions", status_code=201, dependencies=[Depends(writer)])
    def oppositions(body: OppositionRequest) -> dict[str, Any]:
        address = normalise_address(body.email)
        scope = normalise_address(body.scope)
        source_system = normalise_address(body.source_system)
        if not address or "@" not in address:
            raise HTTPException(422, f"email {body.email!r} is not an e-mail address")
        if scope not in scopes:
            raise HTTPException(422, f"unknown scope {body.scope!r}; known: {', '.join(scopes)}")
        if not source_system:
            raise HTTPException(422, "source_system is blank")
        now = datetime.now(UTC)
        objection = journal.Objection(
            opposition_id=journal.new_opposition_id(now),
            email=address,
            scope=scope,
            opposed_at=_instant(body.opposed_at, timezone, "opposed_at"),
            recorded_at=now,
            request_channel=normalise_address(body.request_channel or "") or None,
            source_system=source_system,
        )
        path = journal.append(engine.landing, objection)
        engine.record(objection)
        objections.inc()
        return {
            **objection.as_row(),
            "journal_file": path.relative_to(engine.landing).as_posix(),
        }

    return app
