// Query page: a YASGUI editor bound to this server's /sparql, and the question library one click
// away. Everything is served by the package; no request leaves this server (no prefix.cc, no
// Linked Open Vocabularies autocompletion, no endpoint catalogue, no CORS proxy).
(function () {
  "use strict";
  function start() {
    var questions = JSON.parse(document.getElementById("questions-data").textContent);
    var byName = {};
    questions.forEach(function (q) { byName[q.name] = q; });
    var endpoint = window.location.origin + "/sparql";
    Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
    var yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistencyExpire: 0,
      corsProxy: undefined,
      yasqe: { value: questions.length ? questions[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
               autocompleters: ["variables", "prefixes"], prefixCcApi: "" },
    });
    window.liuzhouYasgui = yasgui;
    document.querySelectorAll("button.question").forEach(function (button) {
      button.addEventListener("click", function () {
        var q = byName[button.getAttribute("data-name")];
        var tab = yasgui.getTab();
        tab.setQuery(q.query);
        tab.setEndpoint(endpoint);
        tab.query();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
