"""The catalog's record types: the single source of truth for the schema.

Every record is one YAML file whose stem is its ``id``: ``catalog/papers/<id>.yaml``,
``catalog/methods/<id>.yaml`` and ``catalog/criteria/<id>.yaml``. The JSON Schema files in
``catalog/schema/`` are exported from these models (``interpcat schema``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
NOTEBOOK_PATTERN = r"^repro/[a-z0-9]+(?:-[a-z0-9]+)*\.py$"
EARLIEST_YEAR = 1900

RecordId = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=2, max_length=80)]
Tagname = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=2, max_length=40)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=400)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]

_ARXIV_NEW = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")
_DOI = re.compile(r"^10\.\d{4,9}/[^\s\"<>]+$")
_UNSAFE_URL_CHARS = re.compile(r"[\s\"'<>`\\\x00-\x1f\x7f]")


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise PydanticCustomError(
            "url", "links must be http(s) URLs, got scheme '{scheme}'", {"scheme": parts.scheme or "(none)"}
        )
    if not parts.hostname or "." not in parts.hostname or _UNSAFE_URL_CHARS.search(value):
        raise PydanticCustomError("url", "not a well-formed http(s) URL: '{url}'", {"url": value})
    return value


def _arxiv_id(value: str) -> str:
    match = _ARXIV_NEW.match(value)
    if match:
        yymm, number = int(match[1] + match[2]), match[3]
        if 1 <= int(match[2]) <= 12 and yymm >= 704 and len(number) == (5 if yymm >= 1501 else 4):
            return value
    elif _ARXIV_OLD.match(value):
        return value
    raise PydanticCustomError(
        "arxiv",
        "malformed arXiv id '{value}': write the bare id, e.g. '1703.01365' or 'cs/0112017'",
        {"value": value},
    )


def _doi(value: str) -> str:
    if not _DOI.match(value):
        raise PydanticCustomError(
            "doi", "malformed DOI '{value}': write the bare DOI, e.g. '10.1038/s41467-019-08987-4'", {"value": value}
        )
    return value


def _year(value: int) -> int:
    latest = _dt.date.today().year + 1
    if not EARLIEST_YEAR <= value <= latest:
        raise PydanticCustomError(
            "year", "implausible year {year}: expected {lo} to {hi}", {"year": value, "lo": EARLIEST_YEAR, "hi": latest}
        )
    return value


HttpUrl = Annotated[str, StringConstraints(max_length=500), AfterValidator(_http_url)]
ArxivId = Annotated[str, AfterValidator(_arxiv_id)]
Doi = Annotated[str, StringConstraints(max_length=200), AfterValidator(_doi)]
Year = Annotated[int, AfterValidator(_year)]

Relation = Literal["extends", "evaluates", "contradicts", "replicates", "surveys"]
Role = Literal["curator", "reproducer", "reviewer"]
VenueType = Literal["conference", "journal", "workshop", "preprint", "blog", "book", "thesis"]
Contribution = Literal["method", "evaluation", "benchmark", "analysis", "survey", "position", "toolkit"]
Area = Literal[
    "mechanistic",
    "attribution",
    "example-based",
    "natural-language",
    "intrinsic",
    "explanatory-interactive-learning",
]
Modality = Literal["image", "text", "tabular", "reinforcement-learning", "multimodal", "synthetic", "any"]
Access = Literal["black-box", "gradients", "activations", "weights", "architecture"]
Family = Literal[
    "gradient",
    "propagation",
    "class-activation",
    "perturbation",
    "surrogate",
    "shapley",
    "concept",
    "example-based",
    "feature-visualization",
    "circuit-analysis",
    "modularity-analysis",
    "explanation-analysis",
    "intrinsic",
    "explanation-regularization",
    "natural-language",
    "evaluation-framework",
]
Stage = Literal["post-hoc", "intrinsic", "training-time"]
Scope = Literal["local", "global", "local-and-global"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Links(_Model):
    """Where to find the paper; at least one link is required."""

    arxiv: ArxivId | None = Field(None, description="Bare arXiv id, e.g. 1703.01365")
    doi: Doi | None = Field(None, description="Bare DOI, e.g. 10.1038/s41467-019-08987-4")
    url: HttpUrl | None = Field(None, description="Venue or publisher page (http/https)")
    code: HttpUrl | None = Field(None, description="Official code repository (http/https)")

    @model_validator(mode="after")
    def _at_least_one(self) -> Links:
        if not (self.arxiv or self.doi or self.url or self.code):
            raise PydanticCustomError("no_link", "give at least one of arxiv, doi, url, code")
        return self

    def arxiv_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None


class Reported(_Model):
    """What the paper reports for a claim."""

    value: float | None = Field(None, description="The number the paper reports, where it gives one")
    metric: Line = Field(description="What the value measures, e.g. 'test accuracy (%)'")
    dataset: Line = Field(description="Dataset or environment, e.g. 'DecoyMNIST'")
    setting: Line | None = Field(None, description="Model, baseline or condition the number belongs to")


CheckRole = Literal["primary", "precondition", "control"]
Unit = Literal["seed", "network", "image", "example", "input", "feature", "dataset", "run"]
Aggregate = Literal["mean", "all", "any"]
ClaimRule = Literal["all", "any"]


def short_number(x: float) -> str:
    """A number in four significant digits, as expectations and verdict reasons show it."""
    return f"{x:.4g}"


class Expect(_Model):
    """The expected value: exactly one comparator (``close_to`` goes with ``tolerance``)."""

    at_least: float | None = None
    at_most: float | None = None
    greater_than: float | None = None
    less_than: float | None = None
    between: Annotated[list[float], Field(min_length=2, max_length=2)] | None = Field(
        None, description="[low, high], both ends included"
    )
    close_to: float | None = None
    tolerance: Annotated[float, Field(ge=0)] | None = None
    equals: bool | None = Field(None, description="For boolean checks: the value every (or some) unit must have")

    @model_validator(mode="after")
    def _exactly_one(self) -> Expect:
        given = [
            k
            for k in ("at_least", "at_most", "greater_than", "less_than", "between", "close_to", "equals")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise PydanticCustomError(
                "expect", "state exactly one comparator, got {given}", {"given": ", ".join(given) or "none"}
            )
        if (self.close_to is None) != (self.tolerance is None):
            raise PydanticCustomError("expect", "close_to needs a tolerance, and tolerance goes with close_to")
        if self.between is not None and self.between[0] > self.between[1]:
            raise PydanticCustomError("expect", "between: the low end exceeds the high end")
        return self

    @property
    def boolean(self) -> bool:
        return self.equals is not None

    def bounds(self) -> tuple[float, float, bool, bool]:
        """The accepted range as (low, high, low end included, high end included)."""
        inf = float("inf")
        if self.at_least is not None:
            return self.at_least, inf, True, True
        if self.at_most is not None:
            return -inf, self.at_most, True, True
        if self.greater_than is not None:
            return self.greater_than, inf, False, True
        if self.less_than is not None:
            return -inf, self.less_than, True, False
        if self.between is not None:
            return self.between[0], self.between[1], True, True
        if self.close_to is not None and self.tolerance is not None:
            return self.close_to - self.tolerance, self.close_to + self.tolerance, True, True
        raise ValueError("a boolean expectation has no bounds")

    def words(self) -> str:
        """The expectation in words, e.g. '>= 0.9'."""
        if self.at_least is not None:
            return f">= {short_number(self.at_least)}"
        if self.at_most is not None:
            return f"<= {short_number(self.at_most)}"
        if self.greater_than is not None:
            return f"> {short_number(self.greater_than)}"
        if self.less_than is not None:
            return f"< {short_number(self.less_than)}"
        if self.between is not None:
            return f"between {short_number(self.between[0])} and {short_number(self.between[1])}"
        if self.close_to is not None:
            return f"{short_number(self.close_to)} ± {short_number(self.tolerance or 0.0)}"
        return f"is {self.equals}"


class CheckSpec(_Model):
    """One check a notebook measures: what, over which units, and what the paper leads us to expect."""

    id: RecordId = Field(description="Unique within the notebook; the notebook measures run.measure('<id>', values)")
    role: CheckRole = Field(
        description="primary decides the claim; precondition says the analog can test it; control is a sanity check"
    )
    measures: Text = Field(description="The quantity, in words")
    unit: Unit = Field("run", description="What one measured value is: one per seed, network, image, ...")
    aggregate: Aggregate = Field("mean", description="mean (numbers) or all / any (booleans)")
    variant: Line | None = Field(None, description="Signed or absolute, substrate, library, ...")
    expect: Expect
    rationale: Text = Field(description="Why this threshold, tied to the paper's number")

    @model_validator(mode="after")
    def _aggregate_fits(self) -> CheckSpec:
        if self.expect.boolean and self.aggregate == "mean":
            raise PydanticCustomError("aggregate", "a boolean expectation (equals) needs aggregate: all or any")
        if not self.expect.boolean and self.aggregate != "mean":
            raise PydanticCustomError("aggregate", "aggregate all / any needs a boolean expectation (equals)")
        return self

    def expectation_key(self) -> dict[str, Any]:
        """What the expectation consists of: changing any of it is a new expectation."""
        return {
            "id": self.id,
            "role": self.role,
            "measures": self.measures,
            "unit": self.unit,
            "aggregate": self.aggregate,
            "variant": self.variant,
            "expect": self.expect.model_dump(exclude_none=True),
        }

    def expectation_sha256(self) -> str:
        """A stable hash of the expectation (the rationale's wording is left out)."""
        blob = json.dumps(self.expectation_key(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CheckUse(_Model):
    """A check defined under another claim of the same notebook, reused here."""

    use: RecordId = Field(description="Id of a check defined under another claim that uses the same notebook")
    role: CheckRole | None = Field(
        None,
        description="The check's role for this claim, where it differs (e.g. a primary check of one claim "
        "as a precondition of another)",
    )


def _check_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "use" if "use" in value else "spec"
    return "use" if isinstance(value, CheckUse) else "spec"


CheckEntry = Annotated[
    Annotated[CheckSpec, Tag("spec")] | Annotated[CheckUse, Tag("use")],
    Discriminator(_check_kind),
]


class NotebookReproduction(_Model):
    """The claim is checked by a notebook in repro/, through the checks listed here."""

    notebook: Annotated[str, StringConstraints(pattern=NOTEBOOK_PATTERN)] = Field(
        description="Path of the py:percent notebook, e.g. repro/ross2017-right-reasons.py"
    )
    rule: ClaimRule = Field("all", description="all: every primary check must be met; any: one suffices")
    checks: Annotated[list[CheckEntry], Field(min_length=1)] = Field(
        description="The checks behind the claim: defined here, or reused with {use: id}"
    )

    def defined(self) -> list[CheckSpec]:
        return [c for c in self.checks if isinstance(c, CheckSpec)]

    def check_ids(self) -> list[str]:
        return [c.id if isinstance(c, CheckSpec) else c.use for c in self.checks]


class NotAttempted(_Model):
    """The claim is not reproduced, with the reason written down."""

    status: Literal["not-attempted"]
    reason: Text


def _reproduction_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "notebook" if "notebook" in value or "checks" in value else "not-attempted"
    return "notebook" if isinstance(value, NotebookReproduction) else "not-attempted"


Reproduction = Annotated[
    Annotated[NotebookReproduction, Tag("notebook")] | Annotated[NotAttempted, Tag("not-attempted")],
    Discriminator(_reproduction_kind),
]


class Claim(_Model):
    """One headline result, in our own words, with where the paper states it."""

    id: RecordId = Field(description="Unique within the paper")
    statement: Text = Field(description="One sentence, in our own words")
    source: Line = Field(description="Where in the paper: 'Table 2', 'Figure 3', 'Section 4.1'")
    reported: Reported
    methods: list[RecordId] = Field(default_factory=list, description="Methods the claim is about (ids)")
    criteria: list[RecordId] = Field(default_factory=list, description="Criteria the claim measures (ids)")
    reproduction: Reproduction


class Related(_Model):
    """A typed link to another paper in the catalog."""

    paper: RecordId
    relation: Relation
    note: Line | None = None


class Credit(_Model):
    """A contributor's name on what they added."""

    name: Line
    role: Role


class RankEntry(_Model):
    """One row of a ranking: a method and the checks that score it."""

    method: RecordId = Field(description="Method id")
    score: RecordId = Field(description="Check (of this record's notebook) whose per-unit values give the score")
    columns: list[RecordId] = Field(
        default_factory=list, description="Checks shown beside the score, one per column of the ranking, in order"
    )


class Ranking(_Model):
    """Methods ordered by one measured score, with intervals over seeds."""

    title: Line = Field(description="What is ranked, on which task")
    score: Line = Field(description="The score in words, with its unit")
    better: Literal["lower", "higher"] = Field(description="Which direction ranks a method first")
    columns: list[Line] = Field(default_factory=list, description="Headings of the extra columns")
    entries: Annotated[list[RankEntry], Field(min_length=2)]

    @model_validator(mode="after")
    def _columns_match(self) -> Ranking:
        for entry in self.entries:
            if len(entry.columns) != len(self.columns):
                raise PydanticCustomError(
                    "columns",
                    "entry for {method!r} lists {n} column checks; the ranking has {k} columns",
                    {"method": entry.method, "n": len(entry.columns), "k": len(self.columns)},
                )
        return self


class OriginalEvaluation(_Model):
    """Marks a record as the catalog's own evaluation: no paper's numbers are being reproduced."""

    proposed_in: Line = Field(description="Where the idea was proposed: author, title, venue, year")
    url: HttpUrl | None = Field(None, description="Link to the proposal")
    note: Text = Field(description="What the proposal left open and what we chose, in our own words")
    rankings: list[Ranking] = Field(default_factory=list)


class Paper(_Model):
    """A paper: bibliographic facts, summary, methods, criteria and claims."""

    id: RecordId = Field(description="Same as the file name, e.g. ross2017-right-reasons")
    title: Line
    authors: Annotated[list[Line], Field(min_length=1)]
    year: Year
    venue: Line = Field(description="Where it appeared, e.g. 'NeurIPS 2018' or 'Distill'")
    venue_type: VenueType = Field(description="Kind of venue; sets the BibTeX entry type")
    links: Links
    summary: Text = Field(description="2-5 sentences in our own words: question, method, finding")
    contribution: Contribution = Field(description="What kind of contribution the paper makes")
    areas: Annotated[list[Area], Field(min_length=1)] = Field(description="Where it sits in the taxonomy")
    modalities: list[Modality] = Field(default_factory=list)
    tags: list[Tagname] = Field(default_factory=list)
    methods: list[RecordId] = Field(default_factory=list, description="Method ids the paper introduces or uses")
    criteria: list[RecordId] = Field(default_factory=list, description="Criterion ids the paper evaluates")
    claims: Annotated[list[Claim], Field(min_length=1)]
    related: list[Related] = Field(default_factory=list)
    credits: list[Credit] = Field(default_factory=list)
    original: OriginalEvaluation | None = Field(
        None, description="Set on the catalog's own evaluations (benchmarks we designed), never on papers"
    )


class Method(_Model):
    """An interpretability method and what it needs from the model."""

    id: RecordId
    name: Line
    aliases: list[Line] = Field(default_factory=list)
    family: Family
    access: Annotated[list[Access], Field(min_length=1)] = Field(
        description="What the method needs: black-box alone makes it model-agnostic"
    )
    stage: Stage = Field(description="post-hoc, intrinsic (built into the model) or training-time")
    scope: Scope
    introduced_by: RecordId | None = Field(None, description="Paper id of the method's origin")
    captum: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9]+$")] | None = Field(
        None, description="Class name in captum.attr, where one exists"
    )
    description: Text
    credits: list[Credit] = Field(default_factory=list)

    @property
    def model_agnostic(self) -> bool:
        return set(self.access) == {"black-box"}


class Criterion(_Model):
    """An evaluation criterion: what it means and how it is measured."""

    id: RecordId
    name: Line
    aliases: list[Line] = Field(default_factory=list)
    definition: Text
    measurement: Text = Field(description="How it is measured, with the metrics used")
    related: list[RecordId] = Field(default_factory=list, description="Ids of related criteria")
    credits: list[Credit] = Field(default_factory=list)


RECORD_TYPES: dict[str, type[_Model]] = {"papers": Paper, "methods": Method, "criteria": Criterion}
