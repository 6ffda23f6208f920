"""`interpcat new paper`: a scaffold with every field, that fails validation until filled in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest
import yaml

from interpcat.catalog import notebook_checks
from interpcat.cli import main
from interpcat.records import Claim, Links, Paper, Reported
from interpcat.scaffold import (
    PLACEHOLDER_CHECK,
    AlreadyExistsError,
    BibtexError,
    InvalidIdError,
    InvalidYearError,
    MissingFactError,
    new_paper,
    parse_bibtex,
)
from interpcat.validate import validate_project

PID = "gamma2022-stub-paper"
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/paper.schema.json"
ROSS_BIB = r"""
@inproceedings{ross2017right,
  title     = {Right for the Right Reasons: Training Differentiable Models by Constraining their Explanations},
  author    = {Ross, Andrew Slavin and Hughes, Michael C. and Doshi-Velez, Finale},
  booktitle = {Proceedings of the Twenty-Sixth International Joint Conference on Artificial Intelligence, {IJCAI-17}},
  pages     = {2662--2670},
  year      = {2017},
  doi       = {10.24963/ijcai.2017/371},
  eprint    = {1703.03717},
  archivePrefix = {arXiv},
}
"""

# What a contributor types over each TODO placeholder (field path as the scaffold writes it).
FILLED = {
    "venue": "Example Conference 2022",
    "venue_type": "conference",
    "authors": "[Gia Gamma, Del Delta]",
    "summary": "A stub paper used by the tests. It asks a question, applies a method and reports a finding.",
    "contribution": "method",
    "areas": "[attribution]",
    "- id": "stub-claim",
    "statement": "The stub method is faithful on toy digits.",
    "source": "Table 1",
    "metric": "deletion AUC",
    "dataset": "Toy digits",
    "- {name": "Test Contributor",
}


def fill_in(text: str, notebook: bool) -> str:
    """Replace the scaffold's TODO placeholders the way a contributor edits the file."""
    for key, value in FILLED.items():
        if key == "- {name":
            text, n = re.subn(r"- \{name: null, role: curator\}  # TODO", f"- {{name: {value}, role: curator}}", text)
        else:
            pattern = rf"^(\s*){re.escape(key)}: (null|\[\])  # TODO$"
            text, n = re.subn(pattern, lambda m, v=value, k=key: f"{m[1]}{k}: {v}", text, flags=re.M)
        assert n == 1, f"no TODO placeholder for {key}"
    text = text.replace("links:  # TODO: at least one link\n", "links:\n")
    text = re.sub(r"^  arxiv: null$", '  arxiv: "2201.00001"', text, flags=re.M)
    if notebook:
        text = re.sub(r"role: null  # TODO.*$", "role: primary", text, flags=re.M)
        text = re.sub(r"rationale: null  # TODO.*$", "rationale: a stub that only loads data", text, flags=re.M)
    else:
        text = re.sub(r"reason: null\}  # TODO.*$", "reason: needs a cluster}", text, flags=re.M)
    assert "# TODO" not in text
    return text


def test_scaffold_has_every_field_and_the_schema_line(project: Path) -> None:
    scaffold = new_paper(project, PID, title="A Stub Paper: With a Colon", year=2022)
    assert scaffold.files == [Path("catalog/papers") / f"{PID}.yaml"]
    text = (project / scaffold.record).read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    data = yaml.safe_load(text)
    assert list(data) == list(Paper.model_fields)  # every field, in the schema's order
    assert set(data["links"]) == set(Links.model_fields)
    claim = data["claims"][0]
    assert set(claim) == set(Claim.model_fields)
    assert set(claim["reported"]) == set(Reported.model_fields)
    assert data["id"] == PID and data["year"] == 2022 and data["title"] == "A Stub Paper: With a Colon"
    assert claim["reproduction"] == {"status": "not-attempted", "reason": None}
    for field in ("summary", "contribution", "venue", "venue_type"):
        assert data[field] is None
    assert data["authors"] == [] and data["areas"] == []


def test_unfilled_scaffold_fails_validation_on_each_todo(project: Path) -> None:
    scaffold = new_paper(project, PID, title="A Stub Paper", year=2022, notebook=True)
    report = validate_project(project / "catalog")
    ours = [p for p in report.problems if p.file.endswith(f"{PID}.yaml")]
    fields = {p.field for p in ours}
    assert fields == {
        "authors",
        "venue",
        "venue_type",
        "links",
        "summary",
        "contribution",
        "areas",
        "claims[0].id",
        "claims[0].statement",
        "claims[0].source",
        "claims[0].reported.metric",
        "claims[0].reported.dataset",
        "claims[0].reproduction.checks[0].role",
        "claims[0].reproduction.checks[0].rationale",
        "credits[0].name",
    }
    # Every problem points at a line the scaffold marked TODO (the links problem, at the links block).
    lines = (project / scaffold.record).read_text(encoding="utf-8").splitlines()
    for problem in ours:
        line = lines[problem.line - 1]
        if problem.field == "links":
            assert line == "  arxiv: null" and "links:  # TODO: at least one link" in lines
        else:
            assert "# TODO" in line, (problem.format(), line)


@pytest.mark.parametrize("notebook", [False, True])
def test_filling_in_the_todos_gives_a_valid_record(project: Path, notebook: bool) -> None:
    scaffold = new_paper(project, PID, title="A Stub Paper", year=2022, notebook=notebook)
    path = project / scaffold.record
    path.write_text(fill_in(path.read_text(encoding="utf-8"), notebook), encoding="utf-8")
    report = validate_project(project / "catalog")
    assert report.problems == [], [p.format() for p in report.problems]
    paper = report.catalog.papers[PID]
    assert paper.authors == ["Gia Gamma", "Del Delta"] and paper.links.arxiv == "2201.00001"
    assert paper.credits[0].name == "Test Contributor"


def test_bibtex_fills_the_facts(project: Path) -> None:
    scaffold = new_paper(project, "ross2017-right-reasons", bibtex=ROSS_BIB)
    text = (project / scaffold.record).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["title"] == (
        "Right for the Right Reasons: Training Differentiable Models by Constraining their Explanations"
    )
    assert data["authors"] == ["Andrew Slavin Ross", "Michael C. Hughes", "Finale Doshi-Velez"]
    assert data["year"] == 2017
    assert data["venue"].endswith("IJCAI-17") and "{" not in data["venue"]
    assert data["venue_type"] == "conference"
    assert data["links"] == {"arxiv": "1703.03717", "doi": "10.24963/ijcai.2017/371", "url": None, "code": None}
    # Facts taken from BibTeX are flagged for checking; what needs judgement stays TODO.
    assert re.search(r"^authors: .*# from BibTeX: check$", text, flags=re.M)
    assert re.search(r"^summary: null  # TODO$", text, flags=re.M)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (  # LaTeX accents and braces; an arXiv preprint named in the journal field
            r"@article{x, title={{\"U}ber {BERT} and Sch{\"o}lkopf's $\alpha$-{LRP}},"
            r" author={M{\"u}ller, J{\"o}rg and von Neumann, John and {Google Research and DeepMind}},"
            r" journal={arXiv preprint arXiv:1703.01365}, year=2017}",
            dict(
                title="Über BERT and Schölkopf's α-LRP",
                authors=("Jörg Müller", "John von Neumann", "Google Research and DeepMind"),
                venue="arXiv",
                venue_type="preprint",
                arxiv="1703.01365",
            ),
        ),
        (  # DBLP style: CoRR, eprinttype
            "@article{DBLP:x, author={Mukund Sundararajan and Ankur Taly and Qiqi Yan},"
            " title={Axiomatic Attribution for Deep Networks}, journal={CoRR}, volume={abs/1703.01365},"
            " year={2017}, url={http://arxiv.org/abs/1703.01365}, eprinttype={arXiv}, eprint={1703.01365}}",
            dict(venue="arXiv", venue_type="preprint", arxiv="1703.01365", url=None),
        ),
        (  # an arXiv URL only (with version and .pdf); a workshop; a DOI given as a URL
            "@inproceedings{w, title={A Workshop Paper}, author={Doe, Jane}, year=2018,"
            " booktitle={ICML Workshop on Human Interpretability}, url={https://arxiv.org/pdf/1806.00069v3.pdf},"
            " doi={https://doi.org/10.1000/xyz123}}",
            dict(venue_type="workshop", arxiv="1806.00069", doi="10.1000/xyz123", authors=("Jane Doe",)),
        ),
        (  # a journal article with a venue page and nothing for arXiv
            "@article{r, title={Stop Explaining}, author={Rudin, Cynthia}, journal={Nature Machine Intelligence},"
            " year={2019}, url={https://www.nature.com/articles/s42256-019-0048-x}}",
            dict(venue_type="journal", arxiv=None, url="https://www.nature.com/articles/s42256-019-0048-x"),
        ),
        (  # what BibTeX cannot tell stays unknown; a malformed DOI is left out with a note
            "@misc{m, title={Feature Visualization}, author={Olah, Chris}, howpublished={Distill}, year=2017,"
            " doi={not-a-doi}}",
            dict(venue="Distill", venue_type=None, doi=None),
        ),
    ],
)
def test_parse_bibtex(entry: str, expected: dict) -> None:
    facts = parse_bibtex(entry)
    for name, value in expected.items():
        assert getattr(facts, name) == value, name
    if "not-a-doi" in entry:
        assert any("DOI" in note for note in facts.notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "exactly one BibTeX entry, found 0"),
        ("@article{a, title={A}, year=2020} @article{b, title={B}, year=2020}", "found 2 (a, b)"),
        ("@article{a, title={unclosed", "does not parse"),
    ],
)
def test_parse_bibtex_refuses_unusable_input(text: str, message: str) -> None:
    with pytest.raises(BibtexError, match=re.escape(message)):
        parse_bibtex(text)


def test_refuses_to_overwrite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["new", "paper", "--id", PID, "--title", "A Stub Paper", "--year", "2022"]
    assert main(args) == 0
    record = project / "catalog" / "papers" / f"{PID}.yaml"
    record.write_text("# my edits\n", encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--notebook"]) == 1
    err = capsys.readouterr().err
    assert f"refusing to overwrite catalog/papers/{PID}.yaml" in err
    assert record.read_text(encoding="utf-8") == "# my edits\n"
    assert not (project / "repro" / f"{PID}.py").exists()  # nothing written when any target exists
    with pytest.raises(AlreadyExistsError):
        new_paper(project, PID, title="A Stub Paper", year=2022)


@pytest.mark.parametrize(
    ("pid", "year", "error", "message"),
    [
        ("Gamma2022-stub", 2022, InvalidIdError, "invalid paper id"),
        ("gamma-stub", 2022, InvalidIdError, "invalid paper id"),
        ("gamma2022", 2022, InvalidIdError, "invalid paper id"),
        ("gamma2022-stub", 2021, InvalidYearError, "names the year 2022"),
        ("gamma1850-stub", 1850, InvalidYearError, "implausible year 1850"),
    ],
)
def test_checks_the_id_and_the_year(project: Path, pid: str, year: int, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        new_paper(project, pid, title="T", year=year)
    assert not list((project / "catalog" / "papers").glob("gamma*"))


def test_needs_a_title_and_a_year_without_bibtex(project: Path) -> None:
    with pytest.raises(MissingFactError, match="--title"):
        new_paper(project, PID, year=2022)


def test_cli_prints_what_it_wrote_and_the_next_steps(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = project / "ross.bib"
    bib.write_text(ROSS_BIB, encoding="utf-8")
    assert main(["new", "paper", "--id", "ross2017-right-reasons", "--bibtex", str(bib), "--notebook"]) == 0
    out = capsys.readouterr().out
    assert "created catalog/papers/ross2017-right-reasons.yaml" in out
    assert "created repro/ross2017-right-reasons.py" in out
    assert "next steps:" in out and "interpcat validate" in out
    assert "interpcat repro run ross2017-right-reasons --profile smoke" in out
    assert main(["new", "paper", "--id", "bad_id", "--title", "T", "--year", "2020"]) == 1
    assert "invalid paper id" in capsys.readouterr().err


def test_notebook_stub_is_a_py_percent_notebook_using_the_check_api(project: Path) -> None:
    scaffold = new_paper(project, PID, title="A Stub Paper", year=2022, notebook=True)
    assert scaffold.notebook == Path("repro") / f"{PID}.py"
    text = (project / scaffold.notebook).read_text(encoding="utf-8")
    notebook = jupytext.reads(text, fmt="py:percent")
    assert notebook.metadata["jupytext"]["formats"] == "py:percent"
    assert [c.cell_type for c in notebook.cells][:2] == ["markdown", "code"]
    for call in (f'Reproduction(paper="{PID}"', "run.pick(", f'run.measure("{PLACEHOLDER_CHECK}"', "run.finish()"):
        assert call in text
    assert "run.expect(" not in text and PLACEHOLDER_CHECK in (notebook_checks(project / scaffold.notebook) or set())
    assert "PLACEHOLDER" in text
    compile(text, str(scaffold.notebook), "exec")


@pytest.mark.slow
def test_notebook_stub_runs_and_its_record_validates(project: Path) -> None:
    assert main(["new", "paper", "--id", PID, "--title", "A Stub Paper", "--year", "2022", "--notebook"]) == 0
    record = project / "catalog" / "papers" / f"{PID}.yaml"
    record.write_text(fill_in(record.read_text(encoding="utf-8"), notebook=True), encoding="utf-8")
    assert main(["repro", "run", PID, "--profile", "smoke", "--timeout", "300"]) == 0
    result = json.loads((project / "repro" / "results" / "smoke" / f"{PID}.json").read_text())
    assert result["status"] == "ok"
    assert [(c["id"], c["outcome"]) for c in result["checks"]] == [(PLACEHOLDER_CHECK, "met")]
    assert (project / "repro" / "results" / "smoke" / f"{PID}.ipynb").is_file()
    report = validate_project(project / "catalog")
    assert report.problems == [], [p.format() for p in report.problems]
