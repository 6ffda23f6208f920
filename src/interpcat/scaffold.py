"""Scaffold a new paper record (and optionally a reproduction notebook stub) for a contributor.

    scaffold = new_paper(root, "ross2017-right-reasons", bibtex=text, notebook=True)

writes ``catalog/papers/<id>.yaml`` with every schema field present and explained, and with
``--notebook`` also ``repro/<id>.py``. The facts we know (id, title, year, and what a BibTeX
entry gives) are filled in; every field that needs a person's judgement is left as ``null`` or
``[]`` marked ``# TODO``. Those placeholders fail ``interpcat validate`` on purpose, so the
validator that already guards every pull request refuses an unfinished scaffold, and lists each
missing field with its line. The notebook stub uses the check API and runs as it is; its one
check (``placeholder-data-loads``, declared in the record) is a placeholder that says so.

Errors are raised as :class:`ScaffoldError` subclasses; the CLI turns them into messages.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template

import yaml
from pydantic import TypeAdapter, ValidationError

from .records import ArxivId, Doi, HttpUrl, RecordId, VenueType, Year

#: The catalog's id convention: <first author's last name><year>-<short-name>.
PAPER_ID_PATTERN = re.compile(r"^(?P<name>[a-z]+(?:-[a-z]+)*)(?P<year>\d{4})(?:-[a-z0-9]+)+$")
#: The check id the notebook stub records; a placeholder to replace.
PLACEHOLDER_CHECK = "placeholder-data-loads"
TODO = "  # TODO"
FROM_BIBTEX = "  # from BibTeX: check"


class ScaffoldError(Exception):
    """Why a scaffold could not be made."""


class InvalidIdError(ScaffoldError):
    """The paper id does not follow the catalog's convention."""


class InvalidYearError(ScaffoldError):
    """The year is not a plausible publication year, or disagrees with the id."""


class MissingFactError(ScaffoldError):
    """A fact the scaffold needs (title, year) was given neither as an option nor by BibTeX."""


class BibtexError(ScaffoldError):
    """The BibTeX input holds no usable entry."""


class AlreadyExistsError(ScaffoldError):
    """A file the scaffold would write exists already; nothing was written."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        names = ", ".join(str(p) for p in paths)
        super().__init__(f"refusing to overwrite {names}: edit the existing file, or choose another id")


@dataclass(frozen=True)
class BibFacts:
    """The facts one BibTeX entry gives; None where it gives none (or none that validates)."""

    key: str
    entry_type: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    venue_type: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None
    notes: tuple[str, ...] = ()


@dataclass
class Scaffold:
    """What :func:`new_paper` wrote, relative to the project root, and what to tell the user."""

    paper_id: str
    record: Path
    notebook: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [self.record] + ([self.notebook] if self.notebook else [])


# --------------------------------------------------------------------------------------------
# Checking what the user gave


def _valid(adapter: TypeAdapter, value: object) -> bool:
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def _first_error(adapter: TypeAdapter, value: object) -> str | None:
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError as err:
        return err.errors(include_url=False)[0]["msg"]
    return None


_ARXIV = TypeAdapter(ArxivId)
_DOI = TypeAdapter(Doi)
_URL = TypeAdapter(HttpUrl)
_YEAR = TypeAdapter(Year)
_RECORD_ID = TypeAdapter(RecordId)
_VENUE_TYPE = TypeAdapter(VenueType)


def check_paper_id(paper_id: str) -> int:
    """Check an id against the catalog's convention; return the year it names."""
    match = PAPER_ID_PATTERN.match(paper_id)
    if match is None or not _valid(_RECORD_ID, paper_id):
        raise InvalidIdError(
            f"invalid paper id {paper_id!r}: write <first author's last name><year>-<short-name>, "
            "lowercase letters, digits and hyphens, e.g. ross2017-right-reasons"
        )
    return int(match["year"])


def check_year(year: int) -> int:
    message = _first_error(_YEAR, year)
    if message is not None:
        raise InvalidYearError(message)
    return year


# --------------------------------------------------------------------------------------------
# BibTeX


def _latex_to_text(value: str) -> str:
    """LaTeX markup to plain text: accents decoded, braces and commands dropped, spaces collapsed."""
    from pylatexenc.latex2text import LatexNodes2Text

    text = LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(value)
    return " ".join(text.split())


def _person(name: object) -> str:
    """'First von Last, Jr' from bibtexparser's NameParts, LaTeX decoded."""
    parts = [*name.first, *name.von, *name.last]  # type: ignore[attr-defined]
    text = _latex_to_text(" ".join(parts))
    jr = _latex_to_text(" ".join(name.jr))  # type: ignore[attr-defined]
    return f"{text}, {jr}" if jr else text


_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*|^abs/|^)"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?(?![\w.])",
    re.IGNORECASE,
)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PREPRINT_WORDS = ("arxiv", "corr", "preprint", "biorxiv", "openreview")


def _arxiv_from(value: str | None) -> str | None:
    if not value:
        return None
    match = _ARXIV_IN_TEXT.search(value.strip())
    if match and _valid(_ARXIV, match["id"]):
        return match["id"]
    return None


def _venue_type(entry_type: str, venue: str | None, arxiv: str | None) -> str | None:
    """The catalog's venue type implied by the entry type; None when BibTeX cannot tell."""
    lowered = (venue or "").lower()
    if entry_type in ("inproceedings", "conference", "proceedings"):
        return "workshop" if "workshop" in lowered else "conference"
    if entry_type == "article":
        return "preprint" if not venue or any(w in lowered for w in _PREPRINT_WORDS) else "journal"
    if entry_type in ("phdthesis", "mastersthesis", "thesis"):
        return "thesis"
    if entry_type in ("book", "inbook"):
        return "book"
    if entry_type in ("misc", "unpublished", "online", "techreport", "report", "preprint") and arxiv:
        return "preprint"
    return None


def parse_bibtex(text: str) -> BibFacts:
    """The facts of the single entry in ``text``: title, authors, year, venue, arXiv id, DOI, URL."""
    import bibtexparser
    from bibtexparser import middlewares

    quiet = logging.getLogger("bibtexparser")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a parse failure is reported below, once, as a BibtexError
    try:
        library = bibtexparser.parse_string(
            text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
        )
    finally:
        quiet.setLevel(level)
    if library.failed_blocks:
        first = library.failed_blocks[0]
        line = getattr(first, "start_line", None)
        where = f" at line {line + 1}" if isinstance(line, int) else ""
        raise BibtexError(f"the BibTeX does not parse{where}: check its braces, commas and quotes")
    entries = library.entries
    if len(entries) != 1:
        keys = ", ".join(e.key for e in entries) or "none"
        raise BibtexError(f"give exactly one BibTeX entry, found {len(entries)} ({keys})")
    entry = entries[0]
    fields = {f.key.lower(): f.value for f in entry.fields}
    notes: list[str] = []

    def text_field(*names: str) -> str | None:
        for name in names:
            value = fields.get(name)
            if isinstance(value, str) and value.strip():
                return _latex_to_text(value)
        return None

    names = fields.get("author")
    authors = tuple(_person(n) for n in names) if isinstance(names, list) else ()
    entry_type = entry.entry_type.lower()
    venue = text_field("journal", "journaltitle", "booktitle", "school", "institution", "howpublished")
    if venue is None and entry_type in ("book", "inbook"):
        venue = text_field("publisher")

    prefix = (text_field("archiveprefix", "eprinttype") or "").lower()
    arxiv = None
    if prefix in ("", "arxiv"):
        arxiv = _arxiv_from(text_field("eprint"))
    url = text_field("url")
    arxiv = arxiv or _arxiv_from(url) or _arxiv_from(venue) or _arxiv_from(text_field("volume"))

    doi = text_field("doi")
    if doi is None and url and _DOI_PREFIX.match(url):
        doi = url
    if doi:
        doi = _DOI_PREFIX.sub("", doi).strip()
        if not _valid(_DOI, doi):
            notes.append(f"left out the DOI {doi!r} of the BibTeX entry: it is not a bare DOI")
            doi = None
    if url and (_arxiv_from(url) or _DOI_PREFIX.match(url) or not _valid(_URL, url)):
        url = None  # recorded as the arXiv id or the DOI instead, or not an http(s) URL
    if arxiv and venue and any(w in venue.lower() for w in ("arxiv", "corr")):
        venue = "arXiv"
    if venue is None and arxiv:
        venue = "arXiv"

    year = None
    raw_year = text_field("year") or (text_field("date") or "")[:4]
    if raw_year:
        if raw_year.isdigit() and _valid(_YEAR, int(raw_year)):
            year = int(raw_year)
        else:
            notes.append(f"left out the year {raw_year!r} of the BibTeX entry: not a plausible year")

    return BibFacts(
        key=entry.key,
        entry_type=entry_type,
        title=text_field("title"),
        authors=authors,
        year=year,
        venue=venue,
        venue_type=_venue_type(entry_type, venue, arxiv),
        arxiv=arxiv,
        doi=doi,
        url=url,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# Rendering


def _scalar(value: str, *, in_flow: bool = False, quote: bool = False) -> str:
    """A YAML scalar that reads back as exactly ``value`` (a plain string where that is safe)."""
    plain_ok = (
        not quote
        and re.fullmatch(r"[A-Za-z][\w .'()&+/:-]*[\w.)]|[A-Za-z]", value) is not None
        and ": " not in value
        and " #" not in value
        and not (in_flow and any(c in value for c in ",[]{}"))
    )
    if plain_ok:
        try:
            loaded = yaml.safe_load(f"[{value}]" if in_flow else value)
        except yaml.YAMLError:
            loaded = None
        if loaded == ([value] if in_flow else value):
            return value
    return json.dumps(value, ensure_ascii=False)


def _value(value: str | None, *, from_bibtex: bool, required: bool, quote: bool = False) -> str:
    if value is None:
        return "null" + (TODO if required else "")
    return _scalar(value, quote=quote) + (FROM_BIBTEX if from_bibtex else "")


def _template(name: str) -> Template:
    return Template(resources.files("interpcat").joinpath("templates", name).read_text(encoding="utf-8"))


def render_paper(paper_id: str, title: str, year: int, facts: BibFacts | None = None, notebook: bool = False) -> str:
    """The text of a scaffolded paper record."""
    bib = facts or BibFacts(key="", entry_type="")
    if bib.authors:
        authors = "[" + ", ".join(_scalar(a, in_flow=True) for a in bib.authors) + "]" + FROM_BIBTEX
    else:
        authors = "[]" + TODO
    venue_type = bib.venue_type if bib.venue_type and _valid(_VENUE_TYPE, bib.venue_type) else None
    if notebook:
        reproduction = (
            f"\n      notebook: repro/{paper_id}.py\n"
            "      rule: all  # all: every primary check must be met; any: one suffices\n"
            "      checks:  # expectations live here, never in the notebook (docs/verdicts.md)\n"
            f"        - id: {PLACEHOLDER_CHECK}  # PLACEHOLDER: replace with the checks of this claim\n"
            f"          role: null{TODO}: primary (decides the claim), precondition (the analog can test it) "
            "or control\n"
            '          measures: "PLACEHOLDER: the profile\'s subset of the digits has the requested size"\n'
            "          unit: run  # what one value is: seed, network, image, example, input, feature, dataset, run\n"
            "          aggregate: all  # mean for numbers; all / any for booleans\n"
            "          expect: {equals: true}  # or at_least, at_most, greater_than, less_than, between, close_to\n"
            f"          rationale: null{TODO}: why this threshold, tied to the paper's number"
        )
    else:
        reproduction = "{status: not-attempted, reason: null}" + TODO + ": why not, or a notebook check"
    title_note = FROM_BIBTEX if facts is not None and facts.title == title else ""
    return _template("paper.yaml.tmpl").substitute(
        id=paper_id,
        title=_scalar(title) + title_note,
        authors=authors,
        year=str(year),
        venue=_value(bib.venue, from_bibtex=True, required=True),
        venue_type=_value(venue_type, from_bibtex=True, required=True),
        links_todo="" if bib.arxiv or bib.doi or bib.url else TODO + ": at least one link",
        arxiv=_value(bib.arxiv, from_bibtex=True, required=False, quote=True),
        doi=_value(bib.doi, from_bibtex=True, required=False),
        url=_value(bib.url, from_bibtex=True, required=False),
        reproduction=reproduction,
    )


def render_notebook(paper_id: str, title: str) -> str:
    """The text of a reproduction notebook stub (jupytext py:percent) that runs as it is."""
    return _template("notebook.py.tmpl").substitute(id=paper_id, title=title)


# --------------------------------------------------------------------------------------------
# Writing


def new_paper(
    root: Path,
    paper_id: str,
    *,
    title: str | None = None,
    year: int | None = None,
    bibtex: str | None = None,
    notebook: bool = False,
) -> Scaffold:
    """Write ``catalog/papers/<id>.yaml`` (and ``repro/<id>.py``) under ``root``; never overwrite.

    ``title`` and ``year`` override what the BibTeX entry says; without BibTeX both are required.
    """
    id_year = check_paper_id(paper_id)
    facts = parse_bibtex(bibtex) if bibtex is not None else None
    notes = list(facts.notes) if facts else []
    if facts is not None:
        if title is not None and facts.title and " ".join(title.split()) != facts.title:
            notes.append("using the --title given over the BibTeX entry's title")
        if year is not None and facts.year is not None and year != facts.year:
            notes.append(f"using --year {year} over the BibTeX entry's {facts.year}")
        title = title if title is not None else facts.title
        year = year if year is not None else facts.year
    missing = [name for name, value in (("--title", title), ("--year", year)) if value is None]
    if missing:
        source = "the BibTeX entry gives none" if facts is not None else "or give --bibtex FILE"
        raise MissingFactError(f"give {' and '.join(missing)} ({source})")
    assert title is not None and year is not None
    title = " ".join(title.split())
    if not title:
        raise MissingFactError("the title is empty")
    check_year(year)
    if year != id_year:
        raise InvalidYearError(f"the id {paper_id!r} names the year {id_year}, but the year is {year}")

    record = Path("catalog") / "papers" / f"{paper_id}.yaml"
    stub = Path("repro") / f"{paper_id}.py" if notebook else None
    targets = [p for p in (record, stub) if p is not None]
    existing = [p for p in targets if (root / p).exists()]
    if existing:
        raise AlreadyExistsError(existing)

    contents = {record: render_paper(paper_id, title, year, facts, notebook=notebook)}
    if stub is not None:
        contents[stub] = render_notebook(paper_id, title)
    written: list[Path] = []
    try:
        for rel, text in contents.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as fh:  # "x": fail rather than overwrite
                fh.write(text)
            written.append(path)
    except FileExistsError as err:
        for path in written:
            path.unlink()
        raise AlreadyExistsError([Path(err.filename).relative_to(root)]) from err
    return Scaffold(paper_id, record, stub, notes)


def next_steps(scaffold: Scaffold) -> list[str]:
    """What a contributor does next, in order."""
    pid = scaffold.paper_id
    steps = [
        f"fill in every TODO in {scaffold.record}: check each fact against the paper itself (arXiv "
        "abstract page, venue page, official repository); write the summary and the claims in your own words",
        "run `interpcat validate`: it lists each field still missing, with its line, until it prints ok",
    ]
    if scaffold.notebook is not None:
        steps.append(
            f"run the stub: `interpcat repro run {pid} --profile smoke`; then replace its placeholder check "
            "with the claims' checks in the record (expectations first), commit them, and only then run "
            "the notebook for its results (docs/verdicts.md)"
        )
    files = " ".join(str(p) for p in scaffold.files)
    results = f" repro/results/smoke/{pid}.*" if scaffold.notebook is not None else ""
    steps.append(f"commit {files}{results} and open a pull request (see CONTRIBUTING.md)")
    return steps
