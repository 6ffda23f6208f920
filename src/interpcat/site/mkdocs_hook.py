"""MkDocs hook: hands page generation to interpcat.site.render and adds the pages to the build.

It only dispatches: loading, validation and rendering live in the library, so a move away from
MkDocs touches this file alone. A catalog that fails validation stops the build with the
validator's messages. Generated pages reach MkDocs as front matter only; their HTML body is put in
place after Markdown conversion, which it does not need.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from interpcat.problems import CatalogError
from interpcat.site.compact import compact_html
from interpcat.site.render import build_site

log = logging.getLogger("mkdocs.plugins.interpcat")
ASSETS = Path(__file__).parent / "assets"
_bodies: dict[str, str] = {}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent
    try:
        pages, data = build_site(root, directory_urls=config.use_directory_urls)
    except CatalogError as err:
        raise Abort(f"the catalog does not validate; the site was not built:\n{err}") from None
    _bodies.clear()
    for path, page in pages.items():
        if files.get_file_from_path(path) is not None:
            raise Abort(f"docs/{path} would hide a generated page; remove it")
        files.append(File.generated(config, path, content=page.front_matter))
        _bodies[path] = page.html
    for path, text in data.items():
        if files.get_file_from_path(path) is not None:
            raise Abort(f"docs/{path} would hide a generated file; remove it")
        files.append(File.generated(config, path, content=text))
    for asset in sorted(ASSETS.iterdir()):
        files.append(File.generated(config, f"assets/{asset.name}", abs_src_path=str(asset)))
    log.info("interpcat: generated %d pages and %d data files", len(pages), len(data))
    return files


WATCHED = ("catalog", "repro", "src/interpcat/site")


def on_serve(server: object, config: MkDocsConfig, builder: object) -> object:
    """``mkdocs serve`` rebuilds when a record, a notebook, a result or a template changes."""
    root = Path(config.config_file_path).parent
    for name in WATCHED:
        if (root / name).exists():
            server.watch(str(root / name))  # type: ignore[attr-defined]
    return server


def on_page_content(html: str, page: Page, **kwargs: object) -> str:
    return _bodies.get(page.file.src_uri, html)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return compact_html(output)
