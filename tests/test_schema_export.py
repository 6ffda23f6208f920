"""The JSON Schema files are generated from the models; exports cover the whole catalog."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from interpcat.catalog import load_catalog
from interpcat.cli import main
from interpcat.export import paper_bibtex, to_bibtex, to_csv, to_json
from interpcat.schema import schema_documents, stale_schemas

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schemas_are_current() -> None:
    assert stale_schemas(ROOT / "catalog" / "schema") == [], "run 'interpcat schema' and commit the result"


def test_schema_matches_the_models() -> None:
    paper = json.loads(schema_documents()["paper.schema.json"])
    assert paper["additionalProperties"] is False
    assert {"id", "title", "authors", "year", "claims"} <= set(paper["required"])
    assert paper["properties"]["year"]["type"] == "integer"


def test_stale_schema_is_detected(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    assert main(["schema", "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "paper.schema.json").write_text("{}")
    assert main(["schema", "--out", str(tmp_path), "--check"]) == 1


def test_json_export_round_trips(project: Path) -> None:
    catalog = load_catalog(project / "catalog")
    data = json.loads(to_json(catalog))
    assert [p["id"] for p in data["papers"]] == ["alpha2020-example", "beta2021-followup"]
    assert data["methods"][0]["captum"] == "Saliency"
    assert len(data["criteria"]) == 1


def test_bibtex_export(project: Path) -> None:
    catalog = load_catalog(project / "catalog")
    entry = paper_bibtex(catalog.papers["alpha2020-example"])
    assert entry.startswith("@inproceedings{alpha2020-example,")
    assert "author = {Ada Example and Bo Sample}" in entry
    assert "eprint = {2001.00001}" in entry
    assert "@article{beta2021-followup," in to_bibtex(catalog)
    assert "doi = {10.1000/example.2021}" in to_bibtex(catalog)


def test_bibtex_escapes_special_characters(project: Path) -> None:
    catalog = load_catalog(project / "catalog")
    paper = catalog.papers["alpha2020-example"].model_copy(update={"title": "50% of {braces} & co_op"})
    assert r"title = {{50\% of \{braces\} \& co\_op}}" in paper_bibtex(paper)


def test_csv_export_tables_and_formula_injection(project: Path) -> None:
    catalog = load_catalog(project / "catalog")
    rows = list(csv.DictReader(io.StringIO(to_csv(catalog, "claims"))))
    assert [r["claim"] for r in rows] == ["toy-claim", "toy-claim-two", "not-faithful"]
    assert rows[1]["not_attempted_reason"] == "needs ImageNet-scale training"
    paper = catalog.papers["alpha2020-example"].model_copy(update={"title": "=HYPERLINK(1)"})
    catalog.papers["alpha2020-example"] = paper
    papers = list(csv.DictReader(io.StringIO(to_csv(catalog, "papers"))))
    assert papers[0]["title"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("fmt", ["json", "bibtex", "csv"])
def test_export_cli(project: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", fmt]) == 0
    assert "alpha2020-example" in capsys.readouterr().out


def test_export_refuses_an_invalid_catalog(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "catalog/papers/alpha2020-example.yaml").write_text("id: [\n")
    assert main(["export", "--format", "json"]) == 1
    assert "yaml-syntax" in capsys.readouterr().err
