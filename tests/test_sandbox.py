"""The query workers' sandbox fails closed: no network for workers, as root or not.

The server runs as an unprivileged user (``setpriv --reuid=nobody``) and as root without
CAP_SYS_ADMIN (``setpriv --bounding-set=-sys_admin``); a listener on 127.0.0.1 must receive no
connection, neither from attack queries sent to the endpoint nor from a worker whose policy lets
SERVICE through on purpose (the sandbox must hold on its own). Where the kernel refuses the
namespaces (a user namespace whose limits are 0), ``serve`` refuses to start unless
``--allow-network`` is given.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from liuzhou_kg.core.layout import Layout
from unprivileged import nobody_python

REPO = Layout.default().repo

SETPRIV = shutil.which("setpriv")
UNSHARE = shutil.which("unshare")
pytestmark = pytest.mark.skipif(SETPRIV is None or UNSHARE is None,
                                reason="setpriv/unshare (util-linux) not installed")
CORPUS = Path(__file__).parent / "fixtures" / "policy" / "corpus.yaml"
NOBODY = [SETPRIV, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
NO_SYS_ADMIN = [SETPRIV, "--bounding-set=-sys_admin", "--inh-caps=-sys_admin"]


class Listener:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stopped = True
        self.thread.join(2)
        self.sock.close()


def command_for(prefix: list[str]) -> tuple[list[str], dict]:
    """The command (ending with a Python interpreter) and environment to run under ``prefix``.

    As nobody, through tests/unprivileged.py (which reaches a private checkout by bind mounts);
    as root without CAP_SYS_ADMIN, this interpreter itself."""
    if prefix == NOBODY:
        return nobody_python()
    env = {**os.environ, "HOME": "/tmp",
           "PYTHONPATH": os.pathsep.join([sysconfig.get_paths()["purelib"], str(REPO)])}
    return prefix + [sys.executable], env


@pytest.fixture(scope="module")
def open_store(built_dist):
    """A copy of the built store that user nobody can read (outside pytest's private tmp)."""
    import tempfile

    from liuzhou_kg.store.load import write_store

    root = Path(tempfile.mkdtemp(prefix="liuzhou-kg-sandbox-"))
    store = root / "store"
    write_store(built_dist / "liuzhou.nq", store)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    yield store
    shutil.rmtree(root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(prefix: list[str], store: Path, *extra: str):
    command, env = command_for(prefix)
    port = free_port()
    proc = subprocess.Popen(command + ["-m", "liuzhou_kg.cli", "serve", "--port", str(port),
                                                "--store", str(store), "--workers", "1", *extra],
                            env=env, cwd="/tmp", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8")
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("serving"):
            break
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port, "".join(lines)
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start: " + "".join(lines) + proc.stderr.read())


def post(port: int, query: str) -> int:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/sparql", data=data)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.parametrize("prefix", [NOBODY, NO_SYS_ADMIN], ids=["nobody", "no-cap-sys-admin"])
def test_endpoint_without_privileges_reaches_no_listener(prefix, open_store, tmp_path):
    listener = Listener()
    data = tmp_path / "data.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    proc, port, started = start_server(prefix, open_store)
    try:
        assert "network isolated" in started, started
        cases = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["cases"]
        for case in cases:
            text = (case["query"].replace("%URL%", f"http://127.0.0.1:{listener.port}/")
                    .replace("%PORT%", str(listener.port)).replace("%FILE%", data.as_uri()))
            status = post(port, text)
            assert status < 500 or status == 503, (case["name"], status)
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        proc.terminate()
        proc.wait(30)
        listener.close()


SANDBOX_ALONE = """
import sys
from liuzhou_kg.sparql.errors import QueryError
from liuzhou_kg.sparql.execute import QueryRequest
from liuzhou_kg.sparql.policy import Policy
from liuzhou_kg.sparql.workers import StoreSpec, run_query
spec = StoreSpec(store_dir=sys.argv[1])
request = QueryRequest("SELECT * WHERE { SERVICE <http://127.0.0.1:%s/sparql> { ?s ?p ?o } }" % sys.argv[2])
try:
    run_query(spec, request, 30, Policy.query(allow_service=True))
    print("answered")
except QueryError as err:
    print("refused-or-failed:", err.message)
"""


@pytest.mark.parametrize("prefix", [NOBODY, NO_SYS_ADMIN], ids=["nobody", "no-cap-sys-admin"])
def test_the_sandbox_holds_when_the_policy_lets_service_through(prefix, open_store):
    listener = Listener()
    command, env = command_for(prefix)
    try:
        proc = subprocess.run(command + ["-c", SANDBOX_ALONE, str(open_store),
                                                 str(listener.port)],
                              env=env, cwd="/tmp", capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        time.sleep(0.3)
        assert listener.connections == 0, proc.stdout
        # Control: the same query outside a worker does reach the listener.
        control = subprocess.run(command + ["-c", (
            "import sys, pyoxigraph as ox\n"
            "try:\n"
            "    list(ox.Store().query('SELECT * WHERE { SERVICE <http://127.0.0.1:%s/> {} }' % sys.argv[1]))\n"
            "except OSError:\n"
            "    pass\n"), str(listener.port)], env=env, cwd="/tmp", capture_output=True,
            text=True, timeout=60)
        assert control.returncode == 0, control.stderr
        time.sleep(0.3)
        assert listener.connections >= 1
    finally:
        listener.close()


CAGE = ("echo 0 > /proc/sys/user/max_user_namespaces && echo 0 > /proc/sys/user/max_net_namespaces"
        " && exec \"$@\"")


def test_serve_refuses_to_start_unisolated(open_store):
    """In a user namespace whose namespace limits are 0, workers cannot be isolated."""
    command, env = command_for([])  # this interpreter, in a user namespace of its own
    port = free_port()
    command = [UNSHARE, "--user", "--map-root-user", "sh", "-c", CAGE, "cage", *command, "-m",
               "liuzhou_kg.cli", "serve", "--port", str(port), "--store", str(open_store),
               "--workers", "1"]
    proc = subprocess.run(command, env=env, cwd="/tmp", capture_output=True, text=True,
                          timeout=120)
    if "max_user_namespaces" in proc.stderr and "ermission" in proc.stderr:
        pytest.skip("cannot lower the namespace limits here: " + proc.stderr)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot be cut off from the network" in proc.stderr
    assert "--allow-network" in proc.stderr
    proc = subprocess.Popen(command + ["--allow-network"], env=env, cwd="/tmp",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert "network NOT isolated" in first, first + proc.stderr.read()
    finally:
        proc.terminate()
        proc.wait(30)
