"""The one template system: Jinja2 over folders of template files.

Every page the package writes or serves (the explorer, the endpoint's pages, the reconciliation
preview) and the service description are rendered here. HTML templates are autoescaped; data a
page script reads is embedded with Jinja2's ``tojson`` filter (``<``, ``>``, ``&`` and ``'``
written as JSON escapes, so no value can end the ``<script>`` element or open a comment in it).
Jinja2 is imported when an environment is made, never by the query path.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# How ``tojson`` writes JSON: UTF-8 text as it is (Chinese stays readable and small), no spaces,
# keys in the order given (the explorer's data is ordered), and no NaN (not JSON).
JSON_OPTIONS = {"ensure_ascii": False, "separators": (",", ":"), "allow_nan": False,
                "sort_keys": False}


@lru_cache(maxsize=None)
def environment(folder: Path):
    """The Jinja2 ``Environment`` of the templates in ``folder`` (one per folder, cached).

    ``*.html`` templates are autoescaped; others (Turtle) are not. Blocks trim the line they stand
    on. Raises ``jinja2.TemplateNotFound`` later, from ``get_template``, for a missing file."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.policies["json.dumps_kwargs"] = dict(JSON_OPTIONS)
    return env


def render(folder: Path, template: str, /, **values) -> str:
    """The template file ``template`` of ``folder`` rendered with ``values`` (see
    :func:`environment`)."""
    return environment(Path(folder)).get_template(template).render(**values)
