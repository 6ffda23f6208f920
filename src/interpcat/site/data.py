"""The files the site publishes beside its pages: the JSON API, the schemas and the downloads.

``data_files(builder)`` returns ``{path: text}`` (paths relative to the site root). The documents
follow the models in :mod:`interpcat.api`; the downloads are :mod:`interpcat.export`'s output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..api import (
    CheckState,
    ClaimRef,
    ClaimState,
    Cost,
    CriterionDocument,
    IndexDocument,
    MethodDocument,
    PaperDocument,
    PaperEntry,
    RecordEntry,
    RunVerdict,
)
from ..export import CSV_TABLES, paper_bibtex, to_bibtex, to_csv, to_json
from ..records import NotebookReproduction
from ..results import PROFILES, ReproResult
from ..schema import schema_documents
from .feed import FEED, atom_feed

if TYPE_CHECKING:
    from .render import ClaimRow, SiteBuilder

DOWNLOADS = {
    "json": "downloads/interpcat.json",
    "bibtex": "downloads/interpcat.bib",
    **{f"csv-{t}": f"downloads/{t}.csv" for t in CSV_TABLES},
}
SCHEMAS = {
    "paper": "api/schema/api-paper.schema.json",
    "method": "api/schema/api-method.schema.json",
    "criterion": "api/schema/api-criterion.schema.json",
    "index": "api/schema/api-index.schema.json",
}
INDEX = "api/index.json"


def paper_json(pid: str) -> str:
    return f"api/papers/{pid}.json"


def method_json(mid: str) -> str:
    return f"api/methods/{mid}.json"


def criterion_json(cid: str) -> str:
    return f"api/criteria/{cid}.json"


def run_cost(result: ReproResult) -> Cost:
    p = result.provenance
    return Cost(
        wall_s=round(p.duration_s, 1),
        peak_rss_mb=p.peak_rss_mb,
        cuda_peak_mb=p.cuda_peak_mb,
        device=p.device,
    )


def claim_state(site: SiteBuilder, row: ClaimRow) -> ClaimState:
    verdicts: dict[str, RunVerdict | None] = {}
    for profile in PROFILES:
        o = row.outcomes.get(profile)
        verdicts[profile] = (
            None
            if o is None
            else RunVerdict(
                verdict=o.verdict,
                reason=o.reason,
                run_status=o.result.status,
                provenance=o.result.provenance,
                cost=run_cost(o.result),
            )
        )
    checks = [
        CheckState(spec=ck.spec, results=ck.results, preregistration=ck.audit.state if ck.audit else None)
        for ck in row.checks
    ]
    return ClaimState(
        id=row.claim.id,
        anchor=row.anchor,
        status=row.status,
        status_reason=row.status_reason,
        verdicts=verdicts,
        checks=checks,
        history=site.claim_history(row),
    )


def _dump(doc: object) -> str:
    return doc.model_dump_json(indent=1, exclude_none=False) + "\n"  # type: ignore[attr-defined]


def data_files(site: SiteBuilder) -> dict[str, str]:
    """Every non-page file of the site: API documents, schemas, downloads."""
    from .render import criterion_src, method_src, paper_src

    c = site.catalog
    files: dict[str, str] = {}
    entries = []
    for paper in site.sorted_papers():
        rows = site.rows(paper)
        doc = PaperDocument(
            id=paper.id,
            page=site.url(paper_src(paper.id)),
            record=paper,
            claims=[claim_state(site, r) for r in rows],
            bibtex=paper_bibtex(paper),
        )
        files[paper_json(paper.id)] = _dump(doc)
        entries.append(
            PaperEntry(
                id=paper.id,
                title=paper.title,
                authors=list(paper.authors),
                year=paper.year,
                venue=paper.venue,
                contribution=paper.contribution,
                areas=list(paper.areas),
                modalities=list(paper.modalities),
                tags=list(paper.tags),
                has_notebook=any(isinstance(cl.reproduction, NotebookReproduction) for cl in paper.claims),
                statuses=[r.status for r in rows],
                page=site.url(paper_src(paper.id)),
                json_url=paper_json(paper.id),
            )
        )

    def refs(pairs: list) -> list[ClaimRef]:
        return [ClaimRef(paper=p.id, claim=cl.id, status=site.claim_row(p, cl).status) for p, cl in pairs]

    methods, criteria = [], []
    for mid, method in sorted(c.methods.items()):
        files[method_json(mid)] = _dump(
            MethodDocument(
                id=mid,
                page=site.url(method_src(mid)),
                record=method,
                papers=[p.id for p in c.papers_using_method(mid)],
                claims=refs(c.claims_about_method(mid)),
            )
        )
        methods.append(RecordEntry(id=mid, name=method.name, page=site.url(method_src(mid)), json_url=method_json(mid)))
    for cid, criterion in sorted(c.criteria.items()):
        files[criterion_json(cid)] = _dump(
            CriterionDocument(
                id=cid,
                page=site.url(criterion_src(cid)),
                record=criterion,
                papers=[p.id for p in c.papers_evaluating(cid)],
                claims=refs(c.claims_about_criterion(cid)),
            )
        )
        criteria.append(
            RecordEntry(id=cid, name=criterion.name, page=site.url(criterion_src(cid)), json_url=criterion_json(cid))
        )
    files[INDEX] = _dump(
        IndexDocument(papers=entries, methods=methods, criteria=criteria, downloads=DOWNLOADS, schemas=SCHEMAS)
    )
    schemas = schema_documents()
    for path in SCHEMAS.values():
        files[path] = schemas[path.rsplit("/", 1)[1]]
    files[FEED] = atom_feed(site)
    files[DOWNLOADS["json"]] = to_json(c)
    files[DOWNLOADS["bibtex"]] = to_bibtex(c)
    for table in CSV_TABLES:
        files[DOWNLOADS[f"csv-{table}"]] = to_csv(c, table)
    return files
