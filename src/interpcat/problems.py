"""Problems found in catalog files, reported as ``FILE:LINE:COL: field.path: message [code]``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Stable problem codes: each is documented in docs/validation.md and has a failing fixture.
CODES: dict[str, str] = {
    "encoding": "the file is not valid UTF-8",
    "too-large": "the file is larger than the size limit",
    "empty": "the file holds no YAML document",
    "yaml-syntax": "the YAML cannot be parsed",
    "multiple-documents": "the file holds more than one YAML document",
    "not-mapping": "the document is not a mapping of field names to values",
    "duplicate-key": "a mapping repeats a key",
    "non-string-key": "a mapping key is not a string",
    "alias": "YAML anchors and aliases are refused",
    "unknown-field": "a field the schema does not define",
    "missing": "a required field is absent",
    "type": "a value of the wrong type",
    "value": "a value outside what the field allows",
    "url": "a link that is not an http(s) URL",
    "arxiv": "a malformed arXiv identifier",
    "doi": "a malformed DOI",
    "year": "an implausible publication year",
    "id-mismatch": "the id differs from the file name",
    "duplicate-id": "two records or claims share an id",
    "unknown-reference": "a reference to a record, notebook or check that does not exist",
    "misplaced-file": "a file outside the record folders",
    "result": "a reproduction result file that is malformed or disagrees with the catalog",
    "stale-result": "a result produced under another expectation or check list than the record's current one",
    "never-measured": "a check the catalog declares that the notebook never measures",
    "undeclared-check": "a check the notebook measures that no claim declares",
    "no-primary-check": "a claim whose checks include no primary check",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, located in a file (1-based line and column; 0 when unknown)."""

    file: str
    line: int
    column: int
    field: str
    message: str
    code: str

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}")

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field = self.field or "(document)"
        return f"{where}: {field}: {self.message} [{self.code}]"


class CatalogError(Exception):
    """Raised when the catalog has problems; carries every one of them, sorted."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        files = {p.file for p in self.problems}
        super().__init__(
            f"{len(self.problems)} problem(s) in {len(files)} file(s):\n" + "\n".join(p.format() for p in self.problems)
        )


def display_path(path: Path) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
