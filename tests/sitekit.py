"""Helpers for site tests: a temporary project with the real mkdocs.yml, docs and hook."""

from __future__ import annotations

import html.parser
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "project"


def make_site_project(dest: Path, catalog_from: Path = FIXTURE) -> Path:
    """Copy a catalog (and its repro/) next to the real mkdocs.yml, docs/ and hook."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(catalog_from / "catalog", dest / "catalog")
    if (catalog_from / "repro").is_dir():
        shutil.copytree(catalog_from / "repro", dest / "repro")
    else:
        (dest / "repro").mkdir()
    shutil.copytree(ROOT / "docs", dest / "docs")
    if catalog_from != ROOT:  # the taxonomy page links into the real catalog
        (dest / "docs" / "taxonomy.md").write_text("# Taxonomy\n\nA stub for fixture sites.\n")
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, dest / name)
    (dest / "src").symlink_to(ROOT / "src")
    return dest


def mkdocs_build(project: Path) -> subprocess.CompletedProcess[str]:
    env_bin = Path(sys.executable).parent
    return subprocess.run(
        [str(env_bin / "mkdocs"), "build", "--strict", "--site-dir", str(project / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": f"{env_bin}:/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")},
    )


class PageParser(html.parser.HTMLParser):
    """Collects tags with attributes, ids and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._in_script = False
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and parts.scheme not in ("data",)) or url.startswith("//")


def resolve_link(site: Path, page: Path, href: str) -> tuple[Path, str]:
    """The file a relative link points at (directory links mean their index.html), and its anchor."""
    parts = urlsplit(href)
    target = (page.parent / parts.path).resolve() if parts.path else page
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    return target, parts.fragment
