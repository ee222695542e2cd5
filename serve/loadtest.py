"""`make bench-serve`: start the service on loopback and load it at concurrency 1, 8 and 32.

Request bodies are ordinary pages (a few hundred lines) from ../shared/corpora, else from
data/labels. Each level stops after --seconds or --requests, whichever comes first; the client is
plain threads with http.client (one connection per request, as gunicorn's sync workers close
them). Prints a Markdown table (requests/s, p50/p95/p99 latency, errors, CPU per request of the
workers and of this client) and the workers' RSS before and after, and writes the same figures
to reports/bench-serve.json. The CPU columns tell what the machine could do without
neighbours: the latency columns also hold whatever else ran on it.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = (ROOT.parent / "shared" / "corpora", ROOT / "data" / "labels")
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
COLUMNS = {
    "concurrency": "concurrency",
    "requests": "requests",
    "errors": "errors",
    "rps": "req/s",
    "p50_ms": "p50 ms",
    "p95_ms": "p95 ms",
    "p99_ms": "p99 ms",
    "max_ms": "max ms",
    "server_cpu_ms": "worker CPU ms/req",
    "client_cpu_ms": "client CPU ms/req",
}


@dataclass(frozen=True)
class Target:
    host: str
    port: int

    def fetch(self, method: str, path: str, body: bytes | None = None, headers=None, timeout=60.0):
        """(status, body) of one request on a fresh connection."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


@dataclass(frozen=True)
class Budget:
    seconds: float
    requests: int


@dataclass(frozen=True)
class Run:
    """What every level shares: where to send, what, for how long, and whose CPU to count."""

    target: Target
    master: int  # pid of the gunicorn master; its children are the workers
    bodies: list[bytes]
    budget: Budget


@dataclass
class Level:
    concurrency: int
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    wall: float = 0.0
    server_cpu: float = 0.0  # worker CPU seconds (user + system) during the level
    client_cpu: float = 0.0  # this process's CPU seconds during the level

    def row(self) -> dict:
        done = len(self.latencies) + self.errors
        ms = sorted(x * 1000 for x in self.latencies)
        return {
            "concurrency": self.concurrency,
            "requests": done,
            "errors": self.errors,
            "rps": round(done / self.wall, 1) if self.wall else 0.0,
            "p50_ms": percentile(ms, 0.50),
            "p95_ms": percentile(ms, 0.95),
            "p99_ms": percentile(ms, 0.99),
            "max_ms": round(ms[-1], 1) if ms else None,
            "server_cpu_ms": round(1000 * self.server_cpu / done, 1) if done else None,
            "client_cpu_ms": round(1000 * self.client_cpu / done, 1) if done else None,
        }


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return round(sorted_values[rank - 1], 1)


def measured_level(run: Run, concurrency: int) -> Level:
    """`run_level`, with the CPU time the workers and this client spent on it."""
    server, client = worker_cpu(run.master), time.process_time()
    level = run_level(run.target, run.bodies, concurrency, run.budget)
    level.server_cpu = worker_cpu(run.master) - server
    level.client_cpu = time.process_time() - client
    return level


def run_level(target: Target, bodies: list[bytes], concurrency: int, budget: Budget) -> Level:
    """`concurrency` clients, each sending the next page as soon as its last one is answered."""
    level = Level(concurrency)
    tickets = itertools.count()
    lock = threading.Lock()
    deadline = time.monotonic() + budget.seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                n = next(tickets)
            if n >= budget.requests:
                return
            started = time.perf_counter()
            try:
                status, _ = target.fetch("POST", "/clean", bodies[n % len(bodies)], TEXT)
            except (OSError, http.client.HTTPException):
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    level.latencies.append(elapsed)
                else:
                    level.errors += 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    level.wall = time.perf_counter() - started
    return level


def pick_pages(roots: tuple[Path, ...], count: int, lines: tuple[int, int]) -> list[bytes]:
    """`count` pages with lines[0]..lines[1] lines, spread over the first corpus that has them."""
    from winnow.labels import iter_label_files, read_page

    for root in roots:
        if not root.is_dir():
            continue
        texts = []
        for path, _ in iter_label_files([root]):
            text = read_page(path).text
            if lines[0] <= text.count("\n") + 1 <= lines[1]:
                texts.append(text.encode("utf-8"))
        if texts:
            step = max(1, len(texts) // count)
            return texts[::step][:count]
    raise SystemExit(f"no page with {lines[0]}-{lines[1]} lines under {', '.join(map(str, roots))}")


def children(master: int) -> dict[int, list[str]]:
    """The /proc/<pid>/stat fields (after the command name) of each child of `master`."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 12 and fields[1] == str(master):
            out[int(stat.parent.name)] = fields
    return out


def worker_rss(master: int) -> dict[int, int]:
    """RSS in KiB of each worker (child of the gunicorn master)."""
    out = {}
    for pid in children(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        vmrss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")]
        out[pid] = int(vmrss[0]) if vmrss else 0
    return out


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) the workers have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(f[11]) + int(f[12]) for f in children(master).values()) / ticks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(target: Target, process: subprocess.Popen, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            if target.fetch("GET", "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the server was not ready within {seconds:.0f} s")


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, Target]:
    """`winnow serve` on a free loopback port, its output in `log`; returns once it is ready."""
    port = free_port()
    env = {**env, "WINNOW_HOST": "127.0.0.1", "WINNOW_PORT": str(port)}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "winnow", "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    target = Target("127.0.0.1", port)
    try:
        wait_ready(target, process)
    except BaseException:
        stop_server(process)
        raise
    return process, target


def stop_server(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS.values()) + " |", "|" + "---:|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[k]) for k in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def rss_line(label: str, rss: dict[int, int]) -> str:
    per = ", ".join(f"{kib / 1024:.0f}" for _, kib in sorted(rss.items()))
    return f"worker RSS {label}: {per} MiB ({sum(rss.values()) / 1024:.0f} MiB in all)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m winnow.serve.loadtest", description=__doc__)
    parser.add_argument("--concurrency", default="1,8,32", help="levels, comma-separated")
    parser.add_argument("--seconds", type=float, default=15.0, help="time bound of each level")
    parser.add_argument("--requests", type=int, default=2000, help="request bound of each level")
    parser.add_argument("--workers", type=int, help="WINNOW_WORKERS for the server")
    parser.add_argument("--pages", type=int, default=50, help="distinct request bodies")
    parser.add_argument("--lines", default="150,400", help="line range of the pages used")
    parser.add_argument("--out", default="reports/bench-serve.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    low, high = (int(x) for x in args.lines.split(","))
    bodies = pick_pages(CORPORA, args.pages, (low, high))
    env = dict(os.environ)
    if args.workers:
        env["WINNOW_WORKERS"] = str(args.workers)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    process, target = start_server(env, out.with_suffix(".log"))
    try:
        for body in bodies[:16]:  # every worker loads its caches before the clock starts
            target.fetch("POST", "/clean", body, TEXT)
        run = Run(target, process.pid, bodies, Budget(args.seconds, args.requests))
        before = worker_rss(process.pid)
        levels = [measured_level(run, int(c)) for c in args.concurrency.split(",")]
        after = worker_rss(process.pid)
    finally:
        stop_server(process)
    rows = [level.row() for level in levels]
    print(summary(bodies, before, args))
    print(markdown(rows))
    print(rss_line("before", before))
    print(rss_line("after", after))
    report = {
        "rows": rows,
        "rss_kib_before": before,
        "rss_kib_after": after,
        "pages": len(bodies),
        "budget": asdict(run.budget),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(r["errors"] == 0 for r in rows) else 1


def summary(bodies: list[bytes], workers: dict, args: argparse.Namespace) -> str:
    sizes = sorted(len(b) for b in bodies)
    lines = sorted(b.count(b"\n") + 1 for b in bodies)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{len(bodies)} pages, median {lines[len(lines) // 2]} lines / "
        f"{sizes[len(sizes) // 2]} bytes; {len(workers)} workers on {os.cpu_count()} cores "
        f"(load average {load}); each level bounded by {args.seconds:g} s or {args.requests} "
        "requests"
    )


if __name__ == "__main__":
    sys.exit(main())
