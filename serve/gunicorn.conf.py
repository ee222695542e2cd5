"""gunicorn settings for `winnow serve`, each from a WINNOW_* variable; re-read on every HUP.

The master keeps a runtime folder (removed on exit) with the Prometheus multiprocess files and
verified copies of the model. At start and on each HUP it copies WINNOW_MODEL there and loads the
copy in a separate process (`python -m winnow.serve.verify`); only a copy that loads becomes the
one new workers read. A corrupt or tampered model is refused with one log line, and the workers
that replace the old ones load the previous copy: the service keeps answering with the old
model. The master never imports winnow (no preload), so a HUP reloads the code as well.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

bind = f"{os.environ.get('WINNOW_HOST', '127.0.0.1')}:{os.environ.get('WINNOW_PORT', '8000')}"
workers = int(os.environ.get("WINNOW_WORKERS") or (os.cpu_count() or 1) + 1)
worker_class = "sync"  # cleaning is CPU-bound: one request per process at a time
timeout = int(os.environ.get("WINNOW_TIMEOUT", "60"))  # the largest accepted page takes 5-10 s
graceful_timeout = 30
preload_app = False  # each worker loads the model itself: a HUP brings in a new one
wsgi_app = "winnow.serve.app:create_app()"
proc_name = "winnow"
accesslog = os.environ.get("WINNOW_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("WINNOW_LOG_LEVEL", "info")
control_socket_disable = True  # HUP is the reload path; no shared socket under $HOME
VERIFY_TIMEOUT = 300


def on_starting(server):
    runtime = Path(tempfile.mkdtemp(prefix="winnow-serve-"))
    (runtime / "metrics").mkdir()
    (runtime / "models").mkdir()
    os.environ["WINNOW_RUNTIME_DIR"] = str(runtime)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(runtime / "metrics")
    os.environ.setdefault("WINNOW_MODEL_SOURCE", os.environ.get("WINNOW_MODEL", ""))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one page per worker: threads would only contend
    if not pin_model(server):
        shutil.rmtree(runtime, ignore_errors=True)
        sys.exit(1)


def on_reload(server):
    try:
        pin_model(server)
    except Exception:  # an exception here would stop the master: keep serving instead
        server.log.exception("model reload failed; workers keep the previous model")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    runtime = os.environ.get("WINNOW_RUNTIME_DIR")
    if runtime:
        shutil.rmtree(runtime, ignore_errors=True)


def pin_model(server) -> bool:
    """Verify a copy of the model in a fresh process; on success new workers load that copy."""
    models = Path(os.environ["WINNOW_RUNTIME_DIR"]) / "models"
    copies = sorted((int(p.name) for p in models.iterdir() if p.name.isdigit()), reverse=True)
    dest = models / str((copies[0] if copies else 0) + 1)
    source = os.environ["WINNOW_MODEL_SOURCE"]
    cmd = [sys.executable, "-m", "winnow.serve.verify", source, str(dest)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=VERIFY_TIMEOUT, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        current = os.environ.get("WINNOW_MODEL")
        keep = f"; workers keep {current}" if current and current != source else ""
        server.log.error("model refused: %s%s", reason, keep)
        return False
    info = json.loads(done.stdout.strip().splitlines()[-1])
    os.environ["WINNOW_MODEL"] = info["path"]
    server.log.info("model %s %s from %s verified", info["name"], info["version"], info["source"])
    for old in copies[1:]:  # keep the newest and the one before (a worker may still boot on it)
        shutil.rmtree(models / str(old), ignore_errors=True)
    return True
