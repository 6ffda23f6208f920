"""The generated site: every record has a page, text is escaped, links resolve, nothing external."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from sitekit import FIXTURE, ROOT, is_external, make_site_project, mkdocs_build, parse_page, resolve_link

from interpcat.catalog import load_catalog
from interpcat.results import load_results
from interpcat.site.render import SiteBuilder

XSS = ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", '"><svg onload=alert(2)>']


def _write_fixture_results(
    project: Path,
    toy: list[float] | None = None,
    started: str = "2026-11-23T00:00:00+00:00",
    provenance: dict | None = None,
) -> None:
    """A smoke result and an executed notebook for the fixture paper, written as the runner would."""
    from interpcat.records import CheckSpec
    from interpcat.verdicts import judge

    out = project / "repro" / "results" / "smoke"
    out.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(project / "catalog")
    values = {"toy-check": toy or [0.9, 0.92, 0.91], "toy-precondition": [True, True], "toy-control": [1.0]}
    checks = []
    for cid, declared in catalog.declared_checks("repro/alpha2020-example.py").items():
        spec: CheckSpec = declared.spec
        j = judge(spec.expect, spec.aggregate, values[cid])
        checks.append(
            {
                "id": cid,
                "role": spec.role,
                "measures": spec.measures,
                "unit": spec.unit,
                "aggregate": spec.aggregate,
                "variant": spec.variant,
                "expected": spec.expect.words(),
                "expect": spec.expect.model_dump(exclude_none=True),
                "expectation_sha256": spec.expectation_sha256(),
                "values": values[cid],
                "labels": None,
                "statistic": j.statistic,
                "interval": list(j.interval) if j.interval else None,
                "interval_rule": "t95",
                "outcome": j.outcome,
                "reason": j.reason,
                "note": XSS[1],
                "measured_at": 0.2,
            }
        )
    result = {
        "format": 2,
        "paper": "alpha2020-example",
        "notebook": "repro/alpha2020-example.py",
        "profile": "smoke",
        "status": "ok",
        "error": None,
        "provenance": {
            "device": "cpu: test",
            "python": "3.11.7",
            "platform": None,
            "packages": {"torch": "2.13.0", "captum": "0.9.0", "numpy": "2.0"},
            "seed": 0,
            "git_commit": "abc",
            "git_clean": True,
            "git_changed": [],
            "notebook_sha256": "0" * 64,
            "expectations_sha256": "1" * 64,
            "data": [{"name": "toy digits", "size": 10, "resolution": "8x8", "source": None}],
            "started": started,
            "duration_s": 1.0,
            **(provenance or {}),
        },
        "checks": checks,
    }
    (out / "alpha2020-example.json").write_text(json.dumps(result))
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("print('measured')")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="measured 0.9\n"),
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<b>bold</b><script>alert('nb')</script>", "text/plain": "x"}
        ),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Fixture notebook"), code]
    nbformat.write(nb, out / "alpha2020-example.ipynb")


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_site_project(tmp_path_factory.mktemp("site") / "project")
    _write_fixture_results(project)
    proc = mkdocs_build(project)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return project / "site"


def test_every_record_has_a_page_and_appears_in_the_overviews(fixture_site: Path) -> None:
    catalog = load_catalog(FIXTURE / "catalog")
    papers_index = (fixture_site / "papers" / "index.html").read_text()
    methods_index = (fixture_site / "methods" / "index.html").read_text()
    criteria_index = (fixture_site / "criteria" / "index.html").read_text()
    tags = (fixture_site / "tags" / "index.html").read_text()
    dashboard = (fixture_site / "dashboard" / "index.html").read_text()
    for pid, paper in catalog.papers.items():
        assert (fixture_site / "papers" / pid / "index.html").is_file()
        assert f'id="paper-{pid}"' in papers_index
        for tag in paper.tags:
            assert f'href="../papers/{pid}/"' in tags and f'id="tag-{tag}"' in tags
        for claim in paper.claims:
            page = parse_page(fixture_site / "papers" / pid / "index.html")
            assert f"claim-{pid}--{claim.id}" in page.ids
    for mid in catalog.methods:
        assert (fixture_site / "methods" / mid / "index.html").is_file()
        assert f'id="method-{mid}"' in methods_index
    for cid in catalog.criteria:
        assert (fixture_site / "criteria" / cid / "index.html").is_file()
        assert f'id="criterion-{cid}"' in criteria_index
    assert "needs ImageNet-scale training" in dashboard  # the not-attempted list with its reason


def test_claim_rows_show_reported_and_reproduced(fixture_site: Path) -> None:
    page = (fixture_site / "papers" / "alpha2020-example" / "index.html").read_text()
    assert "&gt;= 0.5" in page and ">0.91<" in page and "n = 3" in page  # expectation, mean, interval
    assert "ic-v-reproduced" in page and "not run yet" in page  # smoke ran, full did not
    assert "ic-v-met" in page and "primary" in page and "precondition" in page and "control" in page
    assert '<svg class="ic-strip"' in page  # the per-seed strip
    assert "one value, no interval" in page
    assert "cpu: test" in page and "torch 2.13.0" in page and "data: toy digits" in page
    assert 'href="../../notebooks/alpha2020-example/smoke/"' in page
    assert "@inproceedings{alpha2020-example," in page  # the BibTeX block


def test_claims_without_results_say_not_run_yet(tmp_path: Path) -> None:
    catalog = load_catalog(FIXTURE / "catalog")
    pages = SiteBuilder(catalog, load_results(FIXTURE)).build_pages()
    page = pages["papers/alpha2020-example.md"].markdown()
    assert "not run yet" in page and "Smoke run" in page and "Full run" in page


def test_notebook_page_renders_outputs_without_script(fixture_site: Path) -> None:
    page = fixture_site / "notebooks" / "alpha2020-example" / "smoke" / "index.html"
    text = page.read_text()
    assert "measured 0.9" in text and "<b>bold</b>" in text
    assert "alert('nb')" not in "".join(parse_page(page).scripts)
    assert "<script>alert('nb')" not in text


def test_internal_links_resolve(fixture_site: Path) -> None:
    broken = []
    for page in fixture_site.rglob("*.html"):
        if page.name == "404.html":  # served at any depth, so it links from the root on purpose
            continue
        parsed = parse_page(page)
        for tag, attrs in parsed.tags:
            href = attrs.get("href") if tag in ("a", "link") else attrs.get("src") if tag in ("img", "script") else None
            if not href or is_external(href) or href.startswith(("mailto:", "data:")):
                continue
            target, anchor = resolve_link(fixture_site, page, href)
            if not target.exists():
                broken.append(f"{page.relative_to(fixture_site)} -> {href}")
            elif anchor and target.suffix == ".html" and anchor not in parse_page(target).ids:
                broken.append(f"{page.relative_to(fixture_site)} -> {href} (no #{anchor})")
    assert broken == []


def test_no_requests_to_outside_hosts(fixture_site: Path) -> None:
    offenders = []
    for page in fixture_site.rglob("*.html"):
        for tag, attrs in parse_page(page).tags:
            for name in ("src", "srcset", "data"):
                if attrs.get(name) and is_external(str(attrs[name])):
                    offenders.append(f"{page.name}: <{tag} {name}={attrs[name]}>")
            if tag == "link" and attrs.get("href") and is_external(str(attrs["href"])):
                rel = str(attrs.get("rel") or "")
                if rel not in ("canonical", "alternate"):
                    offenders.append(f"{page.name}: <link rel={rel} href={attrs['href']}>")
    for css in fixture_site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if is_external(url):
                offenders.append(f"{css.name}: url({url})")
        if "@import url(http" in css.read_text(encoding="utf-8"):
            offenders.append(f"{css.name}: @import")
    assert offenders == []


def test_invalid_catalog_stops_the_build(tmp_path: Path) -> None:
    project = make_site_project(tmp_path / "project")
    paper = project / "catalog" / "papers" / "alpha2020-example.yaml"
    paper.write_text(paper.read_text().replace("year: 2020", 'year: "2020"'))
    proc = mkdocs_build(project)
    assert proc.returncode != 0
    assert "catalog/papers/alpha2020-example.yaml:4:7: year:" in proc.stderr + proc.stdout
    assert not (project / "site" / "papers" / "alpha2020-example").exists()


def _poison(value: object, i: list[int]) -> object:
    """Replace free text in a record with markup; keep ids, enums, numbers and links valid."""
    if isinstance(value, dict):
        keep = {
            "id",
            "paper",
            "relation",
            "role",
            "venue_type",
            "contribution",
            "areas",
            "modalities",
            "tags",
            "methods",
            "criteria",
            "family",
            "access",
            "stage",
            "scope",
            "introduced_by",
            "captum",
            "links",
            "notebook",
            "unit",
            "aggregate",
            "rule",
            "use",
            "status",
            "year",
            "value",
            "related",
        }
        return {
            k: (
                v
                if k in keep and not (k == "related" and isinstance(v, list) and v and isinstance(v[0], dict))
                else _poison(v, i)
            )
            if k not in keep or k == "related"
            else v
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_poison(v, i) for v in value]
    if isinstance(value, str):
        i[0] += 1
        return value + " " + XSS[i[0] % len(XSS)]
    return value


def test_record_text_is_escaped_everywhere(tmp_path: Path) -> None:
    project = make_site_project(tmp_path / "project")
    for path in (project / "catalog").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        counter = [0]
        poisoned = _poison(data, counter)
        if "related" in data:
            poisoned["related"] = [{**r, "note": XSS[0]} for r in data["related"]]
        path.write_text(yaml.safe_dump(poisoned, allow_unicode=True, sort_keys=False))
    _write_fixture_results(project)
    proc = mkdocs_build(project)
    assert proc.returncode == 0, proc.stderr
    site = project / "site"
    seen_escaped = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        parsed = parse_page(page)
        for tag, attrs in parsed.tags:
            assert not any(name.startswith("on") for name in attrs), f"{page}: <{tag} {attrs}>"
            assert tag != "svg" or "onload" not in attrs
        assert not any('alert("x")' in s or "alert(1)" in s for s in parsed.scripts), page
        seen_escaped += text.count("&lt;script&gt;alert")
    assert seen_escaped > 10
    title = (site / "papers" / "alpha2020-example" / "index.html").read_text()
    assert "<title>An Example Paper About Gradients &lt;script&gt;" in title or "&amp;lt;" not in title
    index = json.loads((site / "search" / "search_index.json").read_text())
    assert any("&lt;script&gt;" in doc.get("text", "") + doc.get("title", "") for doc in index["docs"])


@pytest.mark.slow
def test_the_real_catalog_builds(tmp_path: Path) -> None:
    if not any((ROOT / "catalog" / "papers").glob("*.yaml")):
        pytest.skip("the catalog has no papers yet")
    project = tmp_path / "real"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", "site", "build", ".git", "node_modules", "src", "*.egg-info", "__pycache__"
        ),
    )
    (project / "src").symlink_to(ROOT / "src")
    proc = mkdocs_build(project)
    assert proc.returncode == 0, proc.stderr[-3000:]
    catalog = load_catalog(ROOT / "catalog")
    site = project / "site"
    for pid in catalog.papers:
        assert (site / "papers" / pid / "index.html").is_file(), pid
    for mid in catalog.methods:
        assert (site / "methods" / mid / "index.html").is_file(), mid
    for cid in catalog.criteria:
        assert (site / "criteria" / cid / "index.html").is_file(), cid


def _validator(site: Path, kind: str):  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads((site / "api" / "schema" / f"api-{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_every_record_has_its_json_and_it_follows_the_schema(fixture_site: Path) -> None:
    catalog = load_catalog(FIXTURE / "catalog")
    index = json.loads((fixture_site / "api" / "index.json").read_text())
    _validator(fixture_site, "index").validate(index)
    assert {p["id"] for p in index["papers"]} == set(catalog.papers)
    paper_v = _validator(fixture_site, "paper")
    for pid, paper in catalog.papers.items():
        doc = json.loads((fixture_site / "api" / "papers" / f"{pid}.json").read_text())
        paper_v.validate(doc)
        assert doc["record"]["title"] == paper.title
        assert [c["id"] for c in doc["claims"]] == [c.id for c in paper.claims]
        assert (fixture_site / doc["page"] / "index.html").is_file()
    method_v, criterion_v = _validator(fixture_site, "method"), _validator(fixture_site, "criterion")
    for mid in catalog.methods:
        method_v.validate(json.loads((fixture_site / "api" / "methods" / f"{mid}.json").read_text()))
    for cid in catalog.criteria:
        criterion_v.validate(json.loads((fixture_site / "api" / "criteria" / f"{cid}.json").read_text()))
    for entry in index["papers"] + index["methods"] + index["criteria"]:
        assert (fixture_site / entry["json"]).is_file()


def test_paper_json_holds_claims_checks_verdicts_and_provenance(fixture_site: Path) -> None:
    doc = json.loads((fixture_site / "api" / "papers" / "alpha2020-example.json").read_text())
    claim = doc["claims"][0]
    assert claim["status"] == "reproduced" and claim["anchor"] == "claim-alpha2020-example--toy-claim"
    smoke = claim["verdicts"]["smoke"]
    assert smoke["verdict"] == "reproduced" and smoke["provenance"]["device"] == "cpu: test"
    assert claim["verdicts"]["full"] is None
    check = next(c for c in claim["checks"] if c["spec"]["id"] == "toy-check")
    assert check["spec"]["expect"]["at_least"] == 0.5 and check["spec"]["rationale"]
    assert check["results"]["smoke"]["values"] == [0.9, 0.92, 0.91] and check["results"]["full"] is None
    assert doc["claims"][1]["status"] == "not-attempted"
    assert doc["bibtex"].startswith("@inproceedings{alpha2020-example,")


def test_downloads_are_the_exports_and_listing_pages_link_them(fixture_site: Path) -> None:
    from interpcat.export import to_bibtex, to_csv, to_json

    catalog = load_catalog(FIXTURE / "catalog")
    downloads = fixture_site / "downloads"
    assert (downloads / "interpcat.json").read_text() == to_json(catalog)
    assert (downloads / "interpcat.bib").read_text() == to_bibtex(catalog)
    assert (downloads / "claims.csv").read_text() == to_csv(catalog, "claims")
    for page in ("papers", "methods", "criteria", "tags", "matrix", "dashboard"):
        text = (fixture_site / page / "index.html").read_text()
        for target in ("downloads/interpcat.json", "downloads/interpcat.bib", "downloads/papers.csv", "api/index.json"):
            assert f'href="../{target}"' in text, (page, target)
    paper = (fixture_site / "papers" / "alpha2020-example" / "index.html").read_text()
    assert 'href="../../api/papers/alpha2020-example.json"' in paper and "ic-bibtex" in paper
    assert (
        'href="../../api/methods/toy-gradient.json"'
        in (fixture_site / "methods" / "toy-gradient" / "index.html").read_text()
    )


def test_mkdocs_serve_watches_records_results_and_templates(tmp_path: Path) -> None:
    import importlib.util
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("ic_hook", ROOT / "src" / "interpcat" / "site" / "mkdocs_hook.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)  # type: ignore[union-attr]
    project = make_site_project(tmp_path / "project")
    _write_fixture_results(project)
    watched: list[str] = []
    server = SimpleNamespace(watch=watched.append)
    config = SimpleNamespace(config_file_path=str(project / "mkdocs.yml"))
    assert hook.on_serve(server, config, None) is server
    assert str(project / "catalog") in watched and str(project / "repro") in watched
    assert (project / "repro" / "results" / "smoke").is_relative_to(project / "repro")
    config_text = (ROOT / "mkdocs.yml").read_text()
    assert "mkdocs_hook.py" in config_text


ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _check_atom(text: str) -> list:  # type: ignore[type-arg]
    """Well-formed Atom (RFC 4287) with the required elements; returns the entries."""
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(text.encode("utf-8"))
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
        assert (feed.find(f"{ATOM}{name}").text or "").strip(), name
    assert RFC3339.match(feed.find(f"{ATOM}updated").text)
    entries = feed.findall(f"{ATOM}entry")
    has_feed_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, (name, ET.tostring(entry))
        assert RFC3339.match(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert has_feed_author or entry.find(f"{ATOM}author") is not None
        ids.append(entry.find(f"{ATOM}id").text)
    assert len(ids) == len(set(ids)), "entry ids repeat"
    return entries


def test_feed_is_atom_and_linked_from_every_page_head(fixture_site: Path) -> None:
    entries = _check_atom((fixture_site / "feed.xml").read_text())
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert any(t.startswith("Smoke run of Example et al. 2020") for t in titles)  # no git here: runs only
    for page in fixture_site.rglob("*.html"):
        if page.name == "404.html":
            continue
        links = [a for t, a in parse_page(page).tags if t == "link" and a.get("type") == "application/atom+xml"]
        assert len(links) == 1 and links[0].get("rel") == "alternate", page
        target, _ = resolve_link(fixture_site, page, str(links[0]["href"]))
        assert target == fixture_site / "feed.xml", page


def test_without_git_the_history_says_unavailable(fixture_site: Path) -> None:
    page = (fixture_site / "papers" / "alpha2020-example" / "index.html").read_text()
    assert "history unavailable" in page
    assert "History unavailable" in (fixture_site / "dashboard" / "index.html").read_text()
    doc = json.loads((fixture_site / "api" / "papers" / "alpha2020-example.json").read_text())
    assert doc["claims"][0]["history"] is None


def _git(project: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": "/usr/bin:/bin",
        "HOME": str(project),
    }
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, env=env)


def test_verdict_history_flips_and_feed_from_git(tmp_path: Path) -> None:
    from interpcat.site.render import load_site

    project = make_site_project(tmp_path / "project")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "catalog", "repro")
    _git(project, "commit", "-q", "-m", "records", "--date", "2026-11-01T10:00:00+00:00")
    _write_fixture_results(project, toy=[0.9, 0.92, 0.91], started="2026-11-02T10:00:00+00:00")
    _git(project, "add", "repro")
    _git(project, "commit", "-q", "-m", "first run")
    _write_fixture_results(project, toy=[0.1, 0.2, 0.15], started="2026-11-05T10:00:00+00:00")
    _git(project, "add", "repro")
    _git(project, "commit", "-q", "-m", "second run")
    site = load_site(project)
    pages, files = site.build_pages(), site.data_files()

    doc = json.loads(files["api/papers/alpha2020-example.json"])
    history = doc["claims"][0]["history"]
    assert [h["verdict"] for h in history] == ["reproduced", "not-reproduced"]
    assert [h["date"][:10] for h in history] == ["2026-11-02", "2026-11-05"]
    assert history[1]["checks"]["toy-check"]["outcome"] == "not-met"
    assert history[1]["checks"]["toy-check"]["statistic"] == pytest.approx(0.15)
    assert all(h["profile"] == "smoke" and h["stored_in"] != "working tree" for h in history)
    assert doc["claims"][1]["history"] == []  # not attempted: nothing to show

    paper = pages["papers/alpha2020-example.md"].html
    assert paper.count('class="ic-tick ic-v-') == 2 and "2026-11-05 · smoke" in paper
    dashboard = pages["dashboard.md"].html
    flips = dashboard[dashboard.index('id="flips"') : dashboard.index('id="runs"')]
    assert "toy-claim" in flips and "ic-v-not-reproduced" in flips and "2026-11-05" in flips

    entries = _check_atom(files["feed.xml"])
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert "urn:interpcat:paper:alpha2020-example" in ids and "urn:interpcat:paper:beta2021-followup" in ids
    assert sum(i.startswith("urn:interpcat:run:alpha2020-example:smoke:") for i in ids) == 2
    flip = next(e for e in entries if e.find(f"{ATOM}id").text.startswith("urn:interpcat:flip:"))
    assert "reproduced → not reproduced" in flip.find(f"{ATOM}title").text
    assert flip.find(f"{ATOM}link").get("href") == "papers/alpha2020-example/#claim-alpha2020-example--toy-claim"
    new_paper = next(e for e in entries if e.find(f"{ATOM}id").text == "urn:interpcat:paper:alpha2020-example")
    assert new_paper.find(f"{ATOM}updated").text.startswith("2026-")


def test_cost_to_reproduce_on_claims_and_dashboard(tmp_path: Path) -> None:
    from interpcat.site.render import load_site

    project = make_site_project(tmp_path / "project")
    _write_fixture_results(
        project, provenance={"duration_s": 185.0, "peak_rss_mb": 812.4, "cuda_peak_mb": 3072.0, "device": "cuda: T"}
    )
    site = load_site(project)
    pages, files = site.build_pages(), site.data_files()
    paper = pages["papers/alpha2020-example.md"].html
    assert "cost to reproduce: 3.1 min, 812 MiB peak memory, 3.0 GiB CUDA peak" in paper
    dashboard = pages["dashboard.md"].html
    cost = dashboard[dashboard.index('id="cost"') : dashboard.index('id="runs"')]
    assert "3.1 min" in cost and "812 MiB" in cost and "3.0 GiB" in cost and "cuda: T" in cost
    doc = json.loads(files["api/papers/alpha2020-example.json"])
    assert doc["claims"][0]["verdicts"]["smoke"]["cost"] == {
        "wall_s": 185.0,
        "peak_rss_mb": 812.4,
        "cuda_peak_mb": 3072.0,
        "device": "cuda: T",
    }


def test_results_without_cost_fields_stay_valid(fixture_site: Path) -> None:
    page = (fixture_site / "papers" / "alpha2020-example" / "index.html").read_text()
    assert "cost to reproduce: 1 s</span>" in page  # an older result: wall time only
    assert "not recorded" in (fixture_site / "dashboard" / "index.html").read_text()


def _build_tree(tree: Path, builder: str) -> subprocess.CompletedProcess[str]:
    env_bin = Path(sys.executable).parent
    cmd = [str(env_bin / builder), "build", "-f", str(tree / "mkdocs.yml")]
    cmd += ["--strict", "--site-dir", str(tree / "site")] if builder == "mkdocs" else []
    return subprocess.run(
        cmd,
        cwd=tree,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": f"{env_bin}:/usr/bin:/bin"},
    )


@pytest.fixture(scope="module")
def rendered_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from interpcat.cli import main

    project = make_site_project(tmp_path_factory.mktemp("tree") / "project")
    _write_fixture_results(project)
    out = project / "build" / "tree"
    assert main(["site", "render", str(out), "--root", str(project)]) == 0
    return out


def _assert_built_site(site: Path) -> None:
    catalog = load_catalog(FIXTURE / "catalog")
    for pid in catalog.papers:
        assert (site / "papers" / pid / "index.html").is_file(), pid
        assert (site / "api" / "papers" / f"{pid}.json").is_file(), pid
    for mid in catalog.methods:
        assert (site / "methods" / mid / "index.html").is_file()
    for cid in catalog.criteria:
        assert (site / "criteria" / cid / "index.html").is_file()
    assert (site / "feed.xml").is_file() and (site / "assets" / "interpcat.js").is_file()
    page = (site / "papers" / "alpha2020-example" / "index.html").read_text()
    assert 'class="ic-claims-table"' in page and "claim-alpha2020-example--toy-claim" in page
    assert "&lt;p&gt;" not in page  # the HTML body came through Markdown untouched


def test_rendered_tree_builds_with_mkdocs_without_the_hook(rendered_tree: Path) -> None:
    config = (rendered_tree / "mkdocs.yml").read_text()
    assert "hooks:" not in config and "mkdocs_hook" not in config
    assert (rendered_tree / "docs" / "papers" / "alpha2020-example.md").read_text().startswith("---\ntitle:")
    proc = _build_tree(rendered_tree, "mkdocs")
    assert proc.returncode == 0, proc.stderr[-3000:]
    site = rendered_tree / "site"
    _assert_built_site(site)
    index = json.loads((site / "search" / "search_index.json").read_text())
    assert any("The toy method is faithful on toy data." in d["text"] for d in index["docs"])  # search finds a claim


def test_rendered_tree_builds_with_zensical(rendered_tree: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("zensical") is None:
        pytest.skip("zensical is not installed (the test extra pins 0.0.73, the last without zensical-ui)")
    proc = _build_tree(rendered_tree, "zensical")
    assert proc.returncode == 0, proc.stderr[-3000:]
    site = rendered_tree / "site"
    _assert_built_site(site)
    index = (site / "search.json").read_text()  # Zensical's search index
    assert "The toy method is faithful on toy data." in index  # search finds a claim


def test_render_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    from interpcat.cli import main

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "precious.txt").write_text("keep")
    assert main(["site", "render", str(tmp_path / "out"), "--root", str(FIXTURE)]) == 1
    assert (tmp_path / "out" / "precious.txt").is_file()


def test_a_strip_of_many_values_is_a_box_plot_of_constant_size() -> None:
    from interpcat.records import CheckSpec
    from interpcat.results import CheckResult
    from interpcat.site.strip import MAX_POINTS, strip_svg

    spec = CheckSpec.model_validate(
        {
            "id": "many-values",
            "role": "primary",
            "measures": "m",
            "unit": "example",
            "expect": {"at_least": 0.5},
            "rationale": "r",
        }
    )

    def svg(n: int) -> str:
        values = [i / n for i in range(n)]
        check = CheckResult.model_validate(
            {
                **spec.model_dump(include={"id", "role", "measures", "unit", "aggregate"}),
                "expected": ">= 0.5",
                "expect": {"at_least": 0.5},
                "expectation_sha256": spec.expectation_sha256(),
                "values": values,
                "interval": [0.4, 0.6],
                "outcome": "met",
                "reason": "r",
            }
        )
        return strip_svg(check, spec)

    few, many, very_many = svg(MAX_POINTS), svg(500), svg(5000)
    assert few.count("<circle") == MAX_POINTS and "quartiles" not in few
    assert "<circle" not in many and 'class="ic-strip-box"' in many and "500 values (quartiles and range)" in many
    assert len(very_many) - len(many) < 10  # only the count in the label grows


def test_compacting_keeps_preformatted_text_and_drops_indentation() -> None:
    from interpcat.site.compact import compact_html

    page = (
        "<div>\n    <p>a\n      b</p>\n\n   \n  <pre>  x\n\n    y</pre>\n  <script>\n  var s = '  ';\n</script>\n</div>"
    )
    out = compact_html(page)
    assert "<pre>  x\n\n    y</pre>" in out and "<script>\n  var s = '  ';\n</script>" in out
    assert "<div>\n<p>a\nb</p>\n<pre>" in out
    assert compact_html(out) == out


def test_original_evaluation_ranking_and_implementation_variants(tmp_path: Path) -> None:
    from interpcat.site.render import load_site

    project = make_site_project(tmp_path / "project")
    methods = project / "catalog" / "methods"
    (methods / "toy-gradient-b.yaml").write_text(
        (methods / "toy-gradient.yaml").read_text().replace("id: toy-gradient", "id: toy-gradient-b")
    )
    paper = project / "catalog" / "papers" / "alpha2020-example.yaml"
    text = paper.read_text()
    text = text.replace("methods: [toy-gradient]\ncriteria", "methods: [toy-gradient, toy-gradient-b]\ncriteria", 1)
    text = text.replace(
        "measures: toy value of the method\n", "measures: toy value of the method\n          variant: 'library: a'\n"
    )
    text = text.replace(
        "measures: an identity that always holds\n",
        "measures: toy value of the method\n          variant: 'library: b'\n",
    )
    text += (
        "original:\n  proposed_in: A blog post, 2022\n  note: We chose the toy task.\n  rankings:\n"
        "    - {title: Toy task, score: toy value, better: higher, columns: [trained],\n"
        "       entries: [{method: toy-gradient, score: toy-check, columns: [toy-precondition]},\n"
        "                 {method: toy-gradient-b, score: toy-control, columns: [toy-precondition]}]}\n"
    )
    paper.write_text(text)
    _write_fixture_results(project)
    ipynb = project / "repro" / "results" / "smoke" / "alpha2020-example.ipynb"
    nb = nbformat.read(ipynb, as_version=4)
    nb.cells[1].outputs.append(nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=\n"}))
    nb.cells[1].outputs.append(nbformat.v4.new_output("display_data", data={"image/png": '"><script>x</script>'}))
    nbformat.write(nb, ipynb)
    site = load_site(project)
    pages = site.build_pages()

    html = pages["papers/alpha2020-example.md"].html
    assert "Original evaluation, not a reproduction." in html and "A blog post, 2022" in html
    assert (
        'src="data:image/png;base64,iVBORw0KGgo="' in html and "<script>x" not in html
    )  # one figure, the bad one dropped
    assert html.count("data:image/png;base64,") == 1
    ranking = html[html.index('id="ranking-1"') : html.index("Claims: reported vs. reproduced")]
    assert ranking.index("toy-gradient-b/") < ranking.index("toy-gradient/")  # 1.0 ranks above 0.91
    variants = html[html.index('id="implementation-variants"') :]
    assert "<code>a</code>" in variants and "<code>b</code>" in variants and "0.09" in variants
    dashboard = pages["dashboard.md"].html
    assert "toy value of the method" in dashboard[dashboard.index('id="implementation-variants"') :]
    method = pages["methods/toy-gradient.md"].html
    assert "In the catalog&#39;s own benchmarks" in method or "In the catalog's own benchmarks" in method
    assert "rank 2 of 2" in method
    index = pages["methods/index.md"].html
    assert "Toy task</a>: 1 of 2" in index and "Toy task</a>: 2 of 2" in index
