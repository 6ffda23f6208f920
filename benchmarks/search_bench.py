"""First-search latency in a real browser for a site of N synthetic records.

    python benchmarks/search_bench.py --n 5000

Builds the site, serves it on 127.0.0.1, opens it in Debian's chromium, types a query and prints
the seconds from the last key press to the first result, for a cold page (index loading in the
search worker) and a second query on the same page.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from site_bench import _build, _project

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


def first_search(url: str, queries: list[str]) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        box = page.locator("input.md-search__input")
        for query in queries:
            box.click()
            box.fill("")
            box.press_sequentially(query, delay=20)
            start = time.perf_counter()
            page.locator(".md-search-result__item").first.wait_for(timeout=60_000)
            times.append(time.perf_counter() - start)
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), args.n, plain=False)
        built = _build(project)
        handler = functools.partial(QuietHandler, directory=str(project / "site"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        index = (project / "site" / "search" / "search_index.json").stat().st_size
        cold, warm = first_search(url, ["attribution faithfulness", "synthetic 01234"])
        server.shutdown()
    print(f"N = {args.n}: site built in {built:.1f} s; search index {index / 1e6:.1f} MB")
    print(f"  first search (cold page, index loading): {cold:.2f} s")
    print(f"  second search (same page):               {warm:.2f} s")


if __name__ == "__main__":
    main()
