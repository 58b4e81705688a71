"""Operations endpoints: liveness, readiness naming what is down, Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import text

from kcheck import crypto
from kcheck.adapters.queue import QueueUnavailable
from kcheck.adapters.storage import StorageError
from kcheck.services import services

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def readiness() -> dict[str, str]:
    svc = services()
    checks: dict[str, str] = {}
    try:
        with svc.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "down"
        checks["database"] = "down"
    try:
        svc.queue.ping()
        checks["redis"] = "ok"
    except QueueUnavailable:
        checks["redis"] = "down"
    try:
        svc.storage.ping()
        checks["storage"] = "ok"
    except StorageError:
        checks["storage"] = "down"
    return checks


@bp.get("/readyz")
def readyz():
    checks = readiness()
    down = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "ok" if not down else "unavailable", "checks": checks}
    if down:
        body["down"] = down
    return jsonify(body), (503 if down else 200)


@bp.get("/metrics")
def metrics():
    """Prometheus text, for the holder of METRICS_TOKEN (required in production; without it a
    development instance serves them to anyone who can reach it)."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from kcheck.metrics import registry_for

    svc = services()
    expected = svc.settings.metrics_token
    if expected:
        header = request.headers.get("Authorization", "")
        presented = header[7:].strip() if header.startswith("Bearer ") else ""
        if not crypto.same(presented, expected):
            return Response("metrics need the bearer token\n", status=401, mimetype="text/plain",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(generate_latest(registry_for(svc)), mimetype=CONTENT_TYPE_LATEST)
