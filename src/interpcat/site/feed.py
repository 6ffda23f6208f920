"""The site's Atom feed (``feed.xml``): new papers, new reproduction runs and verdict changes.

Dates come from git (a paper's entry is dated by the commit that added its record; a run by when it
started); without git history the feed holds the current runs only. Links are relative to the feed,
which sits at the site root. Every text is set through ElementTree, so record text stays text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..results import claim_outcome

if TYPE_CHECKING:
    from .render import SiteBuilder

ATOM = "http://www.w3.org/2005/Atom"
FEED = "feed.xml"
FEED_TITLE = "interpcat: new papers, reproductions and verdict changes"
MAX_ENTRIES = 100
_EPOCH = "1970-01-01T00:00:00+00:00"


def _date(value: str) -> str:
    """An RFC 3339 timestamp (UTC 'Z' kept as given; naive times are taken as UTC)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _EPOCH
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat(timespec="seconds")


def _entries(site: SiteBuilder) -> list[dict[str, str]]:
    from .render import VERDICT_LABELS, paper_src, short_cite

    c = site.catalog
    entries = []
    for pid, date in site.history.paper_added.items():
        paper = c.papers.get(pid)
        if paper is None or not date:
            continue
        entries.append(
            {
                "id": f"urn:interpcat:paper:{pid}",
                "title": f"New paper: {paper.title} ({short_cite(paper)})",
                "updated": _date(date),
                "link": site.url(paper_src(pid)),
                "summary": paper.summary,
            }
        )
    if site.history.available:
        results = [(r.result(), r.started) for runs in site.history.runs.values() for r in runs]
    else:
        results = [(res, res.provenance.started) for res in site.results.by_notebook.values()]
    for result, started in results:
        if result is None:
            continue
        paper = c.papers.get(result.paper)
        if paper is None:
            continue
        verdicts = Counter(
            claim_outcome(c, claim, result).verdict for _, claim in c.claims_of_notebook(result.notebook)
        )
        said = ", ".join(f"{n} {VERDICT_LABELS.get(v, v)}" for v, n in sorted(verdicts.items()))
        stem = Path(result.notebook).stem
        entries.append(
            {
                "id": f"urn:interpcat:run:{stem}:{result.profile}:{_date(started)}",
                "title": f"{result.profile.capitalize()} run of {short_cite(paper)}: {said or result.status}",
                "updated": _date(started),
                "link": site.url(paper_src(paper.id)),
                "summary": f"{paper.title}. Run {result.status} on {result.provenance.device} at commit "
                f"{result.provenance.git_commit or 'unknown'}, {result.provenance.duration_s:.0f} s.",
            }
        )
    for flip in site.flips():
        paper = c.papers[flip.paper]
        before, after = VERDICT_LABELS.get(flip.before, flip.before), VERDICT_LABELS.get(flip.after, flip.after)
        entries.append(
            {
                "id": f"urn:interpcat:flip:{flip.paper}:{flip.claim}:{flip.profile}:{_date(flip.date)}",
                "title": f"Verdict changed: {short_cite(paper)}, {flip.claim} ({flip.profile}): {before} → {after}",
                "updated": _date(flip.date),
                "link": site.url(paper_src(flip.paper)) + f"#claim-{flip.paper}--{flip.claim}",
                "summary": f"{paper.title}: the {flip.profile} verdict of claim {flip.claim} went from {before} "
                f"to {after} (run at commit {flip.run_commit or 'unknown'}).",
            }
        )
    entries.sort(key=lambda e: (e["updated"], e["id"]), reverse=True)
    return entries[:MAX_ENTRIES]


def atom_feed(site: SiteBuilder) -> str:
    ET.register_namespace("", ATOM)
    entries = _entries(site)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = "urn:interpcat:feed"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = FEED_TITLE
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = max((e["updated"] for e in entries), default=_EPOCH)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=FEED, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href="./", type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "interpcat contributors"
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = e["id"]
        ET.SubElement(entry, f"{{{ATOM}}}title").text = e["title"]
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = e["updated"]
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=e["link"], type="text/html")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = e["summary"]
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
