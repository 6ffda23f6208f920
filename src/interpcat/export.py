"""Write the whole catalog as JSON, BibTeX or CSV."""

from __future__ import annotations

import csv
import io
import json
import re

from .catalog import Catalog
from .records import NotebookReproduction, Paper

FORMATS = ("json", "bibtex", "csv")
CSV_TABLES = ("papers", "claims", "checks", "methods", "criteria")

_BIBTEX_TYPES = {
    "conference": ("inproceedings", "booktitle"),
    "workshop": ("inproceedings", "booktitle"),
    "journal": ("article", "journal"),
    "blog": ("article", "journal"),
    "book": ("book", "publisher"),
    "thesis": ("phdthesis", "school"),
    "preprint": ("misc", "howpublished"),
}
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_~^])")
_BIBTEX_REPLACE = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def to_json(catalog: Catalog) -> str:
    data = {
        "papers": [p.model_dump(mode="json") for _, p in sorted(catalog.papers.items())],
        "methods": [m.model_dump(mode="json") for _, m in sorted(catalog.methods.items())],
        "criteria": [c.model_dump(mode="json") for _, c in sorted(catalog.criteria.items())],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACE.get(m[1], "\\" + m[1]), " ".join(text.split()))


def paper_bibtex(paper: Paper) -> str:
    """One BibTeX entry; the key is the record id."""
    entry_type, venue_field = _BIBTEX_TYPES[paper.venue_type]
    fields: list[tuple[str, str]] = [
        ("title", "{" + _bibtex_escape(paper.title) + "}"),
        ("author", _bibtex_escape(" and ".join(paper.authors))),
        ("year", str(paper.year)),
        (venue_field, _bibtex_escape(paper.venue)),
    ]
    links = paper.links
    if links.doi:
        fields.append(("doi", _bibtex_escape(links.doi)))
    if links.arxiv:
        fields += [("eprint", links.arxiv), ("archiveprefix", "arXiv")]
    url = links.url or links.arxiv_url() or links.doi_url()
    if url:
        fields.append(("url", _bibtex_escape(url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{paper.id},\n{body}\n}}\n"


def to_bibtex(catalog: Catalog) -> str:
    return "\n".join(paper_bibtex(p) for _, p in sorted(catalog.papers.items()))


def _cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows(catalog: Catalog, table: str) -> tuple[list[str], list[list[object]]]:
    if table == "papers":
        header = [
            "id",
            "title",
            "authors",
            "year",
            "venue",
            "venue_type",
            "contribution",
            "areas",
            "arxiv",
            "doi",
            "url",
            "code",
            "tags",
            "methods",
            "criteria",
            "claims",
        ]
        rows = [
            [
                p.id,
                p.title,
                "; ".join(p.authors),
                p.year,
                p.venue,
                p.venue_type,
                p.contribution,
                "; ".join(p.areas),
                p.links.arxiv,
                p.links.doi,
                p.links.url,
                p.links.code,
                "; ".join(p.tags),
                "; ".join(p.methods),
                "; ".join(p.criteria),
                len(p.claims),
            ]
            for _, p in sorted(catalog.papers.items())
        ]
    elif table == "claims":
        header = [
            "paper",
            "claim",
            "statement",
            "source",
            "reported_value",
            "metric",
            "dataset",
            "setting",
            "notebook",
            "rule",
            "checks",
            "not_attempted_reason",
        ]
        rows = []
        for _, p in sorted(catalog.papers.items()):
            for c in p.claims:
                r = c.reproduction
                nb = isinstance(r, NotebookReproduction)
                rows.append(
                    [
                        p.id,
                        c.id,
                        c.statement,
                        c.source,
                        c.reported.value,
                        c.reported.metric,
                        c.reported.dataset,
                        c.reported.setting,
                        r.notebook if nb else None,
                        r.rule if nb else None,
                        "; ".join(r.check_ids()) if nb else None,
                        None if nb else r.reason,
                    ]
                )
    elif table == "checks":
        header = [
            "paper",
            "claim",
            "notebook",
            "check",
            "role",
            "measures",
            "unit",
            "aggregate",
            "variant",
            "expected",
            "rationale",
        ]
        rows = [
            [
                p.id,
                c.id,
                c.reproduction.notebook,
                k.id,
                k.role,
                k.measures,
                k.unit,
                k.aggregate,
                k.variant,
                k.expect.words(),
                k.rationale,
            ]
            for _, p in sorted(catalog.papers.items())
            for c in p.claims
            if isinstance(c.reproduction, NotebookReproduction)
            for k in c.reproduction.defined()
        ]
    elif table == "methods":
        header = ["id", "name", "family", "access", "model_agnostic", "stage", "scope", "introduced_by", "captum"]
        rows = [
            [m.id, m.name, m.family, "; ".join(m.access), m.model_agnostic, m.stage, m.scope, m.introduced_by, m.captum]
            for _, m in sorted(catalog.methods.items())
        ]
    elif table == "criteria":
        header = ["id", "name", "definition", "measurement", "related"]
        rows = [
            [c.id, c.name, c.definition, c.measurement, "; ".join(c.related)]
            for _, c in sorted(catalog.criteria.items())
        ]
    else:
        raise ValueError(f"unknown table {table!r}; choose from {', '.join(CSV_TABLES)}")
    return header, rows


def to_csv(catalog: Catalog, table: str = "papers") -> str:
    header, rows = _rows(catalog, table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def export(catalog: Catalog, fmt: str, table: str = "papers") -> str:
    if fmt == "json":
        return to_json(catalog)
    if fmt == "bibtex":
        return to_bibtex(catalog)
    if fmt == "csv":
        return to_csv(catalog, table)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
