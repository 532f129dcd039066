"""Node positions and sizes, computed once in Python so the page draws with physics off.

The layout is deterministic (fixed seeds, nodes in sorted order), so the same data gives the same
picture from one build to the next. It is chosen by size:

* a block of at most ``spring_max_nodes`` nodes gets networkx ``spring_layout``;
* a graph of several connected components has each laid out on its own and packed together,
  biggest in the middle; components of one to three nodes go in rows below the others;
* a bigger block is split into Louvain communities (networkx, seeded); each community is laid out
  the same way, recursively, into a disc, and the discs are placed by a spring layout of the
  community graph and then pushed apart until they no longer overlap;
* a block Louvain cannot split is laid out as a sunflower spiral, best-connected nodes in the middle.

Connected things end up near each other, and the cost stays near-linear: spring layouts only ever
run on small blocks (networkx's spring_layout alone takes ~50 s at 5,000 nodes).
"""
from __future__ import annotations

import math

import networkx as nx
import numpy as np

from .config import Config
from .model import ExplorerGraph

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
SMALL_COMPONENT = 3  # components this small are shelved in rows below the rest


def undirected(graph: ExplorerGraph) -> nx.Graph:
    """The simple undirected graph of the explorer graph, nodes and edges in sorted order."""
    g = nx.Graph()
    g.add_nodes_from(sorted(graph.nodes))
    g.add_edges_from(sorted({tuple(sorted((e.source, e.target))) for e in graph.edges
                             if e.source != e.target}))
    return g


def centrality(g: nx.Graph) -> dict[str, float]:
    """networkx degree centrality (share of the other nodes a node is linked to)."""
    return nx.degree_centrality(g) if len(g) > 1 else {n: 0.0 for n in g}


def node_values(cent: dict[str, float]) -> dict[str, float]:
    """vis-network ``value`` per node: the square root of its share of the top centrality.
    vis-network scales node size and label size from it (``nodes.scaling``)."""
    top = max(cent.values(), default=0.0) or 1.0
    return {k: round(math.sqrt(v / top), 4) for k, v in cent.items()}


def _growth(n: int, cfg: Config) -> float:
    return (n / cfg.grow_from_nodes) ** (1 / 3) if n > cfg.grow_from_nodes else 1.0


def scaling(n: int, cfg: Config) -> dict:
    """vis-network ``nodes.scaling`` for a graph of ``n`` nodes.

    Sizes (and the hubs' labels) grow with the cube root of the node count, so colours and hub
    names still show when a big graph is seen whole; the label range is narrow in small graphs,
    which are read at full zoom anyway. ``maxVisible`` caps a label's size on screen when zoomed
    in."""
    grow = _growth(n, cfg)
    label_high = cfg.font_min + (cfg.font_max - cfg.font_min) * min(1.0, n / cfg.font_full_from_nodes)
    return {"min": round(cfg.size_min * grow, 1), "max": round(cfg.size_max * grow, 1),
            "label": {"enabled": True, "min": cfg.font_min, "max": round(label_high * grow, 1),
                      "maxVisible": cfg.font_max_visible, "drawThreshold": 5}}


def node_sizes(cent: dict[str, float], cfg: Config) -> dict[str, float]:
    """The size vis-network draws each node at (as its default scaling function computes it)."""
    values = node_values(cent)
    rng = scaling(len(cent), cfg)
    low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
    span = high - low
    return {k: round(rng["min"] + (rng["max"] - rng["min"]) * ((v - low) / span if span else 0.5), 1)
            for k, v in values.items()}


def positions(g: nx.Graph, cfg: Config, cent: dict[str, float] | None = None) -> dict[str, tuple[float, float]]:
    """x/y in vis-network pixels for every node of ``g``."""
    cent = centrality(g) if cent is None else cent
    pos = _layout_block(g, cfg, cent, depth=0)
    return {k: (round(float(x), 1), round(float(y), 1)) for k, (x, y) in pos.items()}


def _radius(n: int, cfg: Config) -> float:
    return cfg.spacing * 0.62 * math.sqrt(max(n, 1)) + cfg.spacing * 0.5


def _layout_block(g: nx.Graph, cfg: Config, cent: dict, depth: int) -> dict:
    """Positions centred on (0, 0) that fit in a disc of about ``_radius(len(g))``."""
    n = len(g)
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(g)): np.zeros(2)}
    components = list(nx.connected_components(g))
    if len(components) > 1:
        big = [c for c in components if len(c) > SMALL_COMPONENT]
        small = [c for c in components if len(c) <= SMALL_COMPONENT]
        if len(big) > 1:
            pos = _pack(g.subgraph(set().union(*big)).copy(), big, cfg, cent, depth)
        elif big:
            pos = _layout_block(g.subgraph(big[0]).copy(), cfg, cent, depth + 1)
        else:
            pos = {}
        return _shelve(g, small, pos, cfg) if small else pos
    if n <= cfg.spring_max_nodes:
        return _spring(g, cfg)
    if depth < 6:
        communities = nx.community.louvain_communities(g, seed=cfg.layout_seed, resolution=1.0)
        if len(communities) > 1:
            return _pack(g, communities, cfg, cent, depth)
    return _sunflower(sorted(g, key=lambda k: (-cent.get(k, 0.0), k)), cfg)


def _shelve(g: nx.Graph, small: list, pos: dict, cfg: Config) -> dict:
    """Put tiny components (isolated nodes, pairs, triples) in rows under the rest of the graph,
    instead of around it, so they do not push the view out. Each takes a cell wide enough for a
    label, its nodes one above the other; biggest components first, then by key."""
    pos = dict(pos)
    small = sorted((sorted(c) for c in small), key=lambda c: (-len(c), c[0]))
    step = cfg.spacing * 0.9                         # between the nodes of one component
    cell_w = cfg.spacing * 3.0                       # room for a 16-character label
    per_row = max(1, math.ceil(math.sqrt(len(small) * 1.5)))  # rows a bit wider than tall
    if pos:
        arr = np.array(list(pos.values()))
        left, right, top = arr[:, 0].min(), arr[:, 0].max(), arr[:, 1].max() + cfg.spacing * 1.5
        per_row = max(per_row, int((right - left) // cell_w))
        left = (left + right) / 2 - per_row * cell_w / 2
    else:
        left, top = -per_row * cell_w / 2, 0.0
    y = top
    for start in range(0, len(small), per_row):
        row = small[start:start + per_row]
        for col, comp in enumerate(row):
            x = left + col * cell_w + cell_w / 2
            for j, key in enumerate(sorted(comp, key=lambda k: (-g.degree(k), k))):
                pos[key] = np.array([x + (j % 2) * cfg.spacing * 0.25, y + j * step])
        y += step * len(row[0]) + cfg.spacing * 0.5
    arr = np.array(list(pos.values()))
    shift = arr.mean(axis=0)
    return {k: xy - shift for k, xy in pos.items()}


def _spring(g: nx.Graph, cfg: Config) -> dict:
    n = len(g)
    radius = _radius(n, cfg)
    start = _unit(_sunflower(sorted(g, key=lambda k: (-g.degree(k), k)), cfg))
    pos = nx.spring_layout(g, pos=start, seed=cfg.layout_seed, iterations=cfg.spring_iterations,
                           k=1.6 / math.sqrt(n), scale=None)
    arr = np.array([pos[k] for k in g])
    arr -= arr.mean(axis=0)
    # scale so that a node's nearest neighbour is typically `spacing` away
    d = np.sqrt(((arr[:, None, :] - arr[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    nearest = float(np.median(d.min(axis=1)))
    if not math.isfinite(nearest) or nearest <= 1e-9:
        extent = np.sqrt((arr ** 2).sum(axis=1)).max() or 1.0
        return {k: arr[i] * (radius / extent) for i, k in enumerate(g)}
    arr *= cfg.spacing / nearest
    return {k: arr[i] for i, k in enumerate(g)}


def _sunflower(order: list, cfg: Config) -> dict:
    """Vogel's spiral: even density, first nodes in the centre."""
    step = cfg.spacing * 0.62
    return {k: np.array([step * math.sqrt(i + 0.5) * math.cos(i * GOLDEN_ANGLE),
                         step * math.sqrt(i + 0.5) * math.sin(i * GOLDEN_ANGLE)])
            for i, k in enumerate(order)}


def _unit(pos: dict) -> dict:
    """The same positions scaled into the unit disc (what spring_layout expects to start from)."""
    extent = max((float(np.sqrt((xy ** 2).sum())) for xy in pos.values()), default=1.0) or 1.0
    return {k: xy / extent for k, xy in pos.items()}


def _pack(g: nx.Graph, communities, cfg: Config, cent: dict, depth: int) -> dict:
    comms = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    member = {k: i for i, c in enumerate(comms) for k in c}
    local = [_layout_block(g.subgraph(c).copy(), cfg, cent, depth + 1) for c in comms]
    radii = np.array([max(np.sqrt((np.array(list(p.values())) ** 2).sum(axis=1)).max(), cfg.spacing * 0.5)
                      + cfg.spacing * 1.1 for p in local])

    meta = nx.Graph()
    meta.add_nodes_from(range(len(comms)))
    for u, v in g.edges():
        a, b = member[u], member[v]
        if a != b:
            w = meta.get_edge_data(a, b, {"weight": 0})["weight"]
            meta.add_edge(a, b, weight=w + 1)
    start = _unit(_sunflower(list(range(len(comms))), cfg))
    if meta.number_of_edges() and len(comms) <= cfg.spring_max_nodes:
        centre = nx.spring_layout(meta, pos=start, seed=cfg.layout_seed, weight="weight",
                                  iterations=cfg.spring_iterations)
        centres = np.array([centre[i] for i in range(len(comms))], dtype=float)
    else:
        centres = np.array([start[i] for i in range(len(comms))], dtype=float)
    centres -= centres.mean(axis=0)
    # scale so that discs roughly touch, then push overlapping discs apart
    spread = np.sqrt((centres ** 2).sum(axis=1)).max() or 1.0
    centres *= math.sqrt((radii ** 2).sum()) / spread
    centres = _separate(centres, radii)
    for _ in range(8):  # gravity: draw the discs together, then separate them again
        centres = _separate(centres * 0.8, radii)

    out = {}
    for i, p in enumerate(local):
        for k, xy in p.items():
            out[k] = centres[i] + xy
    arr = np.array(list(out.values()))
    shift = arr.mean(axis=0)
    return {k: xy - shift for k, xy in out.items()}


def _separate(centres: np.ndarray, radii: np.ndarray, rounds: int = 200) -> np.ndarray:
    """Move discs apart along the line between their centres until none overlap."""
    c = centres.copy()
    need = radii[:, None] + radii[None, :]
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        delta = c[:, None, :] - c[None, :, :]
        dist = np.sqrt((delta ** 2).sum(axis=2))
        np.fill_diagonal(dist, np.inf)
        overlap = need - dist
        overlap[overlap < 0] = 0.0
        if not overlap.any():
            break
        dist_safe = np.where(np.isfinite(dist) & (dist > 1e-9), dist, 1.0)
        unit = delta / dist_safe[:, :, None]
        # coincident centres: separate along a fixed direction per pair
        ii, jj = np.nonzero(dist < 1e-9)
        if len(ii):
            unit[ii, jj] = np.stack([np.where(ii < jj, 1.0, -1.0), np.zeros(len(ii))], axis=1)
        weight = radii[None, :] / (radii[:, None] + radii[None, :])   # small discs move more
        move = (unit * (overlap * weight)[:, :, None] * 0.55).sum(axis=1)
        c += move
    return c
