"""A reader in a real browser: types into the search box, finds the paper, opens it, sees its claims.

Drives Debian's /usr/bin/chromium through Playwright (no browser download). Screenshots of
failures, and of a paper page and the dashboard, go to test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sitekit import ROOT, mkdocs_build

from interpcat.catalog import load_catalog

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("INTERPCAT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium)")


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    project = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", "site", "build", ".git", "node_modules", "src", "*.egg-info", "__pycache__", "test-artifacts"
        ),
    )
    (project / "src").symlink_to(ROOT / "src")
    proc = mkdocs_build(project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    handler = functools.partial(_QuietHandler, directory=str(project / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site_url: str, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    outside: list[str] = []
    pg.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlsplit(r.url).hostname not in ("127.0.0.1",) and not r.url.startswith("data:")
            else None
        ),
    )
    yield pg
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"), full_page=True)
    context.close()
    assert outside == [], f"the site made requests to outside hosts: {outside}"


def _queries() -> list[tuple[str, str, str]]:
    """(kind, query, expected paper id): one query per way a reader looks for a paper.

    Each query is checked against the record first, so the test says which record changed.
    """
    catalog = load_catalog(ROOT / "catalog")
    wanted = [
        ("title", "Sanity Checks for Saliency Maps", "adebayo2018-sanity-checks", lambda p: [p.title]),
        ("author", "Doshi-Velez", "ross2017-right-reasons", lambda p: p.authors),
        ("method", "KernelSHAP", "lundberg2017-shap", lambda p: [catalog.methods[m].name for m in p.methods]),
        ("tag", "decoy mnist", "ross2017-right-reasons", lambda p: [t.replace("-", " ") for t in p.tags]),
        ("claim words", "randomised swatches", "ross2017-right-reasons", lambda p: [c.statement for c in p.claims]),
    ]
    chosen = []
    for kind, query, paper_id, fields in wanted:
        paper = catalog.papers.get(paper_id)
        if paper is not None and any(query.lower() in f.lower() for f in fields(paper)):
            chosen.append((kind, query, paper_id))
        else:
            chosen.append((kind, query, f"missing:{paper_id}"))
    return chosen


QUERIES = _queries()


@pytest.mark.parametrize("kind,query,paper_id", QUERIES, ids=[q[0] for q in QUERIES])
def test_search_finds_the_paper_and_opens_its_claims(page, site_url: str, kind: str, query: str, paper_id: str) -> None:  # type: ignore[no-untyped-def]
    assert not paper_id.startswith("missing:"), f"the catalog no longer has this {kind} in {paper_id[8:]}"
    catalog = load_catalog(ROOT / "catalog")
    title = catalog.papers[paper_id].title
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=40)  # key events, as a reader types
    page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
    # The paper's own result (its page, not a section of another page that mentions it).
    link = page.locator(f"li.md-search-result__item > a.md-search-result__link[href*='papers/{paper_id}/']").first
    link.wait_for(timeout=10_000)
    link.click()
    page.wait_for_url(f"**/papers/{paper_id}/**")
    assert page.locator("h1").first.inner_text().strip() == title
    table = page.locator("table.ic-claims-table")  # Material wraps tables in scroll containers
    table.wait_for()
    assert table.locator("tr.ic-claim-row").count() == len(catalog.papers[paper_id].claims)
    assert "Smoke run" in table.locator("thead").first.inner_text()
    checks = page.locator("table.ic-checks-table").first  # the checks behind the first claim
    assert "Expected" in checks.inner_text() and checks.locator("tbody tr").count() >= 1


def test_screenshots_of_a_paper_page_and_the_dashboard(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    catalog = load_catalog(ROOT / "catalog")
    if not catalog.papers:
        pytest.skip("no papers")
    ARTIFACTS.mkdir(exist_ok=True)
    paper_id = "ross2017-right-reasons" if "ross2017-right-reasons" in catalog.papers else next(iter(catalog.papers))
    page.goto(f"{site_url}papers/{paper_id}/")
    page.locator("table.ic-claims-table").wait_for()
    page.screenshot(path=str(ARTIFACTS / "paper.png"), full_page=True)
    page.goto(f"{site_url}dashboard/")
    page.locator("h1").first.wait_for()
    assert "Reproduction dashboard" in page.locator("h1").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)


def _expected_ids(site_url: str, keep) -> set[str]:  # type: ignore[no-untyped-def]
    import json
    import urllib.request

    with urllib.request.urlopen(f"{site_url}api/index.json") as r:  # the JSON the filters read
        index = json.load(r)
    return {p["id"] for p in index["papers"] if keep(p)}


def _shown_ids(page) -> set[str]:  # type: ignore[no-untyped-def]
    rows = page.locator("tr[id^='paper-']:visible")
    return {rows.nth(i).get_attribute("id")[len("paper-") :] for i in range(rows.count())}


def test_papers_index_filters_with_the_keyboard(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    catalog = load_catalog(ROOT / "catalog")
    page.goto(f"{site_url}papers/")
    page.locator("#ic-filters").wait_for(state="visible")
    assert _shown_ids(page) == set(catalog.papers)
    # Keyboard only: focus the status filter, pick a value, tab on to the notebook checkbox, press space.
    page.locator("#ic-f-status").focus()
    page.locator("#ic-f-status").select_option("reproduced")  # what a keyboard selection dispatches
    assert page.evaluate("document.activeElement.id") == "ic-f-status"
    want = _expected_ids(site_url, lambda p: "reproduced" in p["statuses"])
    assert want and _shown_ids(page) == want
    assert f"{len(want)} of {len(catalog.papers)} papers shown" in page.locator("#ic-filter-count").inner_text()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ic-f-notebook":
            break
    assert page.evaluate("document.activeElement.id") == "ic-f-notebook"
    page.keyboard.press("Space")
    assert page.locator("#ic-f-notebook").is_checked()
    want = _expected_ids(site_url, lambda p: "reproduced" in p["statuses"] and p["has_notebook"])
    assert _shown_ids(page) == want
    assert "status=reproduced" in page.url and "notebook=1" in page.url  # the filtered view can be linked
    # Each facet narrows to the papers that have it.
    page.keyboard.press("Space")
    page.locator("#ic-f-status").select_option("")
    year = sorted({p.year for p in catalog.papers.values()})[-1]
    page.locator("#ic-f-year").select_option(str(year))
    assert _shown_ids(page) == {pid for pid, p in catalog.papers.items() if p.year == year}
    page.locator("#ic-f-year").select_option("")
    page.locator("#ic-f-area").select_option("mechanistic")
    assert _shown_ids(page) == {pid for pid, p in catalog.papers.items() if "mechanistic" in p.areas}
    page.locator("#ic-f-modality").select_option("image")
    assert _shown_ids(page) == {
        pid for pid, p in catalog.papers.items() if "mechanistic" in p.areas and "image" in p.modalities
    }
    page.locator("#ic-filters button[type=reset]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll(\"tr[id^='paper-'][hidden]\").length === 0")
    # A linked filtered view opens filtered.
    page.goto(f"{site_url}papers/?contribution=survey")
    page.locator("#ic-filters").wait_for(state="visible")
    assert _shown_ids(page) == {pid for pid, p in catalog.papers.items() if p.contribution == "survey"}


def test_matrix_fits_a_1400px_screen(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site_url}matrix/")
    page.locator("table.ic-matrix-table").wait_for()
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"the page scrolls sideways: {width} px of content in {client} px"
    box = page.locator(".ic-matrix")
    assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    header = page.locator("table.ic-matrix-table thead th").nth(1)
    assert header.evaluate("e => getComputedStyle(e).position") == "sticky"
    # Scrolled inside its box, the criteria row stays in view.
    top = header.bounding_box()["y"]
    box.evaluate("e => e.scrollBy(0, 400)")
    assert abs(header.bounding_box()["y"] - top) < 2 or box.evaluate("e => e.scrollTop") == 0
