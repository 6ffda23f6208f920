"""Check the catalog's external links; print each one that no longer resolves; exit 1 if any.

Usage: .venv/bin/python scripts/check-links.py [CATALOG] [--timeout SECONDS]
The weekly watch workflow (.github/workflows/watch.yml) runs it; it needs the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from interpcat.catalog import load_catalog
from interpcat.linkcheck import catalog_links, check_links
from interpcat.problems import CatalogError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", default="catalog", help="catalog folder (default: ./catalog)")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default: 15)")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog(Path(args.catalog))
    except CatalogError as err:
        print(
            f"the catalog does not validate ({len(err.problems)} problem(s)); run 'interpcat validate'", file=sys.stderr
        )
        return 2
    problems = check_links(catalog, timeout=args.timeout)
    for problem in problems:
        print(problem.format())
    total = len(catalog_links(catalog))
    print(f"{total} link(s) checked, {len(problems)} broken", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
