/* liuzhou-kg explorer: the page's behaviour. Data comes from the JSON block #kg-data.
 * Every piece of text from the data reaches the DOM through textContent, attribute setters or
 * the vis-network canvas, never through innerHTML, so labels cannot inject markup. */
(function () {
  "use strict";

  var timings = { start: performance.now() };
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  timings.parsed = performance.now();
  var N = data.nodes.length;
  var state = {
    lang: data.lang,
    classOn: data.classes.map(function () { return true; }),
    sectionOn: data.sections.map(function () { return true; }),
    noSectionOn: true,
    selected: null,
    nodeHidden: new Array(N).fill(false),
    edgeHidden: new Array(data.edges.length).fill(false)
  };
  var outEdges = [], inEdges = [];
  for (var i = 0; i < N; i++) { outEdges.push([]); inEdges.push([]); }
  data.vis.edges.forEach(function (e, j) { outEdges[e.from].push(j); inEdges[e.to].push(j); });

  // ---- helpers ---------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function t(key) { return data.ui[state.lang][key] || key; }
  function tr(text) { return text ? (text[state.lang] || text.zh || text.en || "") : ""; }
  function other(text) {
    var o = state.lang === "zh" ? "en" : "zh";
    return text && text[o] !== text[state.lang] ? text[o] : "";
  }
  function short(s) {
    var chars = Array.from(s);
    return chars.length > data.labelMax ? chars.slice(0, data.labelMax - 1).join("") + "…" : s;
  }
  function swatch(cls) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "16"); svg.setAttribute("height", "16"); svg.setAttribute("viewBox", "0 0 16 16");
    var shapes = {
      square: "2,2 14,2 14,14 2,14", diamond: "8,1 15,8 8,15 1,8", triangle: "8,1 15,14 1,14",
      triangleDown: "1,2 15,2 8,15", hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8",
      star: "8,0.5 10,6 15.5,6 11,9.5 12.8,15 8,11.6 3.2,15 5,9.5 0.5,6 6,6"
    };
    var shape;
    if (shapes[cls.shape]) { shape = document.createElementNS(ns, "polygon"); shape.setAttribute("points", shapes[cls.shape]); }
    else { shape = document.createElementNS(ns, "circle"); shape.setAttribute("cx", "8"); shape.setAttribute("cy", "8"); shape.setAttribute("r", "6.5"); }
    shape.setAttribute("fill", cls.color); shape.setAttribute("stroke", "#33404d"); shape.setAttribute("stroke-width", "0.6");
    svg.appendChild(shape);
    return svg;
  }
  function kindText(n) {  // "试点 · 计划": the node's own class, then its legend class
    var group = tr(data.classes[n.c].label);
    return n.k && tr(n.k) !== group ? tr(n.k) + " · " + group : group;
  }
  function sourceBlock(pi) {
    var p = data.passages[pi];
    var q = el("blockquote", "source", p.text);
    var sec = p.section >= 0 ? data.sections[p.section] : null;
    var doc = sec && sec.doc >= 0 && data.documents.length > 1 ? data.documents[sec.doc] : null;
    var where = (doc ? tr(doc.label) + " · " : "") + (sec ? tr(sec.label) + " · " : "") + p.pid;
    q.appendChild(el("span", "where", where));
    return q;
  }

  // ---- the network -----------------------------------------------------------------------
  var container = $("network");
  var nodes = new vis.DataSet(data.vis.nodes);
  // Big graphs: edge labels are given to vis-network only once the view is zoomed in far enough
  // for them to be drawn at all (below that vis-network skips them but still pays for them).
  var edgeLabelsOn = !data.lazyEdgeLabels;
  var edges = new vis.DataSet(edgeLabelsOn ? data.vis.edges : data.vis.edges.map(function (e) {
    var copy = {};
    for (var k in e) if (k !== "label") copy[k] = e[k];
    return copy;
  }));
  timings.datasets = performance.now();
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.vis.options);
  timings.network = performance.now();
  var api = window.kgExplorer = {
    network: network, nodes: nodes, edges: edges, data: data, state: state, timings: timings,
    ready: false, firstDrawMs: null, drawCount: 0,
    edgeLabelsShown: function () { return edgeLabelsOn; }
  };
  function edgeLabels() {
    return data.edges.map(function (e, j) { return { id: j, label: tr(data.props[e.p].label) }; });
  }
  network.on("afterDrawing", function () {
    api.drawCount += 1;
    if (!edgeLabelsOn && network.getScale() >= data.edgeLabelScale) {
      edgeLabelsOn = true;
      setTimeout(function () { edges.update(edgeLabels()); }, 0);
    }
    if (!api.ready) { api.ready = true; api.firstDrawMs = timings.firstDraw = performance.now(); document.body.setAttribute("data-ready", "1"); }
  });
  network.fit({ animation: false });

  // ---- static text and language ------------------------------------------------------------
  function renderStatic() {
    document.documentElement.lang = state.lang;
    document.title = tr(data.title);
    $("title").textContent = tr(data.title);
    $("view-name").textContent = t("view_" + data.view) + (data.subtitle ? " · " + tr(data.subtitle) : "");
    $("search").placeholder = t("search_placeholder");
    $("search").setAttribute("aria-label", t("search_placeholder"));
    $("search-button").textContent = t("search_button");
    $("classes-heading").textContent = t("classes");
    ["classes-all", "sections-all"].forEach(function (id) { $(id).textContent = t("all"); });
    ["classes-none", "sections-none"].forEach(function (id) { $(id).textContent = t("none"); });
    $("fit").textContent = t("fit");
    $("help").textContent = t("help");
    $("panel-heading").textContent = t("details");
    document.querySelectorAll("#lang-switch button").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-lang") === state.lang ? "true" : "false");
    });
  }

  function renderLegend() {
    var list = $("legend");
    clear(list);
    data.classes.forEach(function (cls, ci) {
      var li = el("li", state.classOn[ci] ? "" : "off");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox"; box.checked = state.classOn[ci]; box.setAttribute("data-class", cls.key);
      box.addEventListener("change", function () { state.classOn[ci] = box.checked; applyFilters(); renderLegend(); });
      label.appendChild(box);
      label.appendChild(swatch(cls));
      label.appendChild(el("span", "name", tr(cls.label)));
      label.appendChild(el("span", "count", cls.count));
      li.appendChild(label);
      list.appendChild(li);
    });
  }

  // With several documents, sections are grouped under them (a document's box: all its sections;
  // mixed when some are on); with one, the list stays flat and the document is named above it.
  function renderSections() {
    var list = $("section-list");
    clear(list);
    var docs = data.documents || [];
    var grouped = docs.length > 1;
    $("sections-box").hidden = data.sections.length === 0 && !data.hasUnsectioned;
    $("sections-heading").textContent = grouped ? t("documents_sections") : t("sections");
    $("sections-source").hidden = docs.length !== 1;
    $("sections-source").textContent = docs.length === 1 ? tr(docs[0].label) : "";
    if (grouped) docs.forEach(function (doc, di) { list.appendChild(documentItem(doc, di)); });
    data.sections.forEach(function (sec, si) {
      if (grouped && sec.doc >= 0) return;
      list.appendChild(sectionItem(tr(sec.label), sec.count, state.sectionOn[si], sec.key, function (on) { state.sectionOn[si] = on; }));
    });
    if (data.hasUnsectioned) {
      list.appendChild(sectionItem(t("no_section"), data.unsectionedCount, state.noSectionOn, "", function (on) { state.noSectionOn = on; }));
    }
  }
  function sectionsOf(di) {
    var out = [];
    data.sections.forEach(function (sec, si) { if (sec.doc === di) out.push(si); });
    return out;
  }
  function documentItem(doc, di) {
    var mine = sectionsOf(di);
    var on = mine.filter(function (si) { return state.sectionOn[si]; }).length;
    var li = checkItem(tr(doc.label), doc.count, on > 0 && on === mine.length, "data-document", doc.key, function (v) {
      mine.forEach(function (si) { state.sectionOn[si] = v; });
    });
    li.className = "doc" + (on === 0 ? " off" : "");
    var box = li.querySelector("input");
    box.indeterminate = on > 0 && on < mine.length;
    box.title = t("whole_document");
    var sub = el("ul", "doc-sections");
    mine.forEach(function (si) {
      sub.appendChild(sectionItem(tr(data.sections[si].label), data.sections[si].count, state.sectionOn[si], data.sections[si].key, function (v) { state.sectionOn[si] = v; }));
    });
    li.appendChild(sub);
    return li;
  }
  function sectionItem(text, count, on, key, set) { return checkItem(text, count, on, "data-section", key, set); }
  function checkItem(text, count, on, attr, key, set) {
    var li = el("li", on ? "" : "off");
    var label = el("label");
    var box = el("input");
    box.type = "checkbox"; box.checked = on; box.setAttribute(attr, key);
    box.addEventListener("change", function () { set(box.checked); applyFilters(); renderSections(); });
    label.appendChild(box);
    label.appendChild(el("span", "name", text));
    label.appendChild(el("span", "count", count));
    li.appendChild(label);
    return li;
  }
  function setLang(lang) {
    if (!data.ui[lang]) return;
    state.lang = lang;
    nodes.update(data.nodes.map(function (n, i) { return { id: i, label: short(tr(n.l)) }; }));
    if (edgeLabelsOn) edges.update(edgeLabels());
    renderStatic(); renderLegend(); renderSections(); renderCounts();
    if (state.selected !== null) showDetails(state.selected); else showHint();
  }
  document.querySelectorAll("#lang-switch button").forEach(function (b) {
    b.addEventListener("click", function () { setLang(b.getAttribute("data-lang")); });
  });

  // ---- filters ---------------------------------------------------------------------------
  function nodeVisible(i) {
    var n = data.nodes[i];
    if (!state.classOn[n.c]) return false;
    if (n.s.length === 0) return state.noSectionOn;
    for (var k = 0; k < n.s.length; k++) if (state.sectionOn[n.s[k]]) return true;
    return false;
  }
  function applyFilters(opts) {
    opts = opts || {};
    var nodeChanges = [], edgeChanges = [];
    for (var i = 0; i < N; i++) {
      var hidden = !nodeVisible(i);
      if (hidden !== state.nodeHidden[i]) { state.nodeHidden[i] = hidden; nodeChanges.push({ id: i, hidden: hidden }); }
    }
    data.vis.edges.forEach(function (e, j) {
      var hidden = state.nodeHidden[e.from] || state.nodeHidden[e.to];
      if (hidden !== state.edgeHidden[j]) { state.edgeHidden[j] = hidden; edgeChanges.push({ id: j, hidden: hidden }); }
    });
    if (nodeChanges.length) nodes.update(nodeChanges);
    if (edgeChanges.length) edges.update(edgeChanges);
    if (state.selected !== null && state.nodeHidden[state.selected]) { network.unselectAll(); state.selected = null; showHint(); }
    renderCounts();
    if (nodeChanges.length && !opts.keepView) {  // frame what is left
      var visible = [];
      for (var v = 0; v < N; v++) if (!state.nodeHidden[v]) visible.push(v);
      if (visible.length) network.fit({ nodes: visible, animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    }
  }
  function bulk(arr, on, after) { for (var k = 0; k < arr.length; k++) arr[k] = on; after(); }
  $("classes-all").addEventListener("click", function () { bulk(state.classOn, true, function () { applyFilters(); renderLegend(); }); });
  $("classes-none").addEventListener("click", function () { bulk(state.classOn, false, function () { applyFilters(); renderLegend(); }); });
  $("sections-all").addEventListener("click", function () { state.noSectionOn = true; bulk(state.sectionOn, true, function () { applyFilters(); renderSections(); }); });
  $("sections-none").addEventListener("click", function () { state.noSectionOn = false; bulk(state.sectionOn, false, function () { applyFilters(); renderSections(); }); });
  $("fit").addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); });

  function renderCounts() {
    var shownNodes = 0, shownEdges = 0;
    state.nodeHidden.forEach(function (h) { if (!h) shownNodes++; });
    state.edgeHidden.forEach(function (h) { if (!h) shownEdges++; });
    $("counts").textContent = t("shown") + " " + shownNodes + " / " + N + " " + t("nodes") + " · " +
      shownEdges + " / " + data.edges.length + " " + t("edges");
  }

  // ---- details panel and tooltip ---------------------------------------------------------
  function showHint() {
    var body = $("panel-body");
    clear(body);
    body.appendChild(el("p", "hint", t("details_hint")));
  }
  function relationItem(j, outgoing) {
    var e = data.vis.edges[j];
    var target = outgoing ? e.to : e.from;
    var li = el("li", "rel");
    li.appendChild(el("span", "prop", (outgoing ? "→ " : "← ") + tr(data.props[data.edges[j].p].label) + " "));
    var a = el("a", null, tr(data.nodes[target].l));
    a.setAttribute("role", "button"); a.tabIndex = 0;
    a.addEventListener("click", function () { focusNode(target); });
    a.addEventListener("keydown", function (ev) { if (ev.key === "Enter") focusNode(target); });
    li.appendChild(a);
    return li;
  }
  function showDetails(i) {
    var n = data.nodes[i], cls = data.classes[n.c];
    var body = $("panel-body");
    clear(body);
    body.appendChild(el("div", "node-title", tr(n.l)));
    if (other(n.l)) body.appendChild(el("div", "other-label", other(n.l)));
    var type = el("span", "type");
    type.appendChild(swatch(cls));
    type.appendChild(el("span", null, t("type") + ": " + kindText(n)));
    body.appendChild(type);
    body.appendChild(el("div", "iri", n.iri));
    if (n.p.length) {
      body.appendChild(el("h3", null, t("properties")));
      var dl = el("dl");
      n.p.forEach(function (pv) { dl.appendChild(el("dt", null, tr(data.props[pv[0]].label))); dl.appendChild(el("dd", null, tr(pv[1]))); });
      body.appendChild(dl);
    }
    var rels = outEdges[i].map(function (j) { return [j, true]; }).concat(inEdges[i].map(function (j) { return [j, false]; }));
    if (rels.length) {
      body.appendChild(el("h3", null, t("relations") + " (" + rels.length + ")"));
      var ul = el("ul");
      rels.slice(0, 60).forEach(function (r) { ul.appendChild(relationItem(r[0], r[1])); });
      if (rels.length > 60) ul.appendChild(el("li", "rel", "… +" + (rels.length - 60)));
      body.appendChild(ul);
    }
    body.appendChild(el("h3", null, t("sources")));
    if (n.src.length) n.src.slice(0, 8).forEach(function (pi) { body.appendChild(sourceBlock(pi)); });
    else body.appendChild(el("p", "hint", t("no_sources")));
  }

  var tooltip = $("tooltip");
  function showTooltip(parts, pointer) {
    clear(tooltip);
    parts.forEach(function (p) { tooltip.appendChild(el("div", p[0], p[1])); });
    var rect = container.getBoundingClientRect();
    tooltip.hidden = false;
    var x = rect.left + pointer.x + 14, y = rect.top + pointer.y + 14;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    if (x + w > window.innerWidth - 8) x = Math.max(8, rect.left + pointer.x - w - 14);
    if (y + h > window.innerHeight - 8) y = Math.max(8, rect.top + pointer.y - h - 14);
    tooltip.style.left = x + "px"; tooltip.style.top = y + "px";
  }
  function hideTooltip() { tooltip.hidden = true; }
  function firstSentence(src) {
    if (!src.length) return null;
    var text = data.passages[src[0]].text;
    var chars = Array.from(text);
    return chars.length > 120 ? chars.slice(0, 119).join("") + "…" : text;
  }
  network.on("hoverNode", function (params) {
    var n = data.nodes[params.node];
    var parts = [["t-title", tr(n.l)]];
    if (other(n.l)) parts.push(["t-other", other(n.l)]);
    parts.push(["t-type", kindText(n)]);
    n.p.slice(0, 5).forEach(function (pv) { parts.push(["t-prop", tr(data.props[pv[0]].label) + ": " + tr(pv[1])]); });
    var s = firstSentence(n.src);
    if (s) parts.push(["t-source", "“" + s + "”"]);
    showTooltip(parts, params.pointer.DOM);
  });
  network.on("hoverEdge", function (params) {
    var e = data.edges[params.edge], ve = data.vis.edges[params.edge];
    var parts = [["t-title", tr(data.nodes[ve.from].l) + " → " + tr(data.nodes[ve.to].l)],
                 ["t-type", tr(data.props[e.p].label)]];
    var s = firstSentence(e.src);
    if (s) parts.push(["t-source", "“" + s + "”"]);
    showTooltip(parts, params.pointer.DOM);
  });
  ["blurNode", "blurEdge", "dragStart", "zoom"].forEach(function (ev) { network.on(ev, hideTooltip); });
  network.on("selectNode", function (params) { state.selected = params.nodes[0]; showDetails(state.selected); });
  network.on("deselectNode", function (params) {
    if (!params.nodes.length) { state.selected = null; showHint(); }
  });

  // ---- search ----------------------------------------------------------------------------
  function norm(s) { return String(s).trim().toLowerCase(); }
  function matches(query, limit) {
    var q = norm(query);
    if (!q) return [];
    var exact = [], prefix = [], inner = [];
    for (var i = 0; i < N; i++) {
      var zh = norm(data.nodes[i].l.zh), en = norm(data.nodes[i].l.en);
      if (zh === q || en === q) exact.push(i);
      else if (zh.indexOf(q) === 0 || en.indexOf(q) === 0) prefix.push(i);
      else if (zh.indexOf(q) >= 0 || en.indexOf(q) >= 0) inner.push(i);
    }
    return exact.concat(prefix, inner).slice(0, limit || N);
  }
  function focusNode(i) {
    if (state.nodeHidden[i]) {  // bring it back: its class and one of its sections
      state.classOn[data.nodes[i].c] = true;
      if (data.nodes[i].s.length) state.sectionOn[data.nodes[i].s[0]] = true; else state.noSectionOn = true;
      applyFilters({ keepView: true }); renderLegend(); renderSections();
    }
    state.selected = i;
    network.selectNodes([i]);
    var scale = Math.max(network.getScale(), 1.1);
    network.focus(i, { scale: scale, animation: { duration: 350, easingFunction: "easeInOutQuad" } });
    showDetails(i);
    api.lastFocus = i;
  }
  function search(query) {
    var found = matches(query, 1);
    if (!found.length) { $("search-status").textContent = t("no_match"); return null; }
    $("search-status").textContent = "";
    focusNode(found[0]);
    return found[0];
  }
  $("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search($("search").value); });
  $("search").addEventListener("input", function () {
    var list = $("search-list");
    clear(list);
    $("search-status").textContent = "";
    matches($("search").value, 20).forEach(function (i) {
      var opt = document.createElement("option");
      opt.value = tr(data.nodes[i].l);
      if (other(data.nodes[i].l)) opt.label = other(data.nodes[i].l);
      list.appendChild(opt);
    });
  });

  api.setLang = setLang;
  api.search = search;
  api.focusNode = focusNode;
  api.applyFilters = applyFilters;

  renderStatic(); renderLegend(); renderSections(); renderCounts(); showHint();
})();
