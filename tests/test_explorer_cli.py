"""``liuzhou-kg viz``: exit codes, messages and files, through the real CLI entry point."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from liuzhou_kg import cli
from test_explorer_support import FIXTURES, MINI, REPO, page_json, real_dist  # noqa: F401


@pytest.fixture
def viz(monkeypatch, capsys):
    """Run ``liuzhou-kg viz ARGS`` in-process; returns (exit code, stdout, stderr)."""
    # Only this area's command, so the test does not depend on the other subcommands' imports.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["liuzhou_kg.commands.viz"])

    def run(*args):
        try:
            code = cli.main(["viz", *map(str, args)])
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_viz_is_registered_in_the_cli():
    assert "liuzhou_kg.commands.viz" in cli.COMMAND_MODULES


def test_whole_graph(viz, tmp_path):
    out = tmp_path / "graph.html"
    code, stdout, err = viz("--data", MINI, "-o", out)
    assert code == 0, err
    assert f"wrote {out}: 22 nodes, 22 edges (graph view)" in stdout
    assert page_json(out.read_text(encoding="utf-8"))["view"] == "graph"


def test_focus_ontology_and_query_views(viz, tmp_path):
    code, stdout, _ = viz("--data", MINI, "--focus", "柳工", "--depth", "1", "-o", tmp_path / "f.html")
    assert code == 0 and "4 nodes, 3 edges (focus view)" in stdout
    code, stdout, _ = viz("--data", MINI, "--ontology", "--lang", "en", "-o", tmp_path / "o.html")
    assert code == 0 and "(ontology view)" in stdout
    assert page_json((tmp_path / "o.html").read_text(encoding="utf-8"))["lang"] == "en"
    code, stdout, _ = viz("--data", MINI, "--query", FIXTURES / "programs-targets.rq", "-o", tmp_path / "q.html")
    assert code == 0 and "4 nodes, 2 edges (query view)" in stdout


@pytest.mark.parametrize("args, message", [
    (["--focus", "Nowhere"], "--focus: no entity with IRI or label 'Nowhere'"),
    (["--depth", "2"], "--depth: only makes sense with --focus ENTITY"),
    (["--query", "missing.rq"], "missing.rq: query file not found"),
])
def test_bad_arguments_exit_2_with_a_message(viz, tmp_path, args, message):
    out = tmp_path / "x.html"
    code, _, err = viz("--data", MINI, *args, "-o", out)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_usage_errors_exit_2(viz, tmp_path):
    code, _, err = viz("--data", MINI, "--focus", "柳工", "--depth", "-1")
    assert code == 2 and "must be 0 or more" in err
    code, _, err = viz("--data", MINI, "--focus", "柳工", "--ontology")
    assert code == 2 and "not allowed with" in err


def test_a_syntax_error_in_the_data_names_file_line_and_column(viz, tmp_path):
    bad = tmp_path / "bad.trig"
    bad.write_text('@prefix lz: <https://w3id.org/liuzhou-kg/resource/> .\n'
                   'lz:a lz:b "unterminated .\n', encoding="utf-8")
    code, _, err = viz("--data", bad, "-o", tmp_path / "x.html")
    assert code == 2
    assert f"{bad}:2:11: " in err and "Traceback" not in err
    assert not (tmp_path / "x.html").exists()


def test_a_missing_data_file_exits_2(viz, tmp_path):
    code, _, err = viz("--data", tmp_path / "nope.trig", "-o", tmp_path / "x.html")
    assert code == 2 and "not found" in err


def test_an_output_path_that_is_a_directory_exits_2(viz, tmp_path):
    code, _, err = viz("--data", MINI, "-o", tmp_path)
    assert code == 2 and "is a directory" in err


def test_runs_under_the_c_locale(tmp_path):
    """The command as a user runs it, with LC_ALL=C: exit 0, a UTF-8 page, a UTF-8 message."""
    out = tmp_path / "c.html"
    code = ("import sys; from liuzhou_kg import cli;"
            "cli.COMMAND_MODULES = ['liuzhou_kg.commands.viz']; sys.exit(cli.main(sys.argv[1:]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "PYTHONUTF8"))}
    env.update(LC_ALL="C", LANG="C", PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", code, "viz", "--data", str(MINI), "--focus", "柳工",
                           "-o", str(out)], env=env, cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "柳工" in out.read_bytes().decode("utf-8")
    bad = subprocess.run([sys.executable, "-c", code, "viz", "--data", str(MINI), "--focus", "柳",
                          "-o", str(out)], env=env, cwd=tmp_path, capture_output=True)
    assert bad.returncode == 2
    assert "柳工 (lz:liugong)" in bad.stderr.decode("utf-8")


def test_viz_reads_the_built_store(viz, tmp_path, real_dist):
    from test_explorer_support import LIUGONG

    out = tmp_path / "graph.html"
    code, stdout, err = viz("--store", real_dist / "store", "-o", out)
    assert code == 0, err
    data = page_json(out.read_text(encoding="utf-8"))
    assert LIUGONG in {n["iri"] for n in data["nodes"]}
    # the same page as the build's own dist/graph.html
    built = page_json((real_dist / "graph.html").read_text(encoding="utf-8"))
    assert [n["iri"] for n in built["nodes"]] == [n["iri"] for n in data["nodes"]]
    assert built["vis"]["nodes"] == data["vis"]["nodes"]
