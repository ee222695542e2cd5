"""Liveness, readiness, the model card and the metrics."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from winnow import __version__


def test_healthz(client, check_openapi):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "winnow": __version__}
    check_openapi("/healthz", "GET", r)


def test_readyz_names_the_loaded_model(app, client, check_openapi):
    r = client.get("/readyz")
    model = app.extensions["winnow"].model
    assert r.status_code == 200
    assert r.get_json() == {
        "status": "ready",
        "model": {"name": model.name, "version": model.version},
        "compiled_trees": model.compiled,
    }
    check_openapi("/readyz", "GET", r)


def test_version_is_the_model_card(app, client, check_openapi):
    r = client.get("/version")
    assert r.status_code == 200
    assert r.get_json() == app.extensions["winnow"].model.card
    check_openapi("/version", "GET", r)


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_requests_pages_and_lines(client, page_text, check_openapi):
    requests = (
        "winnow_http_requests_total",
        {"endpoint": "/clean", "method": "POST", "status": "200"},
    )
    rejected = (
        "winnow_http_requests_total",
        {"endpoint": "/clean", "method": "POST", "status": "415"},
    )
    latency = ("winnow_http_request_duration_seconds_count", {"endpoint": "/clean"})
    before = {
        "ok": sample(requests[0], **requests[1]),
        "415": sample(rejected[0], **rejected[1]),
        "latency": sample(latency[0], **latency[1]),
        "pages": sample("winnow_pages_classified_total"),
        "lines": sample("winnow_lines_classified_total"),
    }
    lines = 0
    for _ in range(3):
        r = client.post("/clean", json={"text": page_text, "lines": True})
        lines += len(r.get_json()["lines"])
    batch = client.post("/clean/batch", json=[{"text": "a\n\nb"}, {"text": "c"}])
    assert batch.status_code == 200
    client.post("/clean", data=b"x", content_type="text/html")

    assert sample(requests[0], **requests[1]) - before["ok"] == 3
    assert sample(rejected[0], **rejected[1]) - before["415"] == 1
    assert sample(latency[0], **latency[1]) - before["latency"] == 4
    assert sample("winnow_pages_classified_total") - before["pages"] == 5
    assert sample("winnow_lines_classified_total") - before["lines"] == lines + 3

    r = client.get("/metrics")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    check_openapi("/metrics", "GET", r)
    families = {f.name: f for f in text_string_to_metric_families(r.get_data(as_text=True))}
    for name in (
        "winnow_http_requests",
        "winnow_http_request_duration_seconds",
        "winnow_pages_classified",
        "winnow_lines_classified",
        "winnow_model_info",
    ):
        assert name in families, name


def test_unknown_routes_and_methods_do_not_grow_label_sets(client):
    client.get("/random/path/123")
    client.open("/clean", method="BREW")
    assert (
        sample("winnow_http_requests_total", endpoint="unmatched", method="GET", status="404") >= 1
    )
    assert (
        sample("winnow_http_requests_total", endpoint="unmatched", method="other", status="405")
        >= 1
    )
    assert (
        sample(
            "winnow_http_requests_total", endpoint="/random/path/123", method="GET", status="404"
        )
        == 0
    )
