"""Render the whole site source as a plain docs tree that any MkDocs-style builder can take.

``render_tree(root, out)`` writes ``out/docs/`` (the hand-written pages of ``docs/``, every
generated page as a Markdown file holding its HTML body, the JSON API, the downloads, the feed
and the assets) and ``out/mkdocs.yml`` (the project's configuration with the hook removed and
paths made absolute). Building that tree needs no interpcat code at build time, so it does not
depend on MkDocs hooks: ``mkdocs build -f OUT/mkdocs.yml`` builds it, and so can Zensical, which
reads ``mkdocs.yml`` but runs no hooks. The default build (``mkdocs build`` with the hook) stays.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from .render import build_site

ASSETS = Path(__file__).parent / "assets"
MARKER = ".interpcat-tree"


class TreeError(Exception):
    pass


def tree_config(root: Path) -> str:
    """The project's mkdocs.yml for a rendered tree: no hook, absolute paths to what stays put."""
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    lines = text.splitlines()
    out, skip = [], False
    for line in lines:
        if line.startswith("hooks:"):
            skip = True
            continue
        if skip and line.startswith("  - "):
            continue
        skip = False
        out.append(line)
    config = yaml.safe_load("\n".join(out))  # checks that what is left still parses
    if not isinstance(config, dict):
        raise TreeError("mkdocs.yml is not a mapping")
    text = "\n".join(out) + "\n"
    text = text.replace(
        "custom_dir: src/interpcat/site/overrides", f"custom_dir: {(Path(__file__).parent / 'overrides').as_posix()}"
    )
    text = text.replace('base_path: ["."]', f"base_path: [{root.resolve().as_posix()!r}]")
    return text


def render_tree(root: Path, out: Path, *, directory_urls: bool = True) -> list[Path]:
    """Write the docs tree and its mkdocs.yml to ``out``; return the files written."""
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise TreeError(f"{out} is not empty and was not written by 'interpcat site render'")
        shutil.rmtree(out)
    docs = out / "docs"
    shutil.copytree(root / "docs", docs)
    pages, data = build_site(root, directory_urls=directory_urls)
    written = []
    for path, page in pages.items():
        target = docs / path
        if target.exists():
            raise TreeError(f"docs/{path} would hide a generated page; remove it")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown(), encoding="utf-8")
        written.append(target)
    for path, text in data.items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    (docs / "assets").mkdir(exist_ok=True)
    for asset in sorted(ASSETS.iterdir()):
        shutil.copy(asset, docs / "assets" / asset.name)
        written.append(docs / "assets" / asset.name)
    (out / "mkdocs.yml").write_text(tree_config(root), encoding="utf-8")
    (out / MARKER).write_text("written by interpcat site render; safe to delete\n", encoding="utf-8")
    return written
