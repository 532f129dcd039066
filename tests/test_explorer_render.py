"""The written page: self-contained, UTF-8 on any locale, inert data, written atomically."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from liuzhou_kg.explore import render, write_explorer
from liuzhou_kg.explore.config import load_config
from liuzhou_kg.explore.network import explorer_graph
from test_explorer_support import HOSTILE, LIUGONG, MINI, REPO, load, page_json

SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "graph.html"
    stats = write_explorer(load(MINI, HOSTILE), out)
    return out, stats, out.read_bytes().decode("utf-8")


def test_stats_count_what_the_page_holds(written):
    _, stats, html = written
    data = page_json(html)
    assert stats["nodes"] == len(data["nodes"]) == len(data["vis"]["nodes"]) == 24
    assert stats["edges"] == len(data["edges"]) == len(data["vis"]["edges"]) == 24
    assert stats["bytes"] == len(html.encode("utf-8"))
    assert stats["classes"]["https://w3id.org/liuzhou-kg/ontology#Enterprise"] == 5


def test_the_page_references_nothing_on_the_network(written):
    _, _, html = written
    assert not re.search(r"""(?:src|href|action|data)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "<link" not in html.lower()
    assert "@import" not in html
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", html)
    assert "sourceMappingURL" not in html
    # vis-network is inlined, not loaded
    assert "vis-network" in html and "vis.Network" in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp


def test_only_the_pages_own_scripts_may_run(written):
    _, _, html = written
    scripts = list(SCRIPT.finditer(html))
    assert len(scripts) == 3, "data block, vis-network and the explorer script, nothing else"
    assert html.lower().count("<script") == 3 and html.lower().count("</script") == 3
    data, vis, app = scripts
    assert 'type="application/json"' in data.group("attrs")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    for script in (vis, app):
        digest = base64.b64encode(hashlib.sha256(script.group("body").encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_labels_with_markup_stay_data(written):
    _, _, html = written
    body = SCRIPT.search(html).group("body")
    assert "<" not in body and ">" not in body and "&" not in body
    data = page_json(html)
    labels = {n["iri"]: n["l"] for n in data["nodes"]}
    assert labels["https://w3id.org/liuzhou-kg/resource/evil-1"]["en"] == "<script>alert('en')</script>"
    assert "</script><script>alert('breakout')</script>" in labels[
        "https://w3id.org/liuzhou-kg/resource/evil-%3Cb%3E"]["zh"]
    texts = [p["text"] for p in data["passages"]]
    assert "<script>alert('passage')</script> </script><!-- 柳工" in texts
    # the title and heading are escaped text
    assert re.search(r"<title>[^<]*</title>", html)


def test_the_initial_language_sets_node_labels(tmp_path):
    ds = load(MINI)
    zh = page_json(render.render_page(explorer_graph(ds), load_config(), "zh")[0])
    write_explorer(ds, tmp_path / "en.html", lang="en")
    en = page_json((tmp_path / "en.html").read_text(encoding="utf-8"))
    index = [n["iri"] for n in en["nodes"]].index(LIUGONG)
    assert en["vis"]["nodes"][index]["label"] == "LiuGong"
    assert zh["vis"]["nodes"][index]["label"] == "柳工"
    assert en["lang"] == "en" and '<html lang="en">' in (tmp_path / "en.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        write_explorer(ds, tmp_path / "fr.html", lang="fr")
    assert not (tmp_path / "fr.html").exists()


def test_nodes_have_precomputed_positions_and_physics_is_off(written):
    _, _, html = written
    vis = page_json(html)["vis"]
    assert vis["options"]["physics"]["enabled"] is False
    assert vis["options"]["edges"]["smooth"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in vis["nodes"])
    assert all(e["label"] for e in vis["edges"])  # every edge is labelled by its property


def test_written_as_utf8_under_the_c_locale(tmp_path):
    out = tmp_path / "c-locale.html"
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
            "from test_explorer_support import load, MINI;"
            "from liuzhou_kg.explore import write_explorer;"
            "write_explorer(load(MINI), Path(sys.argv[2]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "PYTHONUTF8"))}
    env.update(LC_ALL="C", LANG="C", PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(out)],
                   check=True, env=env, cwd=tmp_path, capture_output=True)
    html = out.read_bytes().decode("utf-8")
    assert "柳工" in html and '<meta charset="utf-8">' in html
    # nothing else dropped into the working directory (pyvis writes a lib/ folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-locale.html"]


def test_a_failed_write_leaves_the_old_page_and_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "graph.html"
    out.write_text("old page", encoding="utf-8")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    from liuzhou_kg.core import fileio

    monkeypatch.setattr(fileio.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_explorer(load(MINI), out)
    assert out.read_text(encoding="utf-8") == "old page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html"]


def test_an_empty_dataset_gives_an_empty_but_working_page(tmp_path):
    from rdflib import Dataset

    stats = write_explorer(Dataset(), tmp_path / "empty.html")
    assert stats["nodes"] == 0 and stats["edges"] == 0
    assert page_json((tmp_path / "empty.html").read_text(encoding="utf-8"))["nodes"] == []


def test_the_network_is_built_with_pyvis():
    from pyvis.network import Network

    graph = explorer_graph(load(MINI))
    net, order = render.build_network(graph, load_config(), "zh")
    assert isinstance(net, Network)
    assert len(net.nodes) == len(graph.nodes) and len(net.edges) == len(graph.edges)
    assert order == sorted(graph.nodes)


def test_the_bundled_vis_network_is_the_recorded_release():
    folder = Path(render.ASSETS) / "vis-network"
    recorded = (folder / "SHA256SUMS").read_text(encoding="utf-8").split()[0]
    assert hashlib.sha256((folder / "vis-network.min.js").read_bytes()).hexdigest() == recorded
    assert "@version 10.1.5" in render.vis_network_js()
