"""The static JSON API the site publishes: one document per paper, method and criterion, and an index.

These models describe what ``api/`` on the built site holds; their JSON Schema is generated from
them (``interpcat schema``) and published beside the documents. A document embeds the record as the
catalog states it and adds what the catalog alone cannot tell: each claim's status, its verdict
per profile with the run's provenance, and every check's expectation with its measured values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .records import CheckSpec, Criterion, Method, Paper
from .results import CheckResult, Provenance
from .verdicts import ClaimVerdict as Status

API_FORMAT = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cost(_Model):
    """What one notebook run took: wall time, peak memory and the device it ran on."""

    wall_s: float = Field(description="Wall-clock seconds of the whole notebook")
    peak_rss_mb: float | None = Field(None, description="Peak resident memory of the kernel (MiB)")
    cuda_peak_mb: float | None = Field(None, description="Peak CUDA memory allocated (MiB), where CUDA was used")
    device: str


class RunVerdict(_Model):
    """A claim's verdict in one profile, and the run it rests on."""

    verdict: Status
    reason: str
    run_status: Literal["ok", "error", "timeout"]
    provenance: Provenance
    cost: Cost


class CheckState(_Model):
    """A check behind a claim: its pre-registered expectation and its result in each profile."""

    spec: CheckSpec = Field(description="The check as the record declares it (expectation and rationale)")
    results: dict[str, CheckResult | None] = Field(description="Profile -> the check's result, or null if not run")
    preregistration: str | None = Field(None, description="Whether the expectation was committed before its result")


class HistoryEntry(_Model):
    """One committed result of a claim's notebook, in one profile."""

    profile: Literal["smoke", "full"]
    date: str = Field(description="When the run started (ISO 8601)")
    run_commit: str | None = Field(description="The commit the run started at")
    stored_in: str = Field(description="The commit that stored the result file, or 'working tree'")
    verdict: Status
    checks: dict[str, CheckPoint] = Field(default_factory=dict, description="Check id -> mean and outcome")


class CheckPoint(_Model):
    statistic: float | bool | None
    outcome: str


class ClaimState(_Model):
    """What the site knows about one claim beyond its record."""

    id: str
    anchor: str = Field(description="The claim's anchor on its paper page")
    status: Status = Field(description="The full run's verdict if there is one, else the smoke run's, else why not")
    status_reason: str
    verdicts: dict[str, RunVerdict | None] = Field(description="Profile -> verdict, or null if not run")
    checks: list[CheckState] = Field(default_factory=list)
    history: list[HistoryEntry] | None = Field(
        None, description="Every committed result, oldest first; null when no git history was available"
    )


class PaperDocument(_Model):
    """``api/papers/<id>.json``."""

    format: Literal[1] = API_FORMAT
    id: str
    page: str = Field(description="The paper's page, relative to the site root")
    record: Paper = Field(description="The record as the catalog states it")
    claims: list[ClaimState]
    bibtex: str


class ClaimRef(_Model):
    paper: str
    claim: str
    status: Status


class MethodDocument(_Model):
    """``api/methods/<id>.json``."""

    format: Literal[1] = API_FORMAT
    id: str
    page: str
    record: Method
    papers: list[str] = Field(description="Ids of the papers that introduce, use or evaluate it")
    claims: list[ClaimRef]


class CriterionDocument(_Model):
    """``api/criteria/<id>.json``."""

    format: Literal[1] = API_FORMAT
    id: str
    page: str
    record: Criterion
    papers: list[str] = Field(description="Ids of the papers that evaluate it")
    claims: list[ClaimRef]


class PaperEntry(_Model):
    """One paper in the index, with the facets the papers page filters on."""

    id: str
    title: str
    authors: list[str]
    year: int
    venue: str
    contribution: str
    areas: list[str]
    modalities: list[str]
    tags: list[str]
    has_notebook: bool
    statuses: list[Status] = Field(description="The status of each claim, in record order")
    page: str
    json_url: str = Field(alias="json", description="The paper's API document, relative to the site root")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)


class RecordEntry(_Model):
    id: str
    name: str
    page: str
    json_url: str = Field(alias="json")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)


class IndexDocument(_Model):
    """``api/index.json``: every record, where its document is, and the downloads."""

    format: Literal[1] = API_FORMAT
    papers: list[PaperEntry]
    methods: list[RecordEntry]
    criteria: list[RecordEntry]
    downloads: dict[str, str] = Field(description="Name -> path of a whole-catalog download")
    schemas: dict[str, str] = Field(description="Document kind -> path of its JSON Schema")


HistoryEntry.model_rebuild()
API_DOCUMENTS: dict[str, type[_Model]] = {
    "api-paper": PaperDocument,
    "api-method": MethodDocument,
    "api-criterion": CriterionDocument,
    "api-index": IndexDocument,
}
