"""Load ``catalog/**/*.yaml`` into typed, cross-checked records, collecting every problem."""

from __future__ import annotations

import ast
import contextlib
import difflib
import gc
import types
import typing
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Discriminator, ValidationError

from . import yamlsafe
from .problems import CatalogError, Problem, display_path
from .records import RECORD_TYPES, CheckSpec, CheckUse, Claim, Criterion, Method, NotebookReproduction, Paper

Loc = tuple[str | int, ...]
ALLOWED_TOP_LEVEL = {"papers", "methods", "criteria", "schema"}


@dataclass
class Source:
    """Where a record came from. Its node tree is composed again only to locate a problem."""

    path: Path
    _node: Any = field(default=None, repr=False)

    @property
    def node(self) -> Any:
        if self._node is None:
            self._node = yamlsafe.compose_only(self.path.read_bytes())
        return self._node


@dataclass
class DeclaredCheck:
    """A check as the catalog declares it: its definition, where it stands, and the claims it serves."""

    spec: CheckSpec
    paper: str
    claim: str
    loc: Loc
    claims: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Catalog:
    """All records of a project, indexed for the site and the exporters."""

    root: Path
    papers: dict[str, Paper] = field(default_factory=dict)
    methods: dict[str, Method] = field(default_factory=dict)
    criteria: dict[str, Criterion] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict, repr=False)

    def papers_using_method(self, method_id: str) -> list[Paper]:
        return [p for p in self.papers.values() if method_id in p.methods]

    def papers_evaluating(self, criterion_id: str) -> list[Paper]:
        return [p for p in self.papers.values() if criterion_id in p.criteria]

    def methods_introduced_by(self, paper_id: str) -> list[Method]:
        return [m for m in self.methods.values() if m.introduced_by == paper_id]

    def claims_about_method(self, method_id: str) -> list[tuple[Paper, Claim]]:
        return [(p, c) for p in self.papers.values() for c in p.claims if method_id in claim_methods(p, c)]

    def claims_about_criterion(self, criterion_id: str) -> list[tuple[Paper, Claim]]:
        return [(p, c) for p in self.papers.values() for c in p.claims if criterion_id in claim_criteria(p, c)]

    @cached_property
    def incoming_relations(self) -> dict[str, list[tuple[str, str]]]:
        """For each paper id, the (other paper id, relation) pairs that point at it."""
        incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for paper in self.papers.values():
            for rel in paper.related:
                incoming[rel.paper].append((paper.id, rel.relation))
        return dict(incoming)

    def notebooks(self) -> list[str]:
        """Every notebook path that some claim's reproduction names, sorted."""
        return sorted({c.reproduction.notebook for p in self.papers.values() for c in p.claims if _notebook_repro(c)})

    def declared_checks(self, notebook: str) -> dict[str, DeclaredCheck]:
        """The checks the catalog declares for a notebook, by id (first definition wins)."""
        return self._declared.get(notebook, {})

    def claims_of_notebook(self, notebook: str) -> list[tuple[Paper, Claim]]:
        return [(p, c) for p in self.papers.values() for c in p.claims if _notebook_repro(c, notebook)]

    @cached_property
    def _declared(self) -> dict[str, dict[str, DeclaredCheck]]:
        out: dict[str, dict[str, DeclaredCheck]] = defaultdict(dict)
        for paper in self.papers.values():
            for i, claim in enumerate(paper.claims):
                repro = claim.reproduction
                if isinstance(repro, NotebookReproduction):
                    for j, entry in enumerate(repro.checks):
                        if isinstance(entry, CheckSpec) and entry.id not in out[repro.notebook]:
                            loc: Loc = ("claims", i, "reproduction", "checks", j)
                            out[repro.notebook][entry.id] = DeclaredCheck(entry, paper.id, claim.id, loc)
        for paper in self.papers.values():
            for claim in paper.claims:
                repro = claim.reproduction
                if isinstance(repro, NotebookReproduction):
                    for cid in repro.check_ids():
                        declared = out[repro.notebook].get(cid)
                        if declared is not None and (paper.id, claim.id) not in declared.claims:
                            declared.claims.append((paper.id, claim.id))
        return dict(out)

    @cached_property
    def tags(self) -> dict[str, list[Paper]]:
        index: dict[str, list[Paper]] = defaultdict(list)
        for paper in sorted(self.papers.values(), key=lambda p: (-p.year, p.id)):
            for tag in paper.tags:
                index[tag].append(paper)
        return dict(sorted(index.items()))


def _notebook_repro(claim: Claim, notebook: str | None = None) -> bool:
    repro = claim.reproduction
    return isinstance(repro, NotebookReproduction) and (notebook is None or repro.notebook == notebook)


def claim_checks(catalog: Catalog, claim: Claim) -> list[CheckSpec]:
    """The checks behind a claim, reused ones resolved (unresolvable ones are left out)."""
    repro = claim.reproduction
    if not isinstance(repro, NotebookReproduction):
        return []
    declared = catalog.declared_checks(repro.notebook)
    out = []
    for entry in repro.checks:
        if isinstance(entry, CheckSpec):
            out.append(entry)
        elif entry.use in declared:
            spec = declared[entry.use].spec
            out.append(spec.model_copy(update={"role": entry.role}) if entry.role else spec)
    return out


def claim_methods(paper: Paper, claim: Claim) -> list[str]:
    """The methods a claim is about: its own list, else the paper's."""
    return claim.methods or paper.methods


def claim_criteria(paper: Paper, claim: Claim) -> list[str]:
    """The criteria a claim measures: its own list, else the paper's."""
    return claim.criteria or paper.criteria


# --------------------------------------------------------------------------------------------
# Turning pydantic errors into located problems


def _unwrap_models(annotation: Any) -> tuple[list[type[BaseModel]], bool]:
    """The model classes an annotation can hold, and whether it is a tagged union."""
    tagged = False
    stack = [annotation]
    found: list[type[BaseModel]] = []
    while stack:
        ann = stack.pop()
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            args = typing.get_args(ann)
            if any(isinstance(meta, Discriminator) for meta in args[1:]):
                tagged = True
            stack.append(args[0])
        elif origin in (typing.Union, types.UnionType, list, tuple):
            stack.extend(typing.get_args(ann))
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            found.append(ann)
    return found, tagged


def _clean_loc(model: type[BaseModel], loc: Loc) -> tuple[Loc, list[type[BaseModel]]]:
    """Drop union tags from a pydantic loc; return it with the models that hold its last key."""
    clean: list[str | int] = []
    holders: list[type[BaseModel]] = [model]
    current: list[type[BaseModel]] = [model]
    skip_tag = False
    for part in loc:
        if skip_tag and not isinstance(part, int):  # a list of tagged unions: the index comes first
            skip_tag = False
            continue
        clean.append(part)
        if isinstance(part, int):
            continue
        holders = current
        nxt: list[type[BaseModel]] = []
        tagged = False
        for m in current:
            info = m.model_fields.get(part)
            if info is not None:
                models, is_tagged = _unwrap_models(info.rebuild_annotation())
                nxt.extend(models)
                tagged = tagged or is_tagged
        current = nxt
        skip_tag = tagged
    return tuple(clean), holders


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_CODES = {
    "missing": "missing",
    "no_link": "missing",
    "extra_forbidden": "unknown-field",
    "url": "url",
    "arxiv": "arxiv",
    "doi": "doi",
    "year": "year",
}


def _problems_from_validation(err: ValidationError, model: type[BaseModel], shown: str, node: Any) -> list[Problem]:
    problems = []
    for e in err.errors(include_url=False):
        loc, holders = _clean_loc(model, tuple(e["loc"]))
        kind = e["type"]
        code = _TYPE_CODES.get(kind)
        if code is None:
            code = "type" if (kind.endswith("_type") or kind.endswith("_parsing") or "strict" in kind) else "value"
        message = e["msg"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = sorted({f for m in holders for f in m.model_fields})
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            message = f"unknown field {name!r}{hint}"
            line, column = yamlsafe.locate(node, loc, key=True)
        elif kind == "missing":
            message = f"missing required field {loc[-1]!r}" if loc else message
            line, column = yamlsafe.locate(node, loc[:-1])
        else:
            if code == "type" and "input" in e:
                message = f"{message}, got {type(e['input']).__name__} {_short(e['input'])}"
            line, column = yamlsafe.locate(node, loc)
        problems.append(Problem(shown, line, column, format_loc(loc), message, code))
    return problems


# --------------------------------------------------------------------------------------------
# Loading


def _record_files(catalog_dir: Path) -> tuple[list[tuple[str, Path]], list[Problem]]:
    files: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    for path in sorted(catalog_dir.rglob("*")):
        if path.is_dir() or path.name.startswith("."):
            continue
        rel = path.relative_to(catalog_dir)
        top = rel.parts[0] if len(rel.parts) > 1 else None
        if top == "schema" or (top is None and path.suffix == ".md"):
            continue
        if top in RECORD_TYPES and path.suffix == ".yaml":
            files.append((top, path))
        else:
            where = ", ".join(f"catalog/{k}/<id>.yaml" for k in RECORD_TYPES)
            problems.append(
                Problem(display_path(path), 0, 0, "", f"not a record file: records live in {where}", "misplaced-file")
            )
    return files, problems


def parse_record(kind: str, path: Path) -> tuple[Any | None, Source | None, list[Problem]]:
    """Parse and validate one record file (no cross-checks)."""

    def problem(line: int, column: int, field: str, message: str, code: str) -> Problem:
        return Problem(display_path(path), line, column, field, message, code)

    try:
        size = path.stat().st_size
        if size > yamlsafe.MAX_BYTES:
            raise yamlsafe.YamlProblem("too-large", f"file is {size:,} bytes; the limit is {yamlsafe.MAX_BYTES:,}")
        parsed = yamlsafe.parse(path.read_bytes())
    except yamlsafe.YamlProblem as p:
        return None, None, [problem(p.line, p.column, p.field, p.message, p.code)]
    except OSError as err:
        return None, None, [problem(0, 0, "", f"cannot read file: {err.strerror}", "encoding")]
    source = Source(path)
    if not isinstance(parsed.data, dict):
        got = type(parsed.data).__name__
        return (
            None,
            source,
            [problem(1, 1, "", f"the document must be a mapping of fields, got a {got}", "not-mapping")],
        )
    problems = []
    record_id = parsed.data.get("id")
    if isinstance(record_id, str) and record_id != path.stem:
        line, column = yamlsafe.locate(parsed.node, ("id",))
        message = f"id {record_id!r} must match the file name {path.stem!r}"
        problems.append(problem(line, column, "id", message, "id-mismatch"))
    model = RECORD_TYPES[kind]
    try:
        record = model.model_validate(parsed.data)
    except ValidationError as err:
        return None, source, problems + _problems_from_validation(err, model, display_path(path), parsed.node)
    return record, source, problems


@dataclass
class NotebookScan:
    """What a notebook's source says about its checks, found without running it."""

    strings: set[str]
    measured: dict[str, int]  # literal first arguments of .measure(...) calls, with their line


def scan_notebook(path: Path) -> NotebookScan | None:
    """String literals and ``.measure("<id>", ...)`` calls of a notebook (None if unreadable)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    strings: set[str] = set()
    measured: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "measure"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            measured.setdefault(node.args[0].value, node.lineno)
    return NotebookScan(strings, measured)


def notebook_checks(path: Path) -> set[str] | None:
    """The check ids a notebook mentions as string literals (None if unreadable)."""
    scan = scan_notebook(path)
    return None if scan is None else scan.strings


class _CrossChecker:
    def __init__(self, catalog: Catalog, broken: dict[str, set[str]]) -> None:
        self.catalog = catalog
        self.broken = broken
        self.problems: list[Problem] = []
        self._notebooks: dict[str, NotebookScan | None] = {}

    def report(self, kind: str, record_id: str, loc: Loc, message: str, code: str, key: bool = False) -> None:
        source = self.catalog.sources[(kind, record_id)]
        line, column = yamlsafe.locate(source.node, loc, key=key)
        self.problems.append(Problem(display_path(source.path), line, column, format_loc(loc), message, code))

    def exists(self, kind: str, rid: str) -> bool:
        pool: dict[str, Any] = getattr(self.catalog, kind)
        return rid in pool or rid in self.broken[kind]

    def refs(self, kind: str, rid: str, loc: Loc, ids: Iterable[str], target: str, what: str) -> None:
        pool: dict[str, Any] = getattr(self.catalog, target)
        seen = set()
        for i, ref in enumerate(ids):
            if ref in seen:
                self.report(kind, rid, (*loc, i), f"{what} {ref!r} is listed twice", "duplicate-id")
            seen.add(ref)
            if not self.exists(target, ref):
                close = difflib.get_close_matches(ref, list(pool), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.report(kind, rid, (*loc, i), f"no {what} record with id {ref!r}{hint}", "unknown-reference")

    def run(self) -> list[Problem]:
        c = self.catalog
        for paper in c.papers.values():
            self.check_paper(paper)
        for method in c.methods.values():
            if method.introduced_by and not self.exists("papers", method.introduced_by):
                self.report(
                    "methods",
                    method.id,
                    ("introduced_by",),
                    f"no paper record with id {method.introduced_by!r}",
                    "unknown-reference",
                )
        for criterion in c.criteria.values():
            self.refs("criteria", criterion.id, ("related",), criterion.related, "criteria", "criterion")
            if criterion.id in criterion.related:
                self.report("criteria", criterion.id, ("related",), "a criterion cannot relate to itself", "value")
        self.check_measured_ids()
        return self.problems

    def check_paper(self, paper: Paper) -> None:
        c, pid = self.catalog, paper.id
        self.refs("papers", pid, ("methods",), paper.methods, "methods", "method")
        self.refs("papers", pid, ("criteria",), paper.criteria, "criteria", "criterion")
        for i, rel in enumerate(paper.related):
            if rel.paper == pid:
                self.report("papers", pid, ("related", i, "paper"), "a paper cannot relate to itself", "value")
            elif not self.exists("papers", rel.paper):
                close = difflib.get_close_matches(rel.paper, list(c.papers), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.report(
                    "papers",
                    pid,
                    ("related", i, "paper"),
                    f"no paper record with id {rel.paper!r}{hint}",
                    "unknown-reference",
                )
        if paper.original is not None:
            self.check_rankings(paper)
        seen: set[str] = set()
        for i, claim in enumerate(paper.claims):
            if claim.id in seen:
                self.report("papers", pid, ("claims", i, "id"), f"claim id {claim.id!r} is used twice", "duplicate-id")
            seen.add(claim.id)
            for j, m in enumerate(claim.methods):
                if m not in paper.methods:
                    self.report(
                        "papers",
                        pid,
                        ("claims", i, "methods", j),
                        f"method {m!r} is not listed in the paper's methods",
                        "unknown-reference",
                    )
            for j, k in enumerate(claim.criteria):
                if k not in paper.criteria:
                    self.report(
                        "papers",
                        pid,
                        ("claims", i, "criteria", j),
                        f"criterion {k!r} is not listed in the paper's criteria",
                        "unknown-reference",
                    )
            if isinstance(claim.reproduction, NotebookReproduction):
                self.check_notebook(pid, i, claim.reproduction)

    def check_rankings(self, paper: Paper) -> None:
        """A ranking names known methods and checks that this record's claims declare."""
        assert paper.original is not None
        own: set[str] = set()
        for claim in paper.claims:
            if isinstance(claim.reproduction, NotebookReproduction):
                own.update(claim.reproduction.check_ids())
        for r, ranking in enumerate(paper.original.rankings):
            for e, entry in enumerate(ranking.entries):
                loc: Loc = ("original", "rankings", r, "entries", e)
                if not self.exists("methods", entry.method):
                    close = difflib.get_close_matches(entry.method, list(self.catalog.methods), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    self.report(
                        "papers",
                        paper.id,
                        (*loc, "method"),
                        f"no method record with id {entry.method!r}{hint}",
                        "unknown-reference",
                    )
                named = [(("score",), entry.score), *((("columns", k), c) for k, c in enumerate(entry.columns))]
                for where, cid in named:
                    if cid not in own:
                        close = difflib.get_close_matches(cid, sorted(own), n=1)
                        hint = f"; did you mean {close[0]!r}?" if close else ""
                        self.report(
                            "papers",
                            paper.id,
                            (*loc, *where),
                            f"no claim of this record declares a check {cid!r}{hint}",
                            "unknown-reference",
                        )

    def scan(self, notebook: str) -> NotebookScan | None:
        if notebook not in self._notebooks:
            path = self.catalog.root / notebook
            self._notebooks[notebook] = scan_notebook(path) if path.is_file() else None
        return self._notebooks[notebook]

    def check_notebook(self, pid: str, i: int, repro: NotebookReproduction) -> None:
        loc: Loc = ("claims", i, "reproduction")
        scan = self.scan(repro.notebook)
        if scan is None:
            self.report(
                "papers",
                pid,
                (*loc, "notebook"),
                f"notebook {repro.notebook!r} does not exist or is not valid Python",
                "unknown-reference",
            )
        declared = self.catalog.declared_checks(repro.notebook)
        ids = repro.check_ids()
        primaries = 0
        for j, entry in enumerate(repro.checks):
            cid = entry.use if isinstance(entry, CheckUse) else entry.id
            if ids.count(cid) > 1 and ids.index(cid) != j:
                self.report("papers", pid, (*loc, "checks", j), f"check {cid!r} is listed twice", "duplicate-id")
                continue
            if isinstance(entry, CheckUse):
                target = declared.get(cid)
                if target is None:
                    close = difflib.get_close_matches(cid, list(declared), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    self.report(
                        "papers",
                        pid,
                        (*loc, "checks", j, "use"),
                        f"no claim defines a check {cid!r} for {repro.notebook}{hint}",
                        "unknown-reference",
                    )
                    continue
                spec = target.spec.model_copy(update={"role": entry.role}) if entry.role else target.spec
            else:
                spec = entry
                first = declared.get(cid)
                if first is not None and (first.paper, first.loc) != (pid, (*loc, "checks", j)):
                    self.report(
                        "papers",
                        pid,
                        (*loc, "checks", j, "id"),
                        f"check {cid!r} of {repro.notebook} is already defined in {first.paper} "
                        f"(claim {first.claim!r}): reuse it with {{use: {cid}}}",
                        "duplicate-id",
                    )
                    continue
                if scan is not None and cid not in scan.strings:
                    self.report(
                        "papers",
                        pid,
                        (*loc, "checks", j, "id"),
                        f"check {cid!r} is never measured: {repro.notebook} does not mention it "
                        f'(measure it with run.measure("{cid}", values))',
                        "never-measured",
                    )
            primaries += spec.role == "primary"
        if primaries == 0:
            self.report(
                "papers",
                pid,
                (*loc, "checks"),
                "a claim needs at least one primary check (preconditions and controls never decide a claim)",
                "no-primary-check",
            )

    def check_measured_ids(self) -> None:
        """Every literal .measure("<id>") of a notebook is a check some claim declares."""
        for notebook in self.catalog.notebooks():
            scan = self.scan(notebook)
            if scan is None:
                continue
            declared = self.catalog.declared_checks(notebook)
            for cid, line in sorted(scan.measured.items(), key=lambda kv: kv[1]):
                if cid not in declared:
                    close = difflib.get_close_matches(cid, list(declared), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    self.problems.append(
                        Problem(
                            notebook,
                            line,
                            1,
                            "measure",
                            f"the notebook measures check {cid!r}, which no claim declares: "
                            f"add it to a claim's reproduction.checks{hint}",
                            "undeclared-check",
                        )
                    )


def check_catalog(catalog_dir: Path) -> tuple[Catalog, list[Problem]]:
    """Load every record under ``catalog_dir``; return the catalog and every problem found."""
    catalog_dir = Path(catalog_dir)
    catalog = Catalog(root=catalog_dir.resolve().parent)
    if not catalog_dir.is_dir():
        return catalog, [Problem(display_path(catalog_dir), 0, 0, "", "catalog folder not found", "misplaced-file")]
    files, problems = _record_files(catalog_dir)
    broken: dict[str, set[str]] = {kind: set() for kind in RECORD_TYPES}
    with _gc_paused():
        _load_records(files, catalog, problems, broken)
    problems.extend(_CrossChecker(catalog, broken).run())
    return catalog, sorted(problems)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many long-lived objects are built.

    Records hold no reference cycles; without the pause, every generation-2 collection walks all
    records already loaded, which makes loading a large catalog quadratic.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_records(
    files: list[tuple[str, Path]], catalog: Catalog, problems: list[Problem], broken: dict[str, set[str]]
) -> None:
    pools = {"papers": catalog.papers, "methods": catalog.methods, "criteria": catalog.criteria}
    for kind, path in files:
        record, source, found = parse_record(kind, path)
        problems.extend(found)
        if record is None or source is None:
            # A record with problems of its own still exists: references to it are not reported too.
            broken[kind].add(path.stem)
            continue
        key = (kind, record.id)
        if key in catalog.sources:
            first = display_path(catalog.sources[key].path)
            line, column = yamlsafe.locate(source.node, ("id",))
            problems.append(
                Problem(
                    display_path(path),
                    line,
                    column,
                    "id",
                    f"id {record.id!r} is already used by {first}",
                    "duplicate-id",
                )
            )
            continue
        pools[kind][record.id] = record
        catalog.sources[key] = source


def load_catalog(catalog_dir: Path | str = "catalog") -> Catalog:
    """Load and cross-check the catalog, raising CatalogError with every problem if any."""
    catalog, problems = check_catalog(Path(catalog_dir))
    if problems:
        raise CatalogError(problems)
    return catalog
