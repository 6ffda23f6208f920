"""Site build cost for N synthetic records, side by side with N plain Markdown pages of similar size.

    python benchmarks/site_bench.py --n 1000 --n 5000

Prints build seconds for both, their ratio (the generator's overhead), HTML bytes per record page
and search-index bytes per record; where Zensical is installed, also the time to render the records
as a plain docs tree (``interpcat site render``) and to build that tree with Zensical.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from interpcat.synthetic import write_catalog

ROOT = Path(__file__).resolve().parent.parent


def _project(tmp: Path, n: int, plain: bool) -> Path:
    project = tmp / ("plain" if plain else "records")
    (project / "repro").mkdir(parents=True)
    shutil.copytree(ROOT / "docs", project / "docs")
    (project / "docs" / "taxonomy.md").write_text("# Taxonomy\n")
    shutil.copy(ROOT / "CONTRIBUTING.md", project / "CONTRIBUTING.md")
    (project / "src").symlink_to(ROOT / "src")
    config = (ROOT / "mkdocs.yml").read_text()
    write_catalog(project, n)
    if plain:
        # The same text as the records, as hand-written Markdown pages, and no generator hook.
        pages = project / "docs" / "papers"
        pages.mkdir()
        for path in sorted((project / "catalog" / "papers").glob("*.yaml")):
            rec = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
            rows = "\n".join(
                f"| {c['statement']} | {c['source']} | {c['reported']['value']} {c['reported']['metric']} | not run yet |"
                for c in rec["claims"]
            )
            (pages / f"{rec['id']}.md").write_text(
                f"# {rec['title']}\n\n{', '.join(rec['authors'])}\n\n{rec['venue']} · {rec['year']}\n\n"
                f"## Summary\n\n{rec['summary']}\n\n## Claims\n\n| Claim | Source | Reported | Status |\n"
                f"| --- | --- | --- | --- |\n{rows}\n\n## Cite\n\n```bibtex\n@inproceedings{{{rec['id']},\n"
                f"  title = {{{rec['title']}}},\n  year = {{{rec['year']}}}\n}}\n```\n"
            )
        shutil.rmtree(project / "catalog")
        config = config.replace("hooks:\n  - src/interpcat/site/mkdocs_hook.py\n", "")
        nav_start = config.index("\nnav:") + 1
        config = config[:nav_start] + "nav:\n  - Home: how-to-read.md\n"
        config = config.replace("extra_css:\n  - assets/interpcat.css\n", "")
        config = config.replace("extra_javascript:\n  - assets/interpcat.js\n", "")
    (project / "mkdocs.yml").write_text(config)
    return project


def _build(project: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "-q"], cwd=project, check=True, env=env)
    return time.perf_counter() - start


def _build_zensical(project: Path) -> tuple[float, float, float] | None:
    """Render the project as a plain docs tree and build it with Zensical: seconds, and KB per record page."""
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "zensical").exists():
        return None
    tree = project / "build" / "tree"
    start = time.perf_counter()
    subprocess.run(
        [str(bin_dir / "interpcat"), "site", "render", str(tree), "--root", str(project)],
        check=True,
        capture_output=True,
    )
    rendered = time.perf_counter()
    subprocess.run(
        [str(bin_dir / "zensical"), "build", "-f", str(tree / "mkdocs.yml")], cwd=tree, check=True, capture_output=True
    )
    built = time.perf_counter()
    pages = list((tree / "site" / "papers").glob("synthetic-*/index.html"))
    return rendered - start, built - rendered, sum(p.stat().st_size for p in pages) / len(pages) / 1024


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        records = _project(Path(tmp), n, plain=False)
        plain = _project(Path(tmp), n, plain=True)
        t_plain = _build(plain)
        t_records = _build(records)
        pages = list((records / "site" / "papers").glob("synthetic-*/index.html"))
        html = sum(p.stat().st_size for p in pages) / len(pages)
        index = (records / "site" / "search" / "search_index.json").stat().st_size
        plain_pages = list((plain / "site" / "papers").glob("synthetic-*/index.html"))
        plain_html = sum(p.stat().st_size for p in plain_pages) / len(plain_pages)
        print(f"N = {n}")
        print(f"  plain Markdown pages: {t_plain:6.1f} s   ({plain_html / 1024:.1f} KB HTML per page)")
        print(f"  generated records:    {t_records:6.1f} s   ({html / 1024:.1f} KB HTML per record page)")
        print(
            f"  overhead: {t_records / t_plain - 1:+.0%}   search index: {index / n / 1024:.2f} KB per record "
            f"({index / 1e6:.1f} MB)"
        )
        zensical = _build_zensical(records)
        if zensical is not None:
            render, build, kb = zensical
            print(
                f"  rendered tree + Zensical: render {render:6.1f} s, build {build:6.1f} s   ({kb:.1f} KB per record page)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, action="append", help="record counts (default: 1000 and 5000)")
    for n in parser.parse_args().n or [1000, 5000]:
        measure(n)


if __name__ == "__main__":
    main()
