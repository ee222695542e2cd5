"""A real gunicorn on loopback: a request end to end, summed metrics, reload on HUP with no failed
request, a tampered model refused while the old one keeps serving, a clean shutdown."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import DEFAULT_MODEL
from winnow.serve.loadtest import (
    TEXT,
    Budget,
    Run,
    Target,
    markdown,
    measured_level,
    start_server,
    stop_server,
    worker_rss,
)

pytestmark = pytest.mark.slow
CONFIG = Path(__file__).resolve().parents[2] / "serve" / "gunicorn.conf.py"


@dataclass
class Server:
    process: subprocess.Popen
    target: Target
    model: Path  # the folder WINNOW_MODEL names
    tmp: Path  # TMPDIR of the server: its runtime folder lives there
    log: Path

    def version(self) -> str:
        return json.loads(self.target.fetch("GET", "/version")[1])["version"]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("gunicorn")
    model, tmp = work / "model", work / "tmp"
    shutil.copytree(DEFAULT_MODEL, model)
    tmp.mkdir()
    env = {**os.environ, "WINNOW_WORKERS": "2", "WINNOW_MODEL": str(model), "TMPDIR": str(tmp)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process, target = start_server(env, work / "server.log")
    yield Server(process, target, model, tmp, work / "server.log")
    if process.poll() is None:
        stop_server(process)


class Hammer:
    """Clients posting pages in a loop until stopped; every answer that is not a 200 counts."""

    def __init__(self, target: Target, body: bytes, clients: int = 2):
        self.target, self.body = target, body
        self.ok, self.failures = 0, []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(clients)]

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                status, body = self.target.fetch("POST", "/clean", self.body, TEXT, timeout=60)
            except OSError as err:
                status, body = 0, repr(err).encode()
            if status == 200:
                self.ok += 1
            else:
                self.failures.append((status, body[:200]))
            self._stop.wait(0.01)  # steady traffic that leaves the reload some CPU

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join()


def wait_for(condition, seconds: float = 90.0, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def metric(target: Target, name: str, **labels) -> float:
    text = target.fetch("GET", "/metrics")[1].decode()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_a_request_end_to_end(server, page_text):
    status, body = server.target.fetch("POST", "/clean", page_text.encode(), TEXT)
    assert status == 200
    got = json.loads(body)
    card = json.loads((server.model / "card.json").read_text())
    assert got["model"] == {"name": card["name"], "version": card["version"]}
    status, body = server.target.fetch(
        "POST", "/clean", page_text.encode(), {**TEXT, "Accept": "text/plain"}
    )
    assert status == 200 and body.decode().rstrip("\n").endswith(got["text"].rstrip("\n"))
    status, body = server.target.fetch("POST", "/clean", b"\xff", TEXT)
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_utf8"


def test_metrics_are_summed_over_workers(server):
    labels = {"endpoint": "/healthz", "method": "GET", "status": "200"}
    before = metric(server.target, "winnow_http_requests_total", **labels)
    for _ in range(20):
        assert server.target.fetch("GET", "/healthz")[0] == 200
    assert metric(server.target, "winnow_http_requests_total", **labels) - before == 20


def test_load_generator_counts_every_request(server, page_text):
    run = Run(server.target, server.process.pid, [page_text.encode()], Budget(30.0, 24))
    level = measured_level(run, 4)
    row = level.row()
    assert row["requests"] == 24 and row["errors"] == 0
    assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
    assert row["server_cpu_ms"] > 0
    assert len(worker_rss(server.process.pid)) == 2
    assert "| 4 | 24 | 0 |" in markdown([row])


def test_hup_swaps_in_a_new_model_with_no_failed_request(server, page_text):
    fresh = server.model.with_name("model-next")
    shutil.copytree(server.model, fresh)
    card = json.loads((fresh / "card.json").read_text())
    card["version"] = "reload-test-2"
    (fresh / "card.json").write_text(json.dumps(card))
    server.model.rename(server.model.with_name("model-old"))
    fresh.rename(server.model)  # the folder WINNOW_MODEL names now holds the new model

    with Hammer(server.target, page_text.encode()) as hammer:
        time.sleep(0.5)
        server.process.send_signal(signal.SIGHUP)
        wait_for(lambda: server.version() == "reload-test-2", what="the new model")
        time.sleep(1.0)
    assert hammer.failures == []
    assert hammer.ok > 10
    assert "model default reload-test-2" in server.log_text()
    assert metric(server.target, "winnow_model_info", version="reload-test-2") == 1
    assert server.process.poll() is None


def test_tampered_model_is_refused_and_the_old_one_keeps_serving(server, page_text):
    artifact = server.model / "model.joblib"
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    booted = server.log_text().count("Booting worker")

    with Hammer(server.target, page_text.encode()) as hammer:
        time.sleep(0.5)
        server.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "model refused" in server.log_text(), what="the refusal")
        # the old workers are replaced by new ones that load the previous verified copy
        wait_for(lambda: server.log_text().count("Booting worker") >= booted + 2, what="workers")
        wait_for(lambda: server.target.fetch("GET", "/readyz")[0] == 200, what="readiness")
        time.sleep(1.0)
    assert hammer.failures == []
    assert hammer.ok > 10
    assert server.process.poll() is None
    assert server.version() == "reload-test-2"
    refusal = next(line for line in server.log_text().splitlines() if "model refused" in line)
    assert "does not match the card" in refusal and "Traceback" not in server.log_text()


def test_shutdown_removes_the_runtime_folder(server):
    assert any(server.tmp.iterdir())  # metrics files and verified model copies
    assert stop_server(server.process) == 0
    assert not any(server.tmp.iterdir())


def test_master_refuses_a_corrupt_model_at_start(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, model)
    (model / "model.joblib").write_bytes(b"not a model")
    env = {**os.environ, "WINNOW_MODEL": str(model), "WINNOW_PORT": "0", "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(CONFIG)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "model refused" in done.stderr and "does not match the card" in done.stderr
    assert "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no runtime folder left behind
