"""What every route of the endpoint answers with: plain-text errors, the HTML format and the
page templates (``server/templates``, rendered by :mod:`liuzhou_kg.core.templates`)."""
from __future__ import annotations

from pathlib import Path

from starlette.responses import PlainTextResponse, Response

from ..core.templates import render
from ..sparql.formats import Format

TEMPLATES = Path(__file__).resolve().parent / "templates"
HTML = Format("html", "text/html", "page", ("application/xhtml+xml",))


def error(status: int, message: str, headers: dict | None = None) -> Response:
    """A plain-text error answer: ``message`` and a newline, never a traceback or a file's content."""
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def page(template: str, /, **values) -> str:
    """The server template ``template`` (e.g. ``index.html``) rendered with ``values``."""
    return render(TEMPLATES, template, **values)
