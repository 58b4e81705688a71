"""Operations endpoints against the real Redis server."""

from __future__ import annotations


def test_healthz_and_readyz(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}


def test_readyz_names_redis_when_it_is_down_and_recovers(make_app, settings):
    from tests.servers import RedisServer

    server = RedisServer().start()
    app = make_app(settings.__class__(**{**settings.__dict__, "redis_url": server.url}))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    server.stop()
    down = client.get("/readyz")
    assert down.status_code == 503 and down.get_json()["down"] == ["redis"]
    restarted = RedisServer(port=server.port).start()
    try:
        assert client.get("/readyz").status_code == 200
    finally:
        restarted.stop()  # left running, it outlived the test run


def test_every_response_has_security_headers_and_request_id(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abcdef12345"})
    assert response.headers["X-Request-ID"] == "abcdef12345"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_metrics_are_prometheus_text(client, partner):
    partner.open_case()
    text = client.get("/metrics").get_data(as_text=True)
    assert 'kcheck_cases{status="created"} 1.0' in text


def test_an_unexpected_error_is_a_500_problem_and_its_message_is_not_logged(app, caplog):
    @app.get("/v1/boom")
    def boom():
        raise ValueError("phone +41791234567 did something odd")

    response = app.test_client().get("/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["code"] == "internal_error"
    assert "+4179" not in response.get_data(as_text=True)
    logged = "\n".join(r.getMessage() + str(r.exc_info) for r in caplog.records)
    assert "ValueError" in logged and "boom (test_ops.py:" in logged
    assert "+41791234567" not in logged


def test_metrics_need_the_bearer_token_when_one_is_set(make_app, settings, partner):
    import dataclasses

    token = "m" * 40
    client = make_app(dataclasses.replace(settings, metrics_token=token)).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token},
                    {"Authorization": f"Bearer {token}x"}):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert "kcheck_cases" not in refused.get_data(as_text=True)
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    allowed = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200 and "kcheck_cases" in allowed.get_data(as_text=True)

def test_metrics_show_queue_depth_verdict_latency_purge_lag_and_webhook_backlog(
        client, partner, person_for, svc, clock, run_jobs):
    import re
    from datetime import timedelta

    from kcheck.models import Case
    from tests import images

    def gauge(name: str) -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return float(re.search(rf"^{re.escape(name)} (\S+)$", text, re.M).group(1))

    case = partner.open_case(callback_url="https://example.test/hook").get_json()
    person = person_for(case["verification_url"])
    person.through_document_type()
    assert person.upload("id_front", images.plain_jpeg()).status_code == 202
    assert gauge('kcheck_queue_depth{queue="quality"}') == 1
    assert gauge("kcheck_photos_pending") == 1
    clock.advance(seconds=3)
    assert gauge("kcheck_photos_pending_oldest_seconds") == 3
    assert gauge("kcheck_webhooks_backlog") == 1  # case.opened, due at once
    assert gauge("kcheck_webhooks_oldest_due_seconds") >= 3
    run_jobs()  # the quality check
    assert gauge('kcheck_queue_depth{queue="quality"}') == 0
    assert gauge('kcheck_verdict_latency_seconds{quantile="0.95"}') == 3
    assert gauge("kcheck_purge_due_cases") == 0
    with svc.transaction() as session:
        session.get(Case, case["id"]).purge_due_at = clock.now() - timedelta(minutes=5)
    assert gauge("kcheck_purge_due_cases") == 1
    assert gauge("kcheck_purge_lag_seconds") == 300
