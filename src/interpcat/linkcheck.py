"""Check that the catalog's external links still resolve.

    problems = check_links(load_catalog("catalog"))

Every link of every paper record (the arXiv abstract page, the DOI resolver, the venue page and
the code repository) is requested once, with a timeout, by the standard library alone. A link
is reported when its server answers 404, 410 or another 4xx, when it keeps answering 5xx, or
when it cannot be reached at all. Answers of 401, 403 and 429 mean the server turns robots
away (several publishers do): they say nothing about the link, so they are not reported.
HEAD is tried first; a server that refuses HEAD gets a GET, of which only the headers are read.
"""

from __future__ import annotations

import http
import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import __version__
from .catalog import Catalog

USER_AGENT = f"interpcat-linkcheck/{__version__} (Python urllib)"
#: Statuses that say the server refuses automated clients, not that the link is gone.
BLOCKED = frozenset({401, 403, 429})
#: Statuses after which HEAD is retried as GET.
HEAD_REFUSED = frozenset({400, 404, 405, 501})


@dataclass(frozen=True, order=True)
class LinkProblem:
    """A link that did not resolve, and every place in the catalog that uses it."""

    url: str
    status: int | None  # the HTTP status; None when the server could not be reached
    message: str
    where: tuple[str, ...]

    def format(self) -> str:
        code = f"HTTP {self.status}" if self.status is not None else "unreachable"
        return f"{self.url}: {code}: {self.message} (in {', '.join(self.where)})"


def catalog_links(catalog: Catalog) -> dict[str, list[str]]:
    """Each external URL of the catalog, with where it is used (``catalog/papers/<id>.yaml: links.doi``)."""
    found: dict[str, list[str]] = {}
    for paper in sorted(catalog.papers.values(), key=lambda p: p.id):
        links = paper.links
        for name, url in (
            ("arxiv", links.arxiv_url()),
            ("doi", links.doi_url()),
            ("url", links.url),
            ("code", links.code),
        ):
            if url:
                found.setdefault(url, []).append(f"catalog/papers/{paper.id}.yaml: links.{name}")
    return found


def _request(url: str, method: str, timeout: float) -> int:
    """The final status of one request (after redirects); raises URLError when unreachable."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        err.close()
        return int(err.code)


def probe(url: str, *, timeout: float = 15.0, retries: int = 1, backoff: float = 1.0) -> tuple[int | None, str]:
    """The status of ``url`` and a word on it: ``(200, 'ok')``, ``(404, 'Not Found')``, ``(None, 'timed out')``."""
    if not url.startswith(("http://", "https://")):
        return None, "not an http(s) URL"
    status: int | None = None
    message = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * attempt)
        try:
            status = _request(url, "HEAD", timeout)
            if status in HEAD_REFUSED:
                status = _request(url, "GET", timeout)
        except (OSError, http.client.HTTPException, ValueError) as err:  # URLError and timeouts are OSErrors
            reason = getattr(err, "reason", err)
            timed_out = isinstance(reason, (TimeoutError, socket.timeout))
            status, message = None, "timed out" if timed_out else (str(reason) or type(reason).__name__)
            continue  # unreachable: worth another try
        if status >= 500:
            message = "server error"
            continue
        break
    if status is not None:
        if status < 400:
            message = "ok"
        elif status in BLOCKED:
            message = "refuses automated clients (not checked)"
        elif status < 500:
            try:
                message = http.HTTPStatus(status).phrase
            except ValueError:
                message = "client error"
    return status, message


def is_problem(status: int | None) -> bool:
    return status is None or (status >= 400 and status not in BLOCKED)


def check_links(
    catalog: Catalog,
    *,
    timeout: float = 15.0,
    retries: int = 1,
    workers: int = 8,
    prober: Callable[[str], tuple[int | None, str]] | None = None,
) -> list[LinkProblem]:
    """Every link of the catalog that does not resolve, sorted by URL."""
    links = catalog_links(catalog)

    def run(url: str) -> tuple[int | None, str]:
        if prober is not None:
            return prober(url)
        return probe(url, timeout=timeout, retries=retries)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = dict(zip(links, pool.map(run, links), strict=True))
    return sorted(
        LinkProblem(url, status, message, tuple(links[url]))
        for url, (status, message) in outcomes.items()
        if is_problem(status)
    )
