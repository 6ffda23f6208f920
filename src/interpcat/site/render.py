"""Render the catalog and reproduction results into site pages (Markdown files holding HTML).

Independent of MkDocs: ``build_pages`` returns ``{path: text}`` and a thin MkDocs hook adds those
files to the build. Every value from a record goes through Jinja2's autoescaping, so record text is
data, never markup. Links between pages are written relative, for directory URLs or not.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..api import CheckPoint, HistoryEntry
from ..audit import STATE_LABELS, Audit, CheckAudit
from ..catalog import Catalog, claim_checks, claim_criteria, claim_methods
from ..export import paper_bibtex
from ..history import Flip, History
from ..records import CheckSpec, Claim, NotebookReproduction, Paper, Ranking
from ..results import PROFILES, CheckResult, ClaimOutcome, Results, claim_status
from .data import DOWNLOADS, INDEX, paper_json
from .notebooks import notebook_figures, notebook_html, source_html
from .strip import strip_svg

VERDICT_LABELS = {
    "reproduced": "reproduced",
    "partially-reproduced": "partially reproduced",
    "not-reproduced": "not reproduced",
    "inconclusive": "inconclusive",
    "error": "error",
    "not-run": "not run yet",
    "not-attempted": "not attempted",
}
VERDICT_ORDER = list(VERDICT_LABELS)
OUTCOME_LABELS = {"met": "met", "not-met": "not met", "inconclusive": "inconclusive", "error": "error"}
ROLE_LABELS = {"primary": "primary", "precondition": "precondition", "control": "control"}
AREA_LABELS = {
    "mechanistic": "Mechanistic",
    "attribution": "Attribution",
    "example-based": "Example-based",
    "natural-language": "Natural language",
    "intrinsic": "Intrinsically interpretable",
    "explanatory-interactive-learning": "Explanatory interactive learning",
}


@dataclass(frozen=True)
class GeneratedPage:
    """A page: front matter (title, layout) and its body as HTML."""

    front_matter: str
    html: str

    def markdown(self) -> str:
        """The whole page as one Markdown file (raw HTML body), for builders that take files."""
        return f"{self.front_matter}\n{self.html}"


@dataclass
class CheckRow:
    """One check behind a claim: its expectation, its result in each profile, its audit."""

    spec: CheckSpec
    results: dict[str, CheckResult | None]
    audit: CheckAudit | None
    shared_with: list[tuple[str, str]] = field(default_factory=list)  # other claims that use this check

    @property
    def disagree(self) -> bool:
        a, b = self.results.get("smoke"), self.results.get("full")
        return a is not None and b is not None and a.outcome != b.outcome


@dataclass
class ClaimRow:
    """What a claims table shows for one claim."""

    paper: Paper
    claim: Claim
    status: str
    outcomes: dict[str, ClaimOutcome | None]
    status_reason: str = ""
    checks: list[CheckRow] = field(default_factory=list)
    notebook_pages: dict[str, str] = field(default_factory=dict)

    @property
    def disagree(self) -> bool:
        a, b = self.outcomes.get("smoke"), self.outcomes.get("full")
        return a is not None and b is not None and a.verdict != b.verdict

    @property
    def preregistration(self) -> str:
        """One word for the claim's deciding checks: all pre-registered, or how many are not."""
        states = [c.audit.state for c in self.checks if c.audit is not None and c.spec.role != "control"]
        if not states:
            return ""
        if all(s == "pre-registered" for s in states):
            return "every deciding check pre-registered"
        counts = Counter(STATE_LABELS[s] for s in states)
        return "; ".join(f"{n} {label}" for label, n in counts.items())

    @property
    def anchor(self) -> str:
        """The claim row's id on its paper page."""
        return f"claim-{self.paper.id}--{self.claim.id}"

    @property
    def cite(self) -> str:
        """'Lastname et al. 2019', for tables that list claims of many papers."""
        return short_cite(self.paper)

    @property
    def reason(self) -> str | None:
        repro = self.claim.reproduction
        return None if isinstance(repro, NotebookReproduction) else repro.reason


@dataclass
class RankRow:
    """One method's line in a ranking, for one profile."""

    rank: int | None  # None: no score in this run
    method: str
    score: CheckResult | None
    columns: list[CheckResult | None]
    tied_with_previous: bool = False  # the intervals of this and the row above overlap


@dataclass
class RankTable:
    """A ranking of an original evaluation, with its rows per profile that has results."""

    ranking: Ranking
    profiles: dict[str, list[RankRow]]


@dataclass
class VariantGroup:
    """One quantity measured with several implementations ('library: ...' variants) of a method."""

    paper: Paper
    claim: Claim
    measures: str
    variants: list[tuple[str, dict[str, CheckResult | None]]]  # (library, result per profile)

    def spread(self, profile: str) -> float | None:
        """Largest minus smallest mean over the implementations (numbers only; None if fewer than two)."""
        stats = [
            float(r.statistic)
            for _, per in self.variants
            if (r := per.get(profile)) is not None
            and isinstance(r.statistic, (int, float))
            and not isinstance(r.statistic, bool)
        ]
        return max(stats) - min(stats) if len(stats) >= 2 else None


LIBRARY_PREFIX = "library:"


def _ranked(ranking: Ranking, result: Any) -> list[RankRow]:
    rows = []
    for entry in ranking.entries:
        score = result.check(entry.score) if result else None
        rows.append(RankRow(None, entry.method, score, [result.check(c) if result else None for c in entry.columns]))

    def key(row: RankRow) -> tuple[int, float]:
        stat = row.score.statistic if row.score is not None else None
        if not isinstance(stat, (int, float)) or isinstance(stat, bool):
            return (1, 0.0)
        return (0, float(stat) if ranking.better == "lower" else -float(stat))

    rows.sort(key=key)
    rank = 0
    for i, row in enumerate(rows):
        if key(row)[0] == 1:
            continue
        rank += 1
        row.rank = rank
        above = rows[i - 1] if i else None
        if above is not None and above.score and row.score and above.score.interval and row.score.interval:
            lo, hi = row.score.interval
            alo, ahi = above.score.interval
            row.tied_with_previous = lo <= ahi and alo <= hi
    return rows


class SiteBuilder:
    """Builds every generated page of the site from a loaded catalog and its results."""

    def __init__(
        self,
        catalog: Catalog,
        results: Results,
        *,
        directory_urls: bool = True,
        audit: Audit | None = None,
        history: History | None = None,
    ):
        self.catalog = catalog
        self.results = results
        self.audit = audit or Audit()
        self.history = history or History(available=False)
        self.directory_urls = directory_urls
        self.env = Environment(
            loader=PackageLoader("interpcat.site", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["verdict_label"] = lambda v: VERDICT_LABELS.get(v, OUTCOME_LABELS.get(v, v))
        self.env.filters["state_label"] = lambda v: STATE_LABELS.get(v, v)
        self.env.globals["strip"] = lambda check, spec: Markup(strip_svg(check, spec))
        self.env.filters["num"] = _format_number
        self.env.filters["mib"] = _format_mib
        self.env.filters["seconds"] = _format_seconds
        self.env.filters["area_label"] = lambda a: AREA_LABELS.get(a, a)
        self.env.filters["cite"] = short_cite
        self.env.globals["verdict_order"] = VERDICT_ORDER
        self.env.globals["downloads"] = DOWNLOADS
        self.env.globals["api_index"] = INDEX
        self.env.globals["paper_json"] = paper_json
        self._rows: dict[tuple[str, str], ClaimRow] = {}
        self._history: dict[tuple[str, str], list[HistoryEntry] | None] = {}
        self._flips: list[Flip] | None = None
        self.env.globals["claim_history"] = self.claim_history

    # ---------------------------------------------------------------- urls

    def url(self, src: str) -> str:
        """Site URL (relative to the root) of a Markdown source path."""
        if not src.endswith(".md"):
            return src
        stem = src[: -len(".md")]
        if not self.directory_urls:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return stem + "/"

    def href(self, from_src: str, to_src: str) -> str:
        """A relative link from one page to another."""
        return self.root_prefix(from_src) + self.url(to_src) or "./"

    def root_prefix(self, src: str) -> str:
        """The relative path from a page's URL back to the site root ('' at the root, '../' one down)."""
        return "../" * self.url(src).count("/")

    # ---------------------------------------------------------------- data

    def claim_row(self, paper: Paper, claim: Claim) -> ClaimRow:
        key = (paper.id, claim.id)
        if key not in self._rows:
            outcomes = {profile: self.results.outcome(self.catalog, claim, profile) for profile in PROFILES}
            status, reason = claim_status(self.catalog, claim, self.results)
            row = ClaimRow(paper, claim, status, outcomes, reason)
            if isinstance(claim.reproduction, NotebookReproduction):
                notebook = claim.reproduction.notebook
                declared = self.catalog.declared_checks(notebook)
                for spec in claim_checks(self.catalog, claim):
                    per_profile = {
                        profile: (o.result.check(spec.id) if (o := outcomes[profile]) else None) for profile in PROFILES
                    }
                    others = [k for k in declared[spec.id].claims if k != (paper.id, claim.id)]
                    row.checks.append(CheckRow(spec, per_profile, self.audit.state(notebook, spec.id), others))
                for profile in PROFILES:
                    if self.results.executed_notebook(profile, claim.reproduction.notebook):
                        row.notebook_pages[profile] = notebook_page_src(claim.reproduction.notebook, profile)
            self._rows[key] = row
        return self._rows[key]

    def rows(self, paper: Paper) -> list[ClaimRow]:
        return [self.claim_row(paper, c) for c in paper.claims]

    def all_rows(self) -> list[ClaimRow]:
        return [row for p in self.sorted_papers() for row in self.rows(p)]

    def sorted_papers(self) -> list[Paper]:
        return sorted(self.catalog.papers.values(), key=lambda p: (-p.year, p.title.lower()))

    def verdict_counts(self, rows: list[ClaimRow]) -> list[tuple[str, int]]:
        counts = Counter(r.status for r in rows)
        return [(v, counts[v]) for v in VERDICT_ORDER if counts[v]]

    def rankings(self, paper: Paper) -> list[RankTable]:
        """An original evaluation's rankings, ordered by the measured score in each profile."""
        if paper.original is None:
            return []
        notebooks = _paper_notebooks(paper)
        tables = []
        for ranking in paper.original.rankings:
            per_profile = {}
            for profile in PROFILES:
                result = next((r for nb in notebooks if (r := self.results.by_notebook.get((profile, nb)))), None)
                if result is not None:
                    per_profile[profile] = _ranked(ranking, result)
            tables.append(RankTable(ranking, per_profile))
        return tables

    def original_figures(self, paper: Paper) -> tuple[str, list[str]]:
        """An original evaluation's plots, from its executed notebook: (profile, base64 PNGs); full first."""
        if paper.original is None:
            return ("", [])
        notebooks = _paper_notebooks(paper)
        for profile in ("full", "smoke"):
            for notebook in notebooks:
                ipynb = self.results.executed_notebook(profile, notebook)
                if ipynb is not None and (figures := notebook_figures(ipynb)):
                    return (profile, figures)
        return ("", [])

    def method_rankings(self, method_id: str) -> list[tuple[Paper, Ranking, dict[str, RankRow]]]:
        """Where an original evaluation ranks this method: (record, ranking, its row per profile)."""
        out = []
        for paper in self.sorted_papers():
            for table in self.rankings(paper):
                mine = {
                    profile: row for profile, rows in table.profiles.items() for row in rows if row.method == method_id
                }
                if any(e.method == method_id for e in table.ranking.entries):
                    out.append((paper, table.ranking, mine))
        return out

    def measured_about_method(self, method_id: str) -> list[tuple[str, list[ClaimRow]]]:
        """Claims about a method that a notebook checks, grouped by the criterion they measure."""
        groups: dict[str, list[ClaimRow]] = defaultdict(list)
        for paper, claim in self.catalog.claims_about_method(method_id):
            if paper.original is not None or not isinstance(claim.reproduction, NotebookReproduction):
                continue
            row = self.claim_row(paper, claim)
            for k in claim_criteria(paper, claim) or [""]:
                groups[k].append(row)
        named = sorted((k for k in groups if k), key=lambda k: self.catalog.criteria[k].name.lower())
        return [(k, groups[k]) for k in named] + ([("", groups[""])] if "" in groups else [])

    def variant_groups(self, paper: Paper) -> list[VariantGroup]:
        """Quantities this paper's notebook measured with two or more libraries' implementations."""
        groups: dict[tuple[str, str], VariantGroup] = {}
        seen: set[str] = set()
        for row in self.rows(paper):
            for check in row.checks:
                variant = check.spec.variant or ""
                if not variant.lower().startswith(LIBRARY_PREFIX) or check.spec.id in seen:
                    continue
                seen.add(check.spec.id)
                key = (row.claim.id, check.spec.measures)
                group = groups.setdefault(key, VariantGroup(paper, row.claim, check.spec.measures, []))
                group.variants.append((variant[len(LIBRARY_PREFIX) :].strip(), check.results))
        # Implementations differ by library: 'library: captum, IG' and 'library: captum, SmoothGrad' are
        # two methods of one library, not two implementations of one method.
        return [g for g in groups.values() if len({lib.split(",")[0].strip().lower() for lib, _ in g.variants}) >= 2]

    def all_variant_groups(self) -> list[VariantGroup]:
        return [g for p in self.sorted_papers() for g in self.variant_groups(p)]

    # ---------------------------------------------------------------- pages

    def render(self, template: str, src: str, title: str, *, searchable: bool = True, **context: Any) -> GeneratedPage:
        prefix = self.root_prefix(src)
        url = self.url
        html = self.env.get_template(template).render(
            src=src, title=title, link=lambda target: prefix + url(target) or "./", site=self, **context
        )
        # Front matter: the title is HTML-escaped (themes print it unescaped) and JSON-quoted (valid YAML).
        front = f"title: {json.dumps(str(escape(title)))}\nhide:\n  - navigation\n  - toc\n"
        if not searchable:  # long listings would only repeat the record pages in search results
            front += "search:\n  exclude: true\n"
        return GeneratedPage(front_matter=f"---\n{front}---\n", html=html)

    def build_pages(self) -> dict[str, GeneratedPage]:
        """Every generated page, by its Markdown source path."""
        c = self.catalog
        pages: dict[str, GeneratedPage] = {}
        pages["index.md"] = self.render("home.html", "index.md", "interpcat", papers=self.sorted_papers())
        pages["papers/index.md"] = self.render(
            "papers_index.html",
            "papers/index.md",
            "Papers",
            papers=self.sorted_papers(),
            facets=self.paper_facets(),
            searchable=False,
        )
        for paper in c.papers.values():
            src = paper_src(paper.id)
            pages[src] = self.render(
                "paper.html",
                src,
                paper.title,
                paper=paper,
                rows=self.rows(paper),
                bibtex=paper_bibtex(paper),
                incoming=c.incoming_relations.get(paper.id, []),
                introduced=c.methods_introduced_by(paper.id),
                rankings=self.rankings(paper),
                figures=self.original_figures(paper),
                variants=self.variant_groups(paper),
            )
        methods = sorted(c.methods.values(), key=lambda m: m.name.lower())
        pages["methods/index.md"] = self.render("methods_index.html", "methods/index.md", "Methods", methods=methods)
        for method in methods:
            src = method_src(method.id)
            claims = [self.claim_row(p, cl) for p, cl in c.claims_about_method(method.id)]
            pages[src] = self.render(
                "method.html",
                src,
                method.name,
                method=method,
                papers=c.papers_using_method(method.id),
                rows=claims,
                origin=c.papers.get(method.introduced_by or ""),
                placements=self.method_rankings(method.id),
            )
        criteria = sorted(c.criteria.values(), key=lambda k: k.name.lower())
        pages["criteria/index.md"] = self.render(
            "criteria_index.html", "criteria/index.md", "Criteria", criteria=criteria
        )
        for criterion in criteria:
            src = criterion_src(criterion.id)
            claims = [self.claim_row(p, cl) for p, cl in c.claims_about_criterion(criterion.id)]
            pages[src] = self.render(
                "criterion.html",
                src,
                criterion.name,
                criterion=criterion,
                papers=c.papers_evaluating(criterion.id),
                rows=claims,
            )
        pages["matrix.md"] = self.render(
            "matrix.html", "matrix.md", "Methods × criteria", searchable=False, **self.matrix()
        )
        pages["dashboard.md"] = self.render(
            "dashboard.html", "dashboard.md", "Reproduction dashboard", searchable=False, **self.dashboard()
        )
        pages["tags.md"] = self.render("tags.html", "tags.md", "Tags", tags=c.tags, searchable=False)
        pages.update(self.notebook_pages())
        return pages

    def paper_facets(self) -> list[tuple[str, str, list[tuple[str, str, int]]]]:
        """The papers index's filters: (field, label, [(value, text, number of papers)])."""
        papers = self.sorted_papers()
        status = Counter(s for p in papers for s in {r.status for r in self.rows(p)})
        areas = Counter(a for p in papers for a in set(p.areas))
        modalities = Counter(m for p in papers for m in set(p.modalities))
        contributions = Counter(p.contribution for p in papers)
        years = Counter(p.year for p in papers)
        return [
            ("status", "Claim status", [(v, VERDICT_LABELS[v], status[v]) for v in VERDICT_ORDER if status[v]]),
            ("area", "Area", [(a, AREA_LABELS.get(a, a), n) for a, n in sorted(areas.items())]),
            ("modality", "Data", [(m, m, n) for m, n in sorted(modalities.items())]),
            ("contribution", "Contribution", [(c, c, n) for c, n in sorted(contributions.items())]),
            ("year", "Year", [(str(y), str(y), n) for y, n in sorted(years.items(), reverse=True)]),
        ]

    def matrix(self) -> dict[str, Any]:
        cells: dict[tuple[str, str], list[ClaimRow]] = defaultdict(list)
        for row in self.all_rows():
            for m in claim_methods(row.paper, row.claim):
                for k in claim_criteria(row.paper, row.claim):
                    cells[(m, k)].append(row)
        method_ids = sorted({m for m, _ in cells}, key=lambda m: self.catalog.methods[m].name.lower())
        criterion_ids = sorted({k for _, k in cells}, key=lambda k: self.catalog.criteria[k].name.lower())
        return {
            "methods": [self.catalog.methods[m] for m in method_ids],
            "criteria": [self.catalog.criteria[k] for k in criterion_ids],
            "cells": cells,
            "unmatched_methods": sorted(set(self.catalog.methods) - set(method_ids)),
        }

    def dashboard(self) -> dict[str, Any]:
        rows = self.all_rows()
        runs = sorted(self.results.by_notebook.values(), key=lambda r: (r.paper, r.profile))
        per_profile = {}
        for profile in PROFILES:
            counts = Counter(
                (o.verdict if o else "not-run")
                for r in rows
                if isinstance(r.claim.reproduction, NotebookReproduction)
                for o in [r.outcomes[profile]]
            )
            per_profile[profile] = [(v, counts[v]) for v in VERDICT_ORDER if counts[v]]
        return {
            "counts": self.verdict_counts(rows),
            "per_profile": per_profile,
            "runs": runs,
            "failing": [r for r in rows if r.status in ("not-reproduced", "error")],
            "partial": [r for r in rows if r.status == "partially-reproduced"],
            "inconclusive": [r for r in rows if r.status == "inconclusive"],
            "disagree": [r for r in rows if r.disagree],
            "audit_counts": Counter(a.state for a in self.audit.checks.values()),
            "not_run": [r for r in rows if r.status == "not-run"],
            "not_attempted": [r for r in rows if r.status == "not-attempted"],
            "total": len(rows),
            "flips": self.flips()[:20],
            "costs": self.costs(),
            "history_available": self.history.available,
            "variants": self.all_variant_groups(),
        }

    def costs(self) -> dict[str, dict[str, Any]]:
        """Per profile: what running every notebook took (the runs on file)."""
        out = {}
        for profile in PROFILES:
            runs = [r for (p, _), r in self.results.by_notebook.items() if p == profile]
            if not runs:
                continue
            longest = max(runs, key=lambda r: r.provenance.duration_s)
            rss = [r for r in runs if r.provenance.peak_rss_mb is not None]
            cuda = [r for r in runs if r.provenance.cuda_peak_mb is not None]
            out[profile] = {
                "runs": len(runs),
                "total_s": sum(r.provenance.duration_s for r in runs),
                "longest": longest,
                "peak_rss": max(rss, key=lambda r: r.provenance.peak_rss_mb) if rss else None,
                "peak_cuda": max(cuda, key=lambda r: r.provenance.cuda_peak_mb) if cuda else None,
                "unmeasured": len(runs) - len(rss),
                "devices": sorted({r.provenance.device for r in runs}),
            }
        return out

    def notebook_pages(self) -> dict[str, GeneratedPage]:
        pages = {}
        for (profile, notebook), result in sorted(self.results.by_notebook.items()):
            ipynb = self.results.executed_notebook(profile, notebook)
            paper = self.catalog.papers.get(result.paper)
            title = f"Notebook: {paper.title if paper else result.paper} ({profile})"
            src = notebook_page_src(notebook, profile)
            body = Markup(notebook_html(ipynb)) if ipynb else None
            pages[src] = self.render(
                "notebook.html",
                src,
                title,
                searchable=False,
                result=result,
                paper=paper,
                body=body,
                profile=profile,
                source_src=notebook_source_src(notebook),
                changed=self.audit.notebook_changed.get((profile, notebook), False),
            )
        for notebook in sorted({nb for _, nb in self.results.by_notebook} | self._claimed_notebooks()):
            path = self.catalog.root / notebook
            if path.is_file():
                src = notebook_source_src(notebook)
                pages[src] = self.render(
                    "notebook_source.html",
                    src,
                    f"Source: {notebook}",
                    searchable=False,
                    notebook=notebook,
                    code=Markup(source_html(path.read_text(encoding="utf-8"))),
                )
        return pages

    def data_files(self) -> dict[str, str]:
        """The JSON API, its schemas and the whole-catalog downloads, by path from the site root."""
        from .data import data_files

        return data_files(self)

    def claim_history(self, row: ClaimRow) -> list[HistoryEntry] | None:
        """Every committed result of the claim's notebook, oldest first (None: no history here)."""
        key = (row.paper.id, row.claim.id)
        if key not in self._history:
            points = self.history.claim_points(self.catalog, row.claim)
            self._history[key] = (
                None
                if points is None
                else [
                    HistoryEntry(
                        profile=p.profile,
                        date=p.date,
                        run_commit=p.run_commit,
                        stored_in=p.stored_in,
                        verdict=p.verdict,
                        checks={k: CheckPoint(statistic=v, outcome=o) for k, (v, o) in p.checks.items()},
                    )
                    for p in points
                ]
            )
        return self._history[key]

    def flips(self) -> list[Flip]:
        if self._flips is None:
            self._flips = self.history.flips(self.catalog)
        return self._flips

    def _claimed_notebooks(self) -> set[str]:
        return {nb for p in self.catalog.papers.values() for nb in _paper_notebooks(p)}


def _paper_notebooks(paper: Paper) -> list[str]:
    """The notebooks that check a paper's claims, in claim order, each once."""
    return list(
        dict.fromkeys(c.reproduction.notebook for c in paper.claims if isinstance(c.reproduction, NotebookReproduction))
    )


def short_cite(paper: Paper) -> str:
    last = paper.authors[0].split()[-1]
    return f"{last}{' et al.' if len(paper.authors) > 1 else ''} {paper.year}"


def paper_src(pid: str) -> str:
    return f"papers/{pid}.md"


def method_src(mid: str) -> str:
    return f"methods/{mid}.md"


def criterion_src(cid: str) -> str:
    return f"criteria/{cid}.md"


def notebook_page_src(notebook: str, profile: str) -> str:
    return f"notebooks/{Path(notebook).stem}/{profile}.md"


def notebook_source_src(notebook: str) -> str:
    return f"notebooks/{Path(notebook).stem}/source.md"


def _format_mib(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} MiB" if value < 1024 else f"{value / 1024:.1f} GiB"


def _format_seconds(value: float) -> str:
    if value < 120:
        return f"{value:.0f} s"
    return f"{value / 60:.1f} min" if value < 7200 else f"{value / 3600:.1f} h"


def _format_number(value: float | bool | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def load_site(root: Path, *, directory_urls: bool = True) -> SiteBuilder:
    """Load and validate the project at ``root`` into a builder, or raise CatalogError."""
    from ..audit import audit_project
    from ..catalog import load_catalog
    from ..history import load_history
    from ..results import load_results

    catalog = load_catalog(root / "catalog")
    results = load_results(root, catalog)
    audit = audit_project(root, catalog)
    history = load_history(root, catalog)
    return SiteBuilder(catalog, results, directory_urls=directory_urls, audit=audit, history=history)


def build_site(root: Path, *, directory_urls: bool = True) -> tuple[dict[str, GeneratedPage], dict[str, str]]:
    """The project's pages and its other files (JSON API, schemas, downloads), or CatalogError."""
    site = load_site(root, directory_urls=directory_urls)
    return site.build_pages(), site.data_files()


def build_site_pages(root: Path, *, directory_urls: bool = True) -> dict[str, GeneratedPage]:
    """Load and validate the project at ``root``; return its pages or raise CatalogError."""
    return load_site(root, directory_urls=directory_urls).build_pages()
