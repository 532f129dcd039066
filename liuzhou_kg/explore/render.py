"""Write an :class:`ExplorerGraph` as one self-contained, offline HTML page.

The network itself is built with pyvis (``Network.add_node`` / ``add_edge`` / ``set_options``);
its nodes, edges and options are then rendered into the explorer's own template
(``assets/explorer/explorer.html``) rather than through pyvis's ``write_html``, because pyvis 0.3.2
links its scripts from the network, writes in the locale's encoding, puts node ids into a menu as
raw HTML and switches tooltips to HTML. Here:

* vis-network (standalone UMD build) and the page's script and style are inlined;
* the page is the Jinja2 template ``assets/explorer/explorer.html`` (autoescaped); all data is
  JSON inside ``<script type="application/json">``, written by Jinja2's ``tojson`` filter (``<``,
  ``>``, ``&`` and ``'`` escaped), and the page puts text into the DOM only through ``textContent``;
* a Content-Security-Policy allows only the page's own two scripts (by hash) and no network
  access at all;
* the file is written as UTF-8 to a temporary file and then moved into place.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup
from pyvis.network import Network

from ..core.fileio import atomic_write_text
from ..core.templates import render
from .config import ASSETS, Config
from .layout import centrality, node_values, positions, scaling, undirected
from .model import LANGS, ExplorerGraph

_SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S*\s*$")


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def vis_network_js() -> str:
    """The bundled vis-network script, with its source-map comment removed, for inlining in the page."""
    return _SOURCE_MAP.sub("\n", _asset("vis-network/vis-network.min.js"))


def short_label(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_network(graph: ExplorerGraph, cfg: Config, lang: str) -> tuple[Network, list[str]]:
    """The pyvis network: one node per explorer node (id = its index), positions precomputed."""
    g = undirected(graph)
    cent = centrality(g)
    values = node_values(cent)
    pos = positions(g, cfg, cent)
    order = sorted(graph.nodes)
    index = {k: i for i, k in enumerate(order)}
    net = Network(directed=True, height="100%", width="100%")
    options = json.loads(json.dumps(cfg.vis_options))
    if len(graph.edges) > cfg.large_graph_edges:
        _merge(options, cfg.large_graph_vis_options)
    # one vis-network group per class: colour and shape are stated once, not on every node
    group = {key: f"c{i}" for i, key in enumerate(graph.classes)}
    options["groups"] = {
        group[key]: {"shape": cls.shape,
                     "color": {"background": cls.color, "border": "#33404d",
                               "highlight": {"background": cls.color, "border": "#000000"},
                               "hover": {"background": cls.color, "border": "#000000"}}}
        for key, cls in graph.classes.items()}
    options["nodes"]["scaling"] = scaling(len(graph.nodes), cfg)
    net.set_options(json.dumps(options))
    for key in order:
        node = graph.nodes[key]
        x, y = pos[key]
        net.add_node(index[key], label=short_label(node.labels[lang], cfg.label_max_chars),
                     shape=graph.classes[node.cls].shape, group=group[node.cls],
                     value=values[key], x=x, y=y, physics=False)
    for j, edge in enumerate(graph.edges):
        net.add_edge(index[edge.source], index[edge.target], id=j,
                     label=graph.properties[edge.prop][lang])
    return net, order


def _merge(into: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def page_data(graph: ExplorerGraph, net: Network, order: list[str], cfg: Config, lang: str) -> dict:
    """The JSON object the page script reads: nodes in drawing order, edges, filters and texts.

    Classes, sections, documents, passages and properties are sent once as lists and referred to by
    index from the nodes, edges and sections, which keeps large pages small. ``net`` supplies the
    vis-network options and ``order`` the node keys in the order :func:`build_network` placed them.
    """
    class_keys = list(graph.classes)
    class_index = {k: i for i, k in enumerate(class_keys)}
    section_keys = list(graph.sections)
    section_index = {k: i for i, k in enumerate(section_keys)}
    document_keys = list(graph.documents)
    document_index = {k: i for i, k in enumerate(document_keys)}
    document_count = {k: 0 for k in document_keys}
    passage_keys = sorted(graph.passages)
    passage_index = {k: i for i, k in enumerate(passage_keys)}
    prop_keys = sorted(graph.properties)
    prop_index = {k: i for i, k in enumerate(prop_keys)}
    class_count = {k: 0 for k in class_keys}
    section_count = {k: 0 for k in section_keys}
    unsectioned = 0
    nodes = []
    for key in order:
        node = graph.nodes[key]
        class_count[node.cls] += 1
        for s in node.sections:
            if s in section_count:
                section_count[s] += 1
        for d in {graph.sections[s].document for s in node.sections if s in graph.sections}:
            if d in document_count:
                document_count[d] += 1
        secs = sorted(section_index[s] for s in node.sections if s in section_index)
        unsectioned += not secs
        nodes.append({
            "iri": key, "c": class_index[node.cls], "l": node.labels, "s": secs,
            "p": [[prop_index[p], v] for p, v in node.props],
            "src": [passage_index[p] for p in node.sources if p in passage_index],
            "k": node.kind,
        })
    edges = [{"p": prop_index[e.prop], "src": [passage_index[p] for p in e.sources if p in passage_index]}
             for e in graph.edges]
    options = net.options if isinstance(net.options, dict) else json.loads(net.options.to_json())
    return {
        "view": graph.view,
        "lang": lang,
        "title": graph.title,
        "subtitle": graph.subtitle,
        "ui": cfg.ui,
        "labelMax": cfg.label_max_chars,
        "lazyEdgeLabels": len(graph.edges) > cfg.large_graph_edges,
        "edgeLabelScale": cfg.edge_label_scale,
        "classes": [{"key": k, "label": c.labels, "color": c.color, "shape": c.shape,
                     "count": class_count[k]} for k, c in graph.classes.items()],
        "sections": [{"key": k, "label": s.labels, "count": section_count[k],
                      "doc": document_index.get(s.document, -1)} for k, s in graph.sections.items()],
        "documents": [{"key": k, "label": d.labels, "count": document_count[k]}
                      for k, d in graph.documents.items()],
        "hasUnsectioned": unsectioned > 0 and bool(graph.sections),
        "unsectionedCount": unsectioned,
        "passages": [{"pid": graph.passages[k].pid, "text": graph.passages[k].text,
                      "section": section_index.get(graph.passages[k].section, -1)}
                     for k in passage_keys],
        "props": [{"key": k, "label": graph.properties[k]} for k in prop_keys],
        "nodes": nodes,
        "edges": edges,
        "vis": {"nodes": net.nodes, "edges": net.edges, "options": options},
    }


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def render_page(graph: ExplorerGraph, cfg: Config, lang: str) -> tuple[str, dict]:
    """The page's HTML and its stats."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    net, order = build_network(graph, cfg, lang)
    data = page_data(graph, net, order, cfg, lang)
    vis_js = vis_network_js()
    app_js = _asset("explorer.js")
    for name, script in (("vis-network", vis_js), ("explorer", app_js)):
        if "</script" in script.lower() or "<!--" in script:
            raise ValueError(f"bundled script {name} cannot be inlined: it contains </script or <!--")
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(vis_js)} {_csp_hash(app_js)}; "
           "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
           "connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")
    # The bundled style and scripts and the policy (fixed words and base64 hashes) go in as
    # they are; the title is escaped and the data written by ``tojson`` in the template.
    page = render(ASSETS, "explorer.html", lang=lang, csp=Markup(csp), title=graph.title[lang],
                  style=Markup(_asset("explorer.css")), data=data, vis_js=Markup(vis_js),
                  app_js=Markup(app_js))
    stats = {
        "view": graph.view,
        "nodes": len(data["nodes"]),
        "edges": len(data["edges"]),
        "classes": {c["key"]: c["count"] for c in data["classes"]},
        "sections": len(data["sections"]),
        "documents": len(data["documents"]),
        "passages": len(data["passages"]),
    }
    return page, stats


def write_graph(graph: ExplorerGraph, out_path: Path, cfg: Config, lang: str) -> dict:
    """Render ``graph`` as a self-contained HTML page and write it atomically to ``out_path``.

    Returns the page's statistics (view, node and edge counts, nodes per class, sections,
    passages) with its size in ``bytes`` and its ``path``.
    """
    page, stats = render_page(graph, cfg, lang)
    stats["bytes"] = atomic_write_text(Path(out_path), page)
    stats["path"] = str(out_path)
    return stats
