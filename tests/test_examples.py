"""Every command example of the README, of docs/*.md and of ``liuzhou-kg COMMAND --help`` runs, and
does what it says.

The examples are collected mechanically: each ``liuzhou-kg …`` line of every command's description
and epilog, each ``liuzhou-kg …`` / ``python build.py …`` line of a ```sh block of README.md, and
every command of a ```sh block of docs/*.md but ``curl`` (lines ending in a backslash joined; ``VAR=value``
in front and a ``.venv/bin/`` before the program allowed). A docs command that cannot run here is
listed in ``DOC_SKIPS`` with the reason; an entry there that the docs no longer show fails.
Each one is run as written (its trailing ``# comment`` dropped) by the venv's ``liuzhou-kg``, in a
throw-away folder holding a copy of the session's built ``dist/`` and the files the examples name
(copied from real fixtures of the repository, see ``SANDBOX_FILES``). What an example needs runs on
127.0.0.1 for it: ``serve`` examples are started and asked ``ASK {}``; a Virtuoso instance for the
Virtuoso ``push``; a small SPARQL endpoint (tests/fixtures/federation/endpoint.py, serving
tests/fixtures/link/external.ttl) where an example names an endpoint on port 3030. When a port an
example names is taken, the test uses a free one and rewrites the example's URLs (and the files it
reads) to it; absolute ``/tmp/…`` paths are moved into the throw-away folder.

``test_every_example_is_run_or_listed`` fails when an example is neither in ``CHECKS`` nor in
``CANNOT_RUN``, so a new example cannot slip through untested.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from liuzhou_kg.cli import COMMANDS, make_parser
from liuzhou_kg.core.layout import Layout

REPO = Layout.default().repo

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES / "federation"))
sys.path.insert(0, str(FIXTURES / "link"))
import virtuoso  # noqa: E402
from endpoint import Endpoint  # noqa: E402

LIUZHOU_KG = Path(sys.executable).with_name("liuzhou-kg")
RUN_TIMEOUT = 120  # seconds any one example may take (the builds are the slowest, ~10-20 s)
SERVE_TIMEOUT = 30  # seconds a `serve` example gets to answer ASK {}

# Sandbox path → repository file (or folder) it is copied from.
SANDBOX_FILES = {
    "my-question.rq": "queries/enterprise-output.rq",
    "nanning.ttl": "tests/fixtures/link/external.ttl",
    "regional.csv": "tests/fixtures/import/regional-statistics.csv",
    "graph/mappings": "graph/mappings",
    "tests/fixtures/link": "tests/fixtures/link",
    "compare-with-nanning.rq": "tests/fixtures/examples/compare-with-nanning.rq",
    "federation.yaml": "tests/fixtures/examples/federation.yaml",
    "guangxi.rq": "tests/fixtures/examples/guangxi.rq",
    "remote.rq": "tests/fixtures/examples/remote.rq",
    "report-2021.txt": "tests/fixtures/draft/docs/work-report-2022.txt",
    "report.txt": "tests/fixtures/draft/docs/work-report-2022.txt",
    "nanning-v2.ttl": "tests/fixtures/link/external.ttl",
    "tests/fixtures/query/mini.trig": "tests/fixtures/query/mini.trig",
    "plan.txt": "tests/fixtures/draft/docs/nev-implementation-plan.txt",
}

NANNING = "https://w3id.org/liuzhou-kg/graph/import/nanning"

# Examples that cannot run here, with the reason. Each must still parse (test below); keep it short.
CANNOT_RUN = {
    "liuzhou-kg push --endpoint http://localhost:3030/ds/sparql --update-endpoint "
    "http://localhost:3030/ds/update --graph-store http://localhost:3030/ds/data":
        "needs Apache Jena Fuseki, which is not installed here; push is tested against Virtuoso "
        "(the example above it) and tests/test_push_virtuoso.py",
}


# Commands of docs/*.md that are not run, with the reason. Each must still be in the docs (a test
# fails on a stale entry); a ``liuzhou-kg`` one must parse, a pytest one must name existing files.
DOC_SKIPS = {
    "tdbloader --loc /tmp/liuzhou-tdb dist/liuzhou.trig":
        "needs Apache Jena TDB, not installed here; tests/test_portable_queries.py runs every query "
        "file in Jena ARQ instead",
    "tdbquery --loc /tmp/liuzhou-tdb --set tdb:unionDefaultGraph=true --results=csv "
    "--query queries/goals-overview.rq":
        "needs Apache Jena TDB, not installed here; tests/test_portable_queries.py runs every query "
        "file in Jena ARQ instead",
    "liuzhou-kg serve --host 0.0.0.0 --port 8000   # to let OpenRefine on another machine reach it":
        "listens on every network interface, which a test must not do; the same server on "
        "127.0.0.1 is run by the example above it",
    ".venv/bin/python -m pytest tests/test_link_verified.py tests/test_link_discovery.py "
    "tests/test_link_engine.py tests/test_link_vocabularies.py tests/test_link_gazetteers.py "
    "tests/test_import.py tests/test_federation.py tests/test_push_virtuoso.py tests/test_export.py":
        "runs test files of this suite, which runs them anyway; the files it names must exist",
    ".venv/bin/python -m pytest tests/test_store.py tests/test_query_policy.py "
    "tests/test_query_cli.py tests/test_query_library.py tests/test_server.py "
    "tests/test_server_limits.py tests/test_server_browser.py tests/test_portable_queries.py":
        "runs test files of this suite, which runs them anyway; the files it names must exist",
}


# ---------------------------------------------------------------------------------------------
# Collecting the examples
# ---------------------------------------------------------------------------------------------

EXAMPLE_LINE = re.compile(r"^\s*(?:Examples?:\s*)?((?:liuzhou-kg|python build\.py)(?:\s.*)?)$")


def help_examples() -> dict[str, list[str]]:
    """Each command's ``liuzhou-kg …`` lines of its ``--help`` description and epilog."""
    subcommands = make_parser()._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse keeps them here
    found = {}
    for name, sub in subcommands.items():
        text = (sub.description or "") + "\n" + (sub.epilog or "")
        found[name] = [m.group(1).strip() for line in text.splitlines()
                       if (m := EXAMPLE_LINE.match(line)) and m.group(1).startswith("liuzhou-kg ")]
    return found


def readme_examples(path: Path = REPO / "README.md") -> list[str]:
    """The ``liuzhou-kg …`` and ``python build.py …`` lines of the ```sh blocks of a Markdown file."""
    lines, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() in ("```sh", "```bash", "```shell") if not inside else False
            continue
        if inside and (m := EXAMPLE_LINE.match(line)):
            lines.append(m.group(1).strip())
    return lines


def docs_examples(paths: list[Path] | None = None) -> list[str]:
    """Every command of the ```sh blocks of docs/*.md but ``curl`` ones (which need a running
    server): lines ending in a backslash joined to the next, comment lines and blank lines left out."""
    found = []
    for path in paths if paths is not None else sorted((REPO / "docs").glob("*.md")):
        inside, pending = False, ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("```"):
                inside = line.strip() in ("```sh", "```bash", "```shell") if not inside else False
                continue
            if not inside:
                continue
            line = f"{pending} {line.strip()}" if pending else line.strip()
            pending = ""
            if line.endswith("\\"):
                pending = line[:-1].rstrip()
                continue
            if line and not line.startswith("#") and not line.startswith("curl "):
                found.append(line)
    return found


def all_examples() -> list[str]:
    """Every example, once, in the order the help, the README and the docs give them."""
    found = ([line for lines in help_examples().values() for line in lines] + readme_examples()
             + docs_examples())
    return list(dict.fromkeys(found))


_ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=.*")


def _program_words(example: str) -> tuple[dict[str, str], list[str]]:
    words = shlex.split(example, comments=True)
    env = {}
    while words and _ASSIGNMENT.fullmatch(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if words and words[0].startswith(".venv/bin/"):
        words[0] = words[0][len(".venv/bin/"):]
    return env, words


def is_build_script(example: str) -> bool:
    """Whether the example runs ``python build.py`` (which is ``liuzhou-kg build``)."""
    return _program_words(example)[1][:2] == ["python", "build.py"]


def argv_of(example: str) -> list[str]:
    """The example's words after the program name, as a shell would split them (comments dropped,
    ``VAR=value`` words in front and a ``.venv/bin/`` before the program left out)."""
    words = _program_words(example)[1]
    return words[2:] if words[:2] == ["python", "build.py"] else words[1:]


def env_of(example: str) -> dict[str, str]:
    """The ``VAR=value`` settings in front of the example's program."""
    return _program_words(example)[0]


# ---------------------------------------------------------------------------------------------
# What each example must do: a check of its output, given the sandbox and the finished process
# ---------------------------------------------------------------------------------------------

def rows_csv(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip()]


def check_build(folder: str):
    def check(box: Path, proc):
        manifest = json.loads((box / folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["files"] and (box / folder / "store").is_dir()
    return check


def check_stdout(*needles: str, min_lines: int = 2):
    def check(box: Path, proc):
        for needle in needles:
            assert needle in proc.stdout, f"{needle!r} not in the output:\n{proc.stdout[:2000]}"
        assert len(rows_csv(proc.stdout)) >= min_lines, proc.stdout
    return check


def check_error(message: str, status: int = 2):
    """An example that must fail: its exit status and its whole error output."""
    def check(box: Path, proc):
        assert proc.stderr == message + "\n", proc.stderr
    check.status = status
    return check


def check_csv_rows(box: Path, proc):
    lines = rows_csv(proc.stdout)
    assert lines[0].split(",")[0] == "enterprise" and len(lines) >= 3, proc.stdout


def check_jsonld(box: Path, proc):
    data = json.loads(proc.stdout)
    assert "liugong" in json.dumps(data, ensure_ascii=False)


def check_html(name: str, *needles: str):
    def check(box: Path, proc):
        page = (box / name).read_text(encoding="utf-8")
        assert page.lstrip().lower().startswith("<!doctype html") and len(page) > 1000
        for needle in needles:
            assert needle in page, f"{needle!r} not in {name}"
    return check


def check_links(folder: str, *, gold: bool = False):
    def check(box: Path, proc):
        [out] = box.glob(folder)
        links = ox.Store()
        written = sorted(p.name for p in out.iterdir())
        rdf = [p for p in out.iterdir() if p.suffix in (".ttl", ".nt", ".trig")]
        assert rdf, f"no RDF in {out}: {written}"
        for path in rdf:
            links.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]))
        matches = list(links.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch"),
                                               None, None))
        assert matches, f"no skos:exactMatch written in {out}: {written}"
        if gold:
            assert "precision" in (proc.stdout + proc.stderr).lower()
    return check


def check_imported(graph: str, *, present: bool = True):
    def check(box: Path, proc):
        from liuzhou_kg.store.reader import open_store

        store = open_store(box / "dist" / "store")
        graphs = {g.value for g in store.named_graphs()}
        assert (graph in graphs) is present, sorted(graphs)
        if present:
            assert next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None)
    return check


def check_export(folder: str, files: tuple[str, ...]):
    def check(box: Path, proc):
        for name in files:
            path = box / folder / name
            assert path.is_file() and path.stat().st_size > 100, path
    return check


def check_draft(name: str):
    def check(box: Path, proc):
        import yaml

        records = yaml.safe_load((box / name).read_text(encoding="utf-8"))
        text = json.dumps(records, ensure_ascii=False)
        assert "draft" in text and "quote" in text, text[:500]
    return check


def check_pushed(box: Path, proc):
    """Every named graph of the store went by the Graph Store Protocol, and push checked the counts."""
    from liuzhou_kg.store.reader import open_store

    said = re.search(r"pushed (\d+) graphs, (\d+) triples by graph-store, counts checked", proc.stdout)
    assert said, proc.stdout
    store = open_store(box / "dist" / "store")
    assert int(said.group(1)) == len(list(store.named_graphs()))
    assert int(said.group(2)) == len(store)


def check_serving(box: Path, proc):
    """Set for ``serve`` examples: the check is that the server answered ASK {} (run_serve)."""


CHECKS = {
    # build
    "liuzhou-kg build": check_build("dist"),
    "liuzhou-kg build --dist /tmp/out -q": check_build("tmp/out"),
    # query
    "liuzhou-kg query enterprise-output --lang en": check_stdout("enterprise"),
    "liuzhou-kg query 'SELECT ?e ?name WHERE { ?e a lzo:Enterprise ; rdfs:label ?name }'":
        check_stdout("柳工", min_lines=4),
    "liuzhou-kg query -f my-question.rq --format csv": check_csv_rows,
    "liuzhou-kg query liugong-facts --format jsonld": check_jsonld,
    "liuzhou-kg queries --lang en": check_stdout("enterprise-output", "liugong-facts"),
    "liuzhou-kg query indicators-growth-ranked --lang en": check_stdout("growth_percent", "lz:gdp", "5 rows"),
    "liuzhou-kg query 'SELECT ?sentence WHERE { GRAPH ?g { lz:liugong ?p ?o } "
    "?g prov:wasDerivedFrom/prov:value ?sentence }'": check_stdout("柳工"),
    # serve
    "liuzhou-kg serve                  # http://127.0.0.1:8000/": check_serving,
    "liuzhou-kg serve --port 8080 --timeout 30 --workers 4": check_serving,
    "liuzhou-kg serve --cors-origin https://example.org --max-rows 50000": check_serving,
    "liuzhou-kg serve --port 8000          # then open http://127.0.0.1:8000/ or /resource/liugong": check_serving,
    # viz
    "liuzhou-kg viz -o graph.html": check_html("graph.html", "柳工"),
    "liuzhou-kg viz --focus 柳工 --depth 2 -o liugong.html": check_html("liugong.html", "柳工"),
    "liuzhou-kg viz --query program-targets --lang en": check_html("dist/query-program-targets.html", "target-citizen-card-citywide"),
    "liuzhou-kg viz --ontology --data dist/liuzhou.trig": check_html("dist/ontology.html", "Enterprise"),
    # link
    "liuzhou-kg link tests/fixtures/link/external.ttl --gold tests/fixtures/link/gold.csv":
        check_links("dist/links/external", gold=True),
    "liuzhou-kg link gazetteer:gbt2260": check_links("dist/links/gazetteer-gbt2260"),
    "liuzhou-kg link gazetteer:geonames:CN --exact 0.9": check_links("dist/links/gazetteer-geonames-cn"),
    "liuzhou-kg link http://127.0.0.1:3030/geo/sparql --query guangxi.rq": check_links("dist/links/127-0-0-1-*-geo-sparql"),
    "liuzhou-kg federate -f compare-with-nanning.rq --config federation.yaml":
        check_stdout("Liuzhou", "Nanning Shi", "南寧市"),
    # import
    "liuzhou-kg import nanning.ttl --license https://creativecommons.org/licenses/by/4.0/":
        check_imported(NANNING),
    "liuzhou-kg import regional.csv --mapping graph/mappings/regional-statistics.yaml "
    "--license https://creativecommons.org/publicdomain/zero/1.0/":
        check_imported("https://w3id.org/liuzhou-kg/graph/import/regional-statistics"),
    "liuzhou-kg imports --store dist/store": check_stdout(NANNING, min_lines=1),
    "liuzhou-kg remove https://w3id.org/liuzhou-kg/graph/import/nanning": check_imported(NANNING, present=False),
    # push
    "liuzhou-kg push --endpoint http://localhost:8890/sparql-auth --graph-store "
    "http://localhost:8890/sparql-graph-crud-auth --user dba --password dba": check_pushed,
    # export
    "liuzhou-kg export --out dist/export": check_export(
        "dist/export", ("liuzhou.graphml", "liuzhou.gexf", "liuzhou-nodes.csv", "liuzhou-edges.csv")),
    "liuzhou-kg export --format gexf --data dist/liuzhou.trig --out /tmp/gephi":
        check_export("tmp/gephi", ("liuzhou.gexf",)),
    # draft
    "liuzhou-kg draft report-2021.txt -o report-2021.draft.yaml": check_draft("report-2021.draft.yaml"),
    "liuzhou-kg draft plan.txt -o plan.yaml --year 2021 --graph dist/liuzhou.trig": check_draft("plan.yaml"),
    # docs/draft.md
    ".venv/bin/python build.py                      # the known entities' names come from "
    "dist/liuzhou.trig": check_build("dist"),
    ".venv/bin/liuzhou-kg draft report.txt -o report.draft.yaml --year 2022": check_draft("report.draft.yaml"),
    # docs/linking.md
    "liuzhou-kg link tests/fixtures/link/external.ttl --out links/regional --gold tests/fixtures/link/gold.csv":
        check_links("links/regional", gold=True),
    "liuzhou-kg link gazetteer:gbt2260            # 柳州 → 450200, 广西 → 450000":
        check_links("dist/links/gazetteer-gbt2260"),
    "liuzhou-kg link gazetteer:geonames:CN        # 柳州 → GeoNames 1803300 (with coordinates), 中国 → 1814991":
        check_links("dist/links/gazetteer-geonames-cn"),
    "liuzhou-kg link gazetteer:iso3166            # 广西 → CN-GX, 中国 → CN":
        check_links("dist/links/gazetteer-iso3166"),
    "liuzhou-kg link http://127.0.0.1:3030/geo/sparql --query guangxi.rq --exact 0.9":
        check_links("dist/links/127-0-0-1-*-geo-sparql"),
    "liuzhou-kg import gazetteer:gbt2260          # → graph https://w3id.org/liuzhou-kg/graph/import/gazetteer-gbt2260":
        check_imported(NANNING.replace("nanning", "gazetteer-gbt2260")),
    "liuzhou-kg import gazetteer:geonames:CN      # licence taken from the data's dcterms:license":
        check_imported(NANNING.replace("nanning", "gazetteer-geonames-cn")),
    "liuzhou-kg import gazetteer:iso3166": check_imported(NANNING.replace("nanning", "gazetteer-iso3166")),
    "liuzhou-kg import nanning-v2.ttl --graph https://w3id.org/liuzhou-kg/graph/import/nanning --replace "
    "--license https://creativecommons.org/licenses/by/4.0/":
        check_imported(NANNING),
    "liuzhou-kg imports": check_stdout(NANNING, min_lines=1),
    "LIUZHOU_KG_CONFIG=federation.yaml liuzhou-kg federate 'SELECT * WHERE { SERVICE "
    "<http://127.0.0.1:3030/nanning/sparql> { ?s ?p ?o } } LIMIT 5'": check_stdout("?s", min_lines=6),
    "liuzhou-kg export --out dist/export                 # liuzhou.graphml, liuzhou.gexf, "
    "liuzhou-nodes.csv, liuzhou-edges.csv": check_export(
        "dist/export", ("liuzhou.graphml", "liuzhou.gexf", "liuzhou-nodes.csv", "liuzhou-edges.csv")),
    # docs/query.md
    "liuzhou-kg query 'ASK { lz:liugong lzo:locatedIn lz:liuzhou }'": check_stdout("true", min_lines=1),
    "liuzhou-kg query --data tests/fixtures/query/mini.trig 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'":
        check_stdout("rdfs:label", "lz:liuzhou", min_lines=5),
    "liuzhou-kg query -f remote.rq    # exits 2": check_error(
        "error: remote.rq:4:3: SERVICE is refused unless you ask for it (--allow-service): it "
        "makes this process send requests to another endpoint"),
    "liuzhou-kg query 'SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }'    # exits 2":
        check_error("error: <query>:1:10: FROM <file:///etc/passwd> is not a graph of this "
                    "dataset; queries here never fetch URLs or read files, they only query the "
                    "dataset's own graphs"),
    "liuzhou-kg serve                      # http://127.0.0.1:8000/": check_serving,
    # docs/reconcile.md
    "liuzhou-kg serve                  # then add http://127.0.0.1:8000/reconcile in OpenRefine": check_serving,
}

# What must be in place before an example runs (the nanning graph exists before it is listed,
# replaced or removed).
BEFORE = {
    "liuzhou-kg imports": ["import", "nanning.ttl", "--license", "https://creativecommons.org/licenses/by/4.0/"],
    "liuzhou-kg import nanning-v2.ttl --graph https://w3id.org/liuzhou-kg/graph/import/nanning --replace "
    "--license https://creativecommons.org/licenses/by/4.0/":
        ["import", "nanning.ttl", "--license", "https://creativecommons.org/licenses/by/4.0/"],
    "liuzhou-kg imports --store dist/store": ["import", "nanning.ttl", "--license", "https://creativecommons.org/licenses/by/4.0/"],
    "liuzhou-kg remove https://w3id.org/liuzhou-kg/graph/import/nanning": ["import", "nanning.ttl", "--license", "https://creativecommons.org/licenses/by/4.0/"],
}


# ---------------------------------------------------------------------------------------------
# Running them
# ---------------------------------------------------------------------------------------------

def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def example_ports(example: str, box: Path) -> list[int]:
    """The local ports the example's URLs name, in its words or in the .rq/.yaml files it reads."""
    texts = argv_of(example) + [(box / word).read_text(encoding="utf-8") for word in argv_of(example)
                         if word.endswith((".rq", ".yaml")) and (box / word).is_file()]
    return sorted({int(p) for text in texts for p in re.findall(r"//(?:127\.0\.0\.1|localhost):(\d+)/", text)})


def rewrite(words: list[str], ports: dict[int, int], box: Path) -> list[str]:
    """The example's words with its ports moved to the ones in use and /tmp/ paths into the sandbox."""
    out = []
    for word in words:
        for old, new in ports.items():
            word = re.sub(rf"//(?:127\.0\.0\.1|localhost):{old}/", f"//127.0.0.1:{new}/", word)
        if word.startswith("/tmp/"):
            word = str(box / word[1:])
        out.append(word)
    return out


@pytest.fixture(scope="module")
def template(built_dist, tmp_path_factory) -> Path:
    """A sandbox to copy for each example: dist/ and the files the examples name."""
    box = tmp_path_factory.mktemp("examples") / "template"
    shutil.copytree(built_dist, box / "dist")
    for target, source in SANDBOX_FILES.items():
        (box / target).parent.mkdir(parents=True, exist_ok=True)
        if (REPO / source).is_dir():
            shutil.copytree(REPO / source, box / target)
        else:
            shutil.copy2(REPO / source, box / target)
    return box


@pytest.fixture
def sandbox(template, tmp_path) -> Path:
    box = tmp_path / "box"
    shutil.copytree(template, box)
    return box


@pytest.fixture(scope="module")
def services():
    """Servers started on demand for the examples that name them; all stopped at the end."""
    started = {"stops": [], "ports": {}}
    yield started
    for stop in reversed(started["stops"]):
        stop()


def start_endpoint(port: int):
    """The test SPARQL endpoint on ``port``, serving tests/fixtures/link/external.ttl at any path."""
    store = ox.Store()
    store.load(path=str(FIXTURES / "link" / "external.ttl"), format=ox.RdfFormat.TURTLE)
    endpoint = Endpoint(store)
    handler = endpoint.server.RequestHandlerClass
    endpoint.server.server_close()
    from http.server import ThreadingHTTPServer
    import threading

    endpoint.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    endpoint.thread = threading.Thread(target=endpoint.server.serve_forever, daemon=True)
    endpoint.__enter__()
    return lambda: endpoint.__exit__(None, None, None)


def prepare_ports(example: str, box: Path, services: dict) -> dict[int, int]:
    """Start what the example's URLs need; map each port it names to the one really used."""
    ports = {}
    for port in example_ports(example, box):
        if port not in services["ports"]:
            if port == 8890:  # Virtuoso's default port: a private Virtuoso instance on a free one
                instance = virtuoso.start()
                services["stops"].append(instance.stop)
                services["ports"][port] = instance.http_port
            else:  # any other endpoint: the test endpoint, on the example's port if it is free
                used = port if port_free(port) else free_port()
                services["stops"].append(start_endpoint(used))
                services["ports"][port] = used
        ports[port] = services["ports"][port]
    for name in ("federation.yaml", "compare-with-nanning.rq", "guangxi.rq"):
        path = box / name
        path.write_text(rewrite([path.read_text(encoding="utf-8")], ports, box)[0], encoding="utf-8")
    return ports


def environment(box: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUZHOU_KG_")}
    env.update(LIUZHOU_KG_DIST=str(box / "dist"), PYTHONIOENCODING="utf-8", COLUMNS="200")
    return env


def run_serve(words: list[str], box: Path) -> None:
    """Start a ``serve`` example, wait until it answers ``ASK {}``, then stop it."""
    args = make_parser("serve").parse_args(words)
    port = args.port
    if not port_free(port):  # another process has the example's port: use a free one
        port = free_port()
        words = ([w for i, w in enumerate(words) if w != "--port" and (i == 0 or words[i - 1] != "--port")]
                 + ["--port", str(port)])
    log = box / "serve.log"
    with open(log, "w", encoding="utf-8") as sink:
        proc = subprocess.Popen([str(LIUZHOU_KG), *words], cwd=box, env=environment(box),
                                stdout=sink, stderr=subprocess.STDOUT)
        try:
            answer, deadline = None, time.monotonic() + SERVE_TIMEOUT
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                                       headers={"Accept": "application/sparql-results+json"}, timeout=2)
                    break
                except httpx.HTTPError:
                    time.sleep(0.25)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert answer is not None, (f"`liuzhou-kg {shlex.join(words)}` did not answer within {SERVE_TIMEOUT} s "
                                f"(exit code {proc.returncode}):\n{output[-3000:]}")
    assert answer.status_code == 200 and answer.json()["boolean"] is True, answer.text


def run(words: list[str], box: Path, env: dict[str, str] | None = None,
        status: int = 0) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(LIUZHOU_KG), *words], cwd=box, env={**environment(box), **(env or {})},
                          capture_output=True, text=True, encoding="utf-8", timeout=RUN_TIMEOUT)
    assert proc.returncode == status, (f"`liuzhou-kg {shlex.join(words)}` exited {proc.returncode}:\n"
                                  f"{proc.stderr[-3000:]}\n{proc.stdout[-1000:]}")
    return proc


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

def test_every_example_is_run_or_listed():
    found = all_examples()
    unlisted = [e for e in found if e not in CHECKS and e not in CANNOT_RUN and e not in DOC_SKIPS]
    assert not unlisted, f"examples neither run (CHECKS) nor listed (CANNOT_RUN, DOC_SKIPS): {unlisted}"
    stale = [e for e in list(CHECKS) + list(CANNOT_RUN) if e not in found]
    assert not stale, f"CHECKS/CANNOT_RUN name examples no longer in the help, README or docs: {stale}"
    stale = [e for e in DOC_SKIPS if e not in docs_examples()]
    assert not stale, f"DOC_SKIPS names commands no longer in docs/*.md: {stale}"
    assert not set(CHECKS) & set(CANNOT_RUN) and not set(CHECKS) & set(DOC_SKIPS)


def test_docs_commands_that_are_not_run_still_make_sense():
    """A skipped ``liuzhou-kg`` command parses; a skipped pytest run names files that exist."""
    for example, reason in DOC_SKIPS.items():
        assert len(reason) > 30, f"say why {example!r} is not run"
        words = argv_of(example)
        if example.startswith(("liuzhou-kg", ".venv/bin/liuzhou-kg")):
            assert make_parser(words[0]).parse_args(words).func, example
        elif words[:2] == ["-m", "pytest"]:
            missing = [w for w in words[2:] if not w.startswith("-") and not (REPO / w).exists()]
            assert not missing, f"{example!r} names files that do not exist: {missing}"


def test_every_command_has_an_example():
    found = help_examples()
    assert set(found) == {name for names in COMMANDS.values() for name in names}
    missing = [name for name, lines in found.items() if not lines]
    assert not missing, f"commands whose --help shows no `liuzhou-kg …` example: {missing}"


def test_the_collector_finds_examples_in_help_and_readme(tmp_path):
    """The collector is not vacuous: it finds the README's lines and every command's."""
    assert "liuzhou-kg query indicators-growth-ranked --lang en" in readme_examples()
    page = tmp_path / "page.md"
    page.write_text("```sh\nliuzhou-kg query x  # c\npython build.py -q\necho no\n```\nliuzhou-kg outside\n",
                    encoding="utf-8")
    assert readme_examples(page) == ["liuzhou-kg query x  # c", "python build.py -q"]
    assert argv_of("liuzhou-kg query x  # c") == ["query", "x"]
    assert argv_of("python build.py -q") == ["-q"]
    page.write_text("```sh\nA=b .venv/bin/liuzhou-kg query \\\n  x\ncurl http://x\n# note\n```\n",
                    encoding="utf-8")
    assert docs_examples([page]) == ["A=b .venv/bin/liuzhou-kg query x"]
    assert argv_of("A=b .venv/bin/liuzhou-kg query x") == ["query", "x"]
    assert env_of("A=b .venv/bin/liuzhou-kg query x") == {"A": "b"}
    assert is_build_script(".venv/bin/python build.py -q") and not is_build_script("liuzhou-kg build")


def test_examples_that_cannot_run_are_few_and_still_parse():
    assert len(CANNOT_RUN) <= 2, "run the example instead of listing it"
    for example, reason in CANNOT_RUN.items():
        assert len(reason) > 30, f"say why {example!r} cannot run"
        words = argv_of(example)
        args = make_parser(words[0]).parse_args(words)
        assert args.func, example


@pytest.mark.parametrize("example", list(CHECKS), ids=lambda example: " ".join(argv_of(example))[:70])
def test_example_runs(example, sandbox, services):
    words = argv_of(example)
    if is_build_script(example):
        words = ["build", *words]
    if example in BEFORE:
        run(BEFORE[example], sandbox)
    words = rewrite(words, prepare_ports(example, sandbox, services), sandbox)
    if words[0] == "serve":
        run_serve(words, sandbox)
        return
    proc = run(words, sandbox, env_of(example), getattr(CHECKS[example], "status", 0))
    CHECKS[example](sandbox, proc)


def test_a_failing_or_silent_example_fails(sandbox):
    """The runner and the checks can fail: a non-zero exit, and an output without what is checked."""
    with pytest.raises(AssertionError, match="exited 2"):
        run(["query", "-f", "no-such-question.rq"], sandbox)
    proc = run(["query", "ASK { lz:liugong lzo:locatedIn lz:liuzhou }"], sandbox)
    with pytest.raises(AssertionError):
        check_stdout("柳工")(sandbox, proc)
    with pytest.raises(AssertionError):
        check_imported(NANNING)(sandbox, proc)  # nothing was imported
