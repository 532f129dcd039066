"""The reconciliation service from a page of another origin, in a real browser (Chromium).

A web client of the protocol (as OpenRefine's own pages are) lives on another origin: the
browser, not our code, decides whether it may read our answers (CORS, with a preflight for the
JSON POST of the 1.0 draft) and whether the preview card may be framed (it may; the linked-data
pages may not). Needs Chromium and playwright; skipped with the reason when absent.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading

from conftest import requires_chromium
from test_server import free_port, running_server

pytestmark = requires_chromium

CLIENT_PAGE = """<!DOCTYPE html>
<meta charset="utf-8">
<title>client</title>
<iframe id="preview" src="{base}/reconcile/preview?id=liugong" width="400" height="180"></iframe>
<iframe id="page" src="{base}/resource/liugong" width="400" height="180"></iframe>
<script>
async function run() {{
  const base = "{base}";
  const out = {{}};
  const form = new URLSearchParams({{queries: JSON.stringify({{q0: {{query: "柳工"}}, q1: {{query: "廣西"}}}})}});
  out.v02 = await (await fetch(base + "/reconcile", {{method: "POST", body: form}})).json();
  const body = {{queries: [{{conditions: [{{matchType: "name", propertyValue: "LiuGong"}}]}}]}};
  out.v1 = await (await fetch(base + "/reconcile/v1/match", {{method: "POST",
      headers: {{"Content-Type": "application/json", "Accept-Language": "zh"}},
      body: JSON.stringify(body)}})).json();
  out.manifest = await (await fetch(base + "/reconcile")).json();
  window.result = out;
}}
run().catch(e => {{ window.result = {{error: String(e)}}; }});
</script>
"""


@contextlib.contextmanager
def client_origin(directory):
    """A static web server on another port of 127.0.0.1: another origin for the browser."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_of_another_origin_reads_answers_and_frames_the_preview(browser, built_dist, tmp_path):
    with running_server("--store", str(built_dist / "store"), "--workers", "1") as (base, _process):
        (tmp_path / "client.html").write_text(CLIENT_PAGE.format(base=base), encoding="utf-8")
        with client_origin(tmp_path) as origin:
            page = browser.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text))
            page.goto(origin + "/client.html")
            page.wait_for_function("window.result !== undefined", timeout=30000)
            result = page.evaluate("window.result")
            assert "error" not in result, (result, console)
            assert result["v02"]["q0"]["result"][0]["id"] == "liugong"
            assert result["v02"]["q1"]["result"][0]["match"] is True
            assert result["v1"]["results"][0]["candidates"][0]["name"] == "柳工"  # Accept-Language zh
            assert result["manifest"]["versions"] == ["0.2"]
            # the preview card renders inside the other origin's iframe ...
            preview = next(f for f in page.frames if "/reconcile/preview" in f.url)
            preview.wait_for_selector("h1", timeout=10000)
            # (named in the browser's own Accept-Language)
            assert preview.locator("h1").inner_text() in ("柳工", "LiuGong")
            # ... while a linked-data page keeps refusing to be framed
            page.wait_for_timeout(500)
            assert any("frame-ancestors" in line for line in console), console
            framed = [f for f in page.frames if f.url.endswith("/resource/liugong")]
            assert not framed or framed[0].locator("h1").count() == 0
            page.close()
