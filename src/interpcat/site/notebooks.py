"""Executed notebooks and notebook sources as HTML fragments for the site.

Notebooks are rendered from the ``.ipynb`` files the runner wrote (never executed during the
site build), through nbconvert's basic template, then sanitised with an allowlist: outputs are
code's output, and a notebook's HTML output must not run script on the site.
"""

from __future__ import annotations

import re
from pathlib import Path

import bleach
import nbformat
from bleach.css_sanitizer import CSSSanitizer
from nbconvert import HTMLExporter
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "id", "title", "alt", "colspan", "rowspan"):
        return True
    if tag == "a" and name == "href":
        return value.startswith(("#", "http://", "https://"))
    if tag == "img" and name == "src":
        return value.startswith(("data:image/png;base64,", "data:image/jpeg;base64,", "data:image/svg+xml;base64,"))
    return tag == "img" and name in ("width", "height")


def sanitize(html: str) -> str:
    """Keep structure, text, highlighting classes and inline images; drop scripts, styles and handlers."""
    return bleach.clean(
        html,
        tags=_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "data"},
        strip=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=[]),
    )


def notebook_html(path: Path) -> str:
    """An executed notebook as a sanitised HTML fragment, images inline."""
    notebook = nbformat.read(path, as_version=4)
    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    return sanitize(body)


_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")


def notebook_figures(path: Path) -> list[str]:
    """The PNG figures an executed notebook shows, as base64 text (anything else is left out)."""
    notebook = nbformat.read(path, as_version=4)
    figures = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if isinstance(png, str) and _BASE64.match(png):
                figures.append("".join(png.split()))
    return figures


def source_html(code: str) -> str:
    """Python source, highlighted with Material's code block classes."""
    return highlight(code, PythonLexer(), HtmlFormatter(cssclass="highlight", wrapcode=True))
