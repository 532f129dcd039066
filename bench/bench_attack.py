"""Attack benchmark: is the endpoint still answering while one anonymous client attacks it?

    .venv/bin/python bench/bench_attack.py                       # every attack, 20 s each
    .venv/bin/python bench/bench_attack.py --seconds 10 --attacks slow-loris,unread-answers

Starts `liuzhou-kg serve` on 127.0.0.1 with its default limits (on dist/store unless --data is
given), under an address-space limit (RLIMIT_AS, --memory-limit, 1.5 GiB, inherited by every worker) so a
memory-hungry query cannot take the machine. For each attack, in turn, a prober sends ``ASK {}``
every 0.2 s from 127.0.0.1 while the attack runs from other loopback addresses (127.0.0.2...,
every address of 127.0.0.0/8 is local on Linux); then the attack stops and the next one starts.
Reported per attack: the prober's median and 95th-percentile latency, how many probes failed,
the peak resident memory (RSS) of the server's main process and of the main process plus its
workers, and what the attacker's requests got. Not a test; everything is bounded in time and
count, and nothing leaves the loopback interface. Results go to BENCHMARKS.md.

Attacks (from docs/issue 8's probe):
- cjk-post        135 KB POSTs (``SELECT * WHERE {?s ?p ?o}`` + 45,000 x 中), two clients looping
- cjk-under-cap   the same with 21,000 x 中 (63 KB, under the query cap), one client looping
- cross-join      ``SELECT ?a ?c ?f WHERE {?a ?b ?c . ?d ?e ?f} ORDER BY ?c ?f LIMIT 1`` looped by
                  two clients (unbounded memory in the engine: the RLIMIT is what stops it)
- unread-answers  ten clients each ask for a 52 MB answer and never read a byte of it
- slow-loris      50 connections each sending one header byte per second
- slow-loris-one-address   the same with 300 connections from one address
- slow-queries    two clients looping a six-way cartesian product that runs to the time limit
"""
from __future__ import annotations

import argparse
import contextlib
import json
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent

CJK = "SELECT * WHERE {?s ?p ?o} " + "中" * 45_000
CJK_UNDER_CAP = "SELECT * WHERE {?s ?p ?o} " + "中" * 21_000  # 63 KB: under the 64 KiB cap
CROSS_JOIN = "SELECT ?a ?c ?f WHERE {?a ?b ?c . ?d ?e ?f} ORDER BY ?c ?f LIMIT 1"
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
        "?m ?n1 ?o . ?p ?q ?r }")


def big_answer(doublings: int = 19) -> str:
    """One row whose value is 100 characters doubled ``doublings`` times (19: 52 MB)."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(doublings))
    return f'SELECT ?s{doublings} WHERE {{ BIND("{"x" * 100}" AS ?s0) {binds} }}'


class Server:
    """`liuzhou-kg serve` on a free loopback port, under RLIMIT_AS."""

    def __init__(self, dataset: list[str], memory_limit: int, extra: list[str]):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

        def limit_memory():
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

        self.process = subprocess.Popen(
            [sys.executable, "-m", "liuzhou_kg.cli", "serve", "--port", str(self.port),
             *dataset, *extra], cwd=REPO, preexec_fn=limit_memory,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise SystemExit("the server exited while starting")
            with contextlib.suppress(OSError):
                if http("127.0.0.1", self.port, "GET", "/sparql?" + urlencode({"query": "ASK {}"}),
                        timeout=2)[0] == 200:
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit("the server did not start within 120 s")
            time.sleep(0.2)

    def rss(self) -> tuple[int, int]:
        """Resident bytes of the main process, and of it plus its children."""
        import psutil

        try:
            main = psutil.Process(self.process.pid)
            own = main.memory_info().rss
            total = own
            for child in main.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            return own, total
        except psutil.Error:
            return 0, 0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def http(source: str, port: int, method: str, target: str, body: bytes = b"",
         headers: dict | None = None, timeout: float = 30.0) -> tuple[int, bytes]:
    """One HTTP/1.1 request from loopback address ``source``; (status, body). Reads it all."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                  source_address=(source, 0)) as sock:
        lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                 f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        # A server may refuse a body by its Content-Length and close before it is all sent.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(body)
        data = b""
        with contextlib.suppress(ConnectionResetError):
            while True:
                chunk = sock.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, rest


class Attack:
    """Threads that attack until ``stop`` is set; ``outcomes`` counts what they got."""

    def __init__(self, port: int, stop: threading.Event):
        self.port = port
        self.stop = stop
        self.outcomes: dict[str, int] = {}
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []

    def count(self, what) -> None:
        with self.lock:
            self.outcomes[str(what)] = self.outcomes.get(str(what), 0) + 1

    def loop_query(self, source: str, query: str, post_body: bool = False) -> None:
        while not self.stop.is_set():
            try:
                if post_body:
                    status, _ = http(source, self.port, "POST", "/sparql", query.encode(),
                                     {"Content-Type": "application/sparql-query"})
                else:
                    status, _ = http(source, self.port, "GET",
                                     "/sparql?" + urlencode({"query": query}))
                self.count(status)
                if status in (429, 503):
                    self.stop.wait(0.5)  # an attacker that ignores Retry-After, but not a busy loop
            except OSError as err:
                self.count(type(err).__name__)
                self.stop.wait(0.5)

    def unread(self, source: str, query: str) -> None:
        """Ask for a big answer, read only its status line, then never read again."""
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=60,
                                            source_address=(source, 0))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            target = "/sparql?" + urlencode({"query": query})
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n".encode())
            line = b""
            while not line.endswith(b"\r\n"):
                chunk = sock.recv(1)
                if not chunk:
                    break
                line += chunk
            self.count(line.split(b" ")[1].decode() if line.count(b" ") >= 2 else "no answer")
            with self.lock:
                self.sockets.append(sock)
        except OSError as err:
            self.count(type(err).__name__)

    def slow_loris(self, source: str) -> None:
        """Send one header byte per second until the server closes the connection."""
        header = (b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: "
                  + b"a" * 10_000)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5,
                                          source_address=(source, 0)) as sock:
                sock.settimeout(1.0)
                for byte in header:
                    if self.stop.is_set():
                        self.count("still open at the end")
                        return
                    sock.sendall(bytes([byte]))
                    with contextlib.suppress(socket.timeout):
                        data = sock.recv(4096)
                        if not data or data.startswith(b"HTTP/1.1 408"):
                            self.count("closed by the server")
                            return
                        if data.startswith(b"HTTP/1.1 503"):
                            self.count("refused (503)")
                            return
        except OSError as err:
            self.count("closed by the server" if isinstance(err, (BrokenPipeError,
                                                                   ConnectionResetError))
                       else type(err).__name__)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def start_attack(name: str, attack: Attack) -> list[threading.Thread]:
    plans = {
        "none": [],  # the baseline: the prober alone
        "cjk-post": [(attack.loop_query, (f"127.0.0.{2 + i}", CJK, True)) for i in range(2)],
        "cjk-under-cap": [(attack.loop_query, ("127.0.0.2", CJK_UNDER_CAP, True))],
        "cross-join": [(attack.loop_query, (f"127.0.0.{2 + i}", CROSS_JOIN)) for i in range(2)],
        "unread-answers": [(attack.unread, (f"127.0.0.{10 + i}", big_answer()))
                           for i in range(10)],
        "slow-loris": [(attack.slow_loris, (f"127.0.1.{1 + i}",)) for i in range(50)],
        "slow-loris-one-address": [(attack.slow_loris, ("127.0.2.1",)) for _ in range(300)],
        "slow-queries": [(attack.loop_query, (f"127.0.0.{2 + i}", SLOW)) for i in range(2)],
    }
    threads = [threading.Thread(target=target, args=args, daemon=True)
               for target, args in plans[name]]
    for thread in threads:
        thread.start()
    return threads


def run_attack(server: Server, name: str, seconds: float) -> dict:
    stop = threading.Event()
    attack = Attack(server.port, stop)
    threads = start_attack(name, attack)
    time.sleep(1.0)  # let the attack take hold before probing
    latencies, failures = [], 0
    peak_main, peak_total = server.rss()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            status, body = http("127.0.0.1", server.port, "GET",
                                "/sparql?" + urlencode({"query": "ASK {}"}), timeout=30)
            ok = status == 200 and b"true" in body
        except OSError:
            ok = False
        elapsed = time.monotonic() - started
        latencies.append(elapsed)
        failures += not ok
        main, total = server.rss()
        peak_main, peak_total = max(peak_main, main), max(peak_total, total)
        time.sleep(max(0.0, 0.2 - elapsed))
    stop.set()
    for thread in threads:
        thread.join(40)
    attack.close()
    latencies.sort()
    return {"attack": name, "probes": len(latencies), "failed": failures,
            "median_s": statistics.median(latencies),
            "p95_s": latencies[max(0, int(round(0.95 * len(latencies))) - 1)],
            "max_s": latencies[-1], "peak_rss_main_mb": peak_main / 1e6,
            "peak_rss_all_mb": peak_total / 1e6, "attacker_got": attack.outcomes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="probe time per attack")
    parser.add_argument("--attacks", default="none,cjk-post,cjk-under-cap,cross-join,"
                                             "unread-answers,slow-loris,slow-loris-one-address,slow-queries")
    parser.add_argument("--store", default=str(REPO / "dist" / "store"))
    parser.add_argument("--data", help="serve this RDF file instead of the store")
    parser.add_argument("--memory-limit", type=int, default=3 << 29,
                        help="RLIMIT_AS of the server and each worker, bytes (default 1.5 GiB)")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("serve_args", nargs="*", help="extra `serve` options (after --)")
    args = parser.parse_args()
    dataset = ["--data", args.data] if args.data else ["--store", args.store]
    server = Server(dataset, args.memory_limit, args.serve_args)
    results = []
    try:
        for name in args.attacks.split(","):
            result = run_attack(server, name, args.seconds)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            time.sleep(3)  # let workers be replaced and memory settle between attacks
    finally:
        server.stop()
    print()
    print("| attack | probes | failed | ASK median | ASK p95 | ASK max | peak RSS main | "
          "peak RSS main + workers | the attacker got |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        got = ", ".join(f"{k}: {v}" for k, v in sorted(r["attacker_got"].items())) or "-"
        print(f"| {r['attack']} | {r['probes']} | {r['failed']} | {r['median_s'] * 1000:.0f} ms | "
              f"{r['p95_s'] * 1000:.0f} ms | {r['max_s'] * 1000:.0f} ms | "
              f"{r['peak_rss_main_mb']:.0f} MB | {r['peak_rss_all_mb']:.0f} MB | {got} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
