"""JSON embedded in a page cannot end its <script> element or open a comment, whatever a value
holds. Every page with embedded JSON is rendered with hostile values, parsed as a browser's HTML
tokenizer would (html.parser), and its scripts and data compared with what was meant."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

HOSTILE = "</script><script>alert(1)</script> <!-- x --> ' \" & \u2028"


class Elements(HTMLParser):
    """The scripts (attributes and text) and comments of a page, as the tokenizer sees them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.comments: list[str] = []
        self._open: dict | None = None
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._text)))
            self._open = None

    def handle_comment(self, data):
        self.comments.append(data)

    def json_block(self, element_id: str):
        (text,) = [body for attrs, body in self.scripts if attrs.get("id") == element_id]
        return json.loads(text)


def test_the_explorer_page(tmp_path):
    from liuzhou_kg.explore import render
    from liuzhou_kg.explore.config import load_config
    from liuzhou_kg.explore.network import explorer_graph
    from test_explorer_support import MINI, load

    graph = explorer_graph(load(MINI))
    graph.title["zh"] = HOSTILE
    first = next(iter(graph.nodes.values()))
    first.labels["zh"] = HOSTILE
    page, _ = render.render_page(graph, load_config(), "zh")
    parsed = Elements(page)
    assert [attrs.get("id") for attrs, _ in parsed.scripts] == ["kg-data", None, None]
    assert parsed.comments == []
    data = parsed.json_block("kg-data")
    assert data["title"]["zh"] == HOSTILE
    assert HOSTILE in [node["l"]["zh"] for node in data["nodes"]]


def test_the_query_page():
    from liuzhou_kg.server.browse import index_page

    questions = [{"name": "hostile", "zh": HOSTILE, "en": HOSTILE, "query": "SELECT * {} # " + HOSTILE}]
    parsed = Elements(index_page(questions, 10.0))
    assert [attrs.get("id") for attrs, _ in parsed.scripts] == [None, None, "questions-data"]
    assert parsed.comments == []
    assert parsed.json_block("questions-data") == questions


@pytest.mark.parametrize("folder", ["liuzhou_kg/server/templates", "liuzhou_kg/assets/explorer",
                                    "liuzhou_kg/reconcile/templates"])
def test_no_template_embeds_json_by_hand(folder):
    """Data reaches a page script only through tojson: no |safe, no hand-made escaping."""
    from liuzhou_kg.core.layout import Layout

    REPO = Layout.default().repo

    for path in (REPO / folder).glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), path
        for block in text.split('<script type="application/json"')[1:]:
            assert "|tojson }}" in block.split("</script>")[0].replace(" |", "|"), path
