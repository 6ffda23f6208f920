"""The link checker, against a local HTTP server (the tests never touch the network)."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sitekit import ROOT

from interpcat.catalog import load_catalog
from interpcat.linkcheck import LinkProblem, catalog_links, check_links, probe


class Handler(http.server.BaseHTTPRequestHandler):
    flaky_calls = 0

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def _answer(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self.route("HEAD")

    def do_GET(self) -> None:
        self.route("GET")

    def route(self, method: str) -> None:
        path = self.path
        if path == "/ok":
            self._answer(200)
        elif path == "/gone":
            self._answer(404)
        elif path == "/moved":
            self._answer(301, {"Location": "/ok"})
        elif path == "/moved-away":
            self._answer(302, {"Location": "/gone"})
        elif path == "/no-head":
            self._answer(405 if method == "HEAD" else 200)
        elif path == "/robots-not-welcome":
            self._answer(403)
        elif path == "/slow":
            time.sleep(1.0)
            self._answer(200)
        elif path == "/flaky":
            type(self).flaky_calls += 1
            self._answer(503 if type(self).flaky_calls == 1 else 200)
        elif path == "/down":
            self._answer(503)
        else:
            self._answer(410)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/ok", 200, "ok"),
        ("/moved", 200, "ok"),
        ("/no-head", 200, "ok"),
        ("/gone", 404, "Not Found"),
        ("/moved-away", 404, "Not Found"),
        ("/robots-not-welcome", 403, "refuses automated clients (not checked)"),
        ("/down", 503, "server error"),
        ("/other", 410, "Gone"),
    ],
)
def test_probe(server: str, path: str, status: int, message: str) -> None:
    assert probe(server + path, timeout=5, retries=1, backoff=0) == (status, message)


def test_probe_retries_a_server_error_once(server: str) -> None:
    Handler.flaky_calls = 0
    assert probe(server + "/flaky", timeout=5, retries=1, backoff=0) == (200, "ok")
    Handler.flaky_calls = 0
    assert probe(server + "/flaky", timeout=5, retries=0, backoff=0) == (503, "server error")


def test_probe_unreachable_and_slow(server: str) -> None:
    status, message = probe(f"http://127.0.0.1:{closed_port()}/x", timeout=2, retries=0)
    assert status is None and "refused" in message.lower()
    assert probe(server + "/slow", timeout=0.2, retries=0) == (None, "timed out")
    assert probe("ftp://example.org/x", retries=0) == (None, "not an http(s) URL")


def write_paper(project: Path, links: dict[str, str]) -> None:
    """Point the fixture's first paper at the given links."""
    path = project / "catalog" / "papers" / "alpha2020-example.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["links"] = links
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_catalog_links_lists_each_url_with_where_it_is_used(project: Path) -> None:
    links = catalog_links(load_catalog(project / "catalog"))
    assert links["https://arxiv.org/abs/2001.00001"] == ["catalog/papers/alpha2020-example.yaml: links.arxiv"]
    assert links["https://github.com/example/alpha"] == ["catalog/papers/alpha2020-example.yaml: links.code"]
    assert all(url.startswith("https://") for url in links)


def test_check_links_reports_only_what_rotted(project: Path, server: str) -> None:
    write_paper(project, {"url": server + "/gone", "code": server + "/ok", "doi": "10.1000/xyz"})
    catalog = load_catalog(project / "catalog")
    seen: list[str] = []

    def prober(url: str) -> tuple[int | None, str]:
        seen.append(url)
        if url == "https://doi.org/10.1000/xyz":
            return 403, "refuses automated clients (not checked)"
        if url.startswith(server):
            return probe(url, timeout=5, retries=0)
        return 200, "ok"

    problems = check_links(catalog, prober=prober, workers=2)
    assert problems == [
        LinkProblem(server + "/gone", 404, "Not Found", ("catalog/papers/alpha2020-example.yaml: links.url",))
    ]
    assert problems[0].format() == (
        f"{server}/gone: HTTP 404: Not Found (in catalog/papers/alpha2020-example.yaml: links.url)"
    )
    assert sorted(seen) == sorted(catalog_links(catalog))  # each URL once


def test_check_links_script(project: Path, server: str) -> None:
    write_paper(project, {"url": server + "/ok", "code": f"http://127.0.0.1:{closed_port()}/repo"})
    other = project / "catalog" / "papers" / "beta2021-followup.yaml"
    data = yaml.safe_load(other.read_text(encoding="utf-8"))
    data["links"] = {"url": server + "/moved"}
    other.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    script = ROOT / "scripts" / "check-links.py"
    run = subprocess.run(
        [sys.executable, str(script), "--timeout", "2"], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout.count("\n") == 1 and "/repo: unreachable:" in run.stdout
    assert "3 link(s) checked, 1 broken" in run.stderr
