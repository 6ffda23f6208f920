"""The validator: every kind of bad input gets a located problem with a stable code, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interpcat.catalog import check_catalog, load_catalog
from interpcat.cli import main
from interpcat.problems import CODES, CatalogError

PAPER = "catalog/papers/alpha2020-example.yaml"
FIXTURES = Path(__file__).parent / "fixtures" / "project"
LINE_FORMAT = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<field>\S+): (?P<msg>.+) \[(?P<code>[a-z-]+)\]$"
)


def problems_after(project: Path, rel: str, content: str | bytes):
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    _, problems = check_catalog(project / "catalog")
    return problems


def edit(project: Path, rel: str, old: str, new: str) -> str:
    text = (project / rel).read_text(encoding="utf-8")
    assert old in text, f"fixture has no {old!r}"
    return text.replace(old, new, 1)


def test_fixture_project_is_valid(project: Path) -> None:
    catalog, problems = check_catalog(project / "catalog")
    assert problems == []
    assert set(catalog.papers) == {"alpha2020-example", "beta2021-followup"}
    assert catalog.methods["toy-gradient"].introduced_by == "alpha2020-example"


# (name, file content as an edit of the valid paper, expected code, line, field)
CASES = [
    ("yaml-syntax", ("title: An Example", 'title: "An Example'), "yaml-syntax", None, ""),
    ("duplicate-key", ("year: 2020\n", "year: 2020\nyear: 2021\n"), "duplicate-key", 5, "year"),
    ("unknown-field", ("year: 2020\n", "year: 2020\npublished: yes\n"), "unknown-field", 5, "published"),
    ("year-as-string", ("year: 2020", 'year: "2020"'), "type", 4, "year"),
    ("year-implausible", ("year: 2020", "year: 1820"), "year", 4, "year"),
    ("year-future", ("year: 2020", "year: 2999"), "year", 4, "year"),
    ("missing-title", ("title: An Example Paper About Gradients\n", ""), "missing", 1, "title"),
    ("id-mismatch", ("id: alpha2020-example", "id: alpha2020-other"), "id-mismatch", 1, "id"),
    ("bad-id", ("id: alpha2020-example", "id: Alpha_2020"), "value", 1, "id"),
    (
        "javascript-link",
        ("code: https://github.com/example/alpha", "code: javascript:alert(1)"),
        "url",
        9,
        "links.code",
    ),
    ("data-link", ("code: https://github.com/example/alpha", "code: data:text/html,hi"), "url", 9, "links.code"),
    ("bad-arxiv", ('arxiv: "2001.00001"', 'arxiv: "2013.0001"'), "arxiv", 8, "links.arxiv"),
    ("arxiv-as-url", ('arxiv: "2001.00001"', "arxiv: https://arxiv.org/abs/2001.00001"), "arxiv", 8, "links.arxiv"),
    ("bad-doi", ('arxiv: "2001.00001"', "doi: doi.org/10.1/x"), "doi", 8, "links.doi"),
    (
        "no-links",
        ('  arxiv: "2001.00001"\n  code: https://github.com/example/alpha\n', "  {}\n"),
        "missing",
        8,
        "links",
    ),
    (
        "unknown-method",
        ("methods: [toy-gradient]", "methods: [toy-gradient, toy-gradiant]"),
        "unknown-reference",
        17,
        "methods[1]",
    ),
    (
        "unknown-criterion",
        ("criteria: [toy-faithfulness]\nclaims", "criteria: [toy-faithfulness, nope]\nclaims"),
        "unknown-reference",
        18,
        "criteria[1]",
    ),
    (
        "unknown-related",
        ("paper: beta2021-followup", "paper: gamma1999-missing"),
        "unknown-reference",
        54,
        "related[0].paper",
    ),
    ("bad-relation", ("relation: surveys", "relation: cites"), "value", 54, "related[0].relation"),
    (
        "missing-notebook",
        ("repro/alpha2020-example.py", "repro/missing.py"),
        "unknown-reference",
        27,
        "claims[0].reproduction.notebook",
    ),
    (
        "never-measured-check",
        ("- id: toy-check", "- id: no-such-check"),
        "never-measured",
        30,
        "claims[0].reproduction.checks[0].id",
    ),
    (
        "undeclared-check",
        ("- id: toy-check", "- id: no-such-check"),
        "undeclared-check",
        9,
        "measure",
    ),
    (
        "unknown-use",
        (
            "reproduction: {status: not-attempted, reason: needs ImageNet-scale training}",
            "reproduction: {notebook: repro/alpha2020-example.py, checks: [{use: toy-chek}]}",
        ),
        "unknown-reference",
        52,
        "claims[1].reproduction.checks[0].use",
    ),
    (
        "no-primary-check",
        ("          role: primary\n", "          role: control\n"),
        "no-primary-check",
        30,
        "claims[0].reproduction.checks",
    ),
    (
        "check-defined-twice",
        (
            "reproduction: {status: not-attempted, reason: needs ImageNet-scale training}",
            "reproduction: {notebook: repro/alpha2020-example.py, checks: [{id: toy-control, role: primary, "
            "measures: x, expect: {at_least: 1}, rationale: y}]}",
        ),
        "duplicate-id",
        52,
        "claims[1].reproduction.checks[0].id",
    ),
    (
        "two-comparators",
        ("expect: {at_least: 0.5}", "expect: {at_least: 0.5, at_most: 0.9}"),
        "value",
        34,
        "claims[0].reproduction.checks[0].expect",
    ),
    (
        "close-to-without-tolerance",
        ("{close_to: 1.0, tolerance: 0.01}", "{close_to: 1.0}"),
        "value",
        46,
        "claims[0].reproduction.checks[2].expect",
    ),
    ("boolean-with-mean", ("          aggregate: all\n", ""), "value", 36, "claims[0].reproduction.checks[1]"),
    ("bad-role", ("role: precondition", "role: sanity"), "value", 37, "claims[0].reproduction.checks[1].role"),
    ("bad-rule", ("rule: all", "rule: most"), "value", 28, "claims[0].reproduction.rule"),
    ("bad-status", ("status: not-attempted", "status: reproduced"), "value", 52, "claims[1].reproduction.status"),
    ("duplicate-claim", ("id: toy-claim-two", "id: toy-claim"), "duplicate-id", 48, "claims[1].id"),
    (
        "claim-method-not-in-paper",
        ("    methods: [toy-gradient]\n", "    methods: [other]\n"),
        "unknown-reference",
        24,
        "claims[0].methods[0]",
    ),
    ("value-as-string", ("value: 0.9", 'value: "0.9"'), "type", 23, "claims[0].reported.value"),
    ("value-nan", ("value: 0.9", "value: .nan"), "value", 23, "claims[0].reported.value"),
    ("alias", ("tags: [gradients, fixture]", "tags: &t [gradients]\nextra: *t"), "alias", 16, "extra"),
    ("merge-key", ("links:\n", "links:\n  <<: {code: https://a.org}\n"), "alias", 8, "links"),
    ("python-tag", ("venue: Example Conference 2020", "venue: !!python/name:os.system"), "type", 5, "venue"),
    ("self-related", ("paper: beta2021-followup", "paper: alpha2020-example"), "value", 54, "related[0].paper"),
]


@pytest.mark.parametrize("name,change,code,line,field", CASES, ids=[c[0] for c in CASES])
def test_bad_paper(project: Path, name: str, change: tuple[str, str], code: str, line: int | None, field: str) -> None:
    problems = problems_after(project, PAPER, edit(project, PAPER, *change))
    assert problems, f"{name}: no problem reported"
    matching = [p for p in problems if p.code == code]
    assert matching, f"{name}: expected code {code}, got {[p.format() for p in problems]}"
    p = matching[0]
    assert p.file.endswith("alpha2020-example.yaml") or p.file.endswith("alpha2020-example.py")
    if line is not None:
        assert p.line == line, p.format()
    assert p.field == field, p.format()


WHOLE_FILE_CASES = [
    ("empty", b"", "empty", 1),
    ("only-comment", b"# nothing here\n", "empty", 1),
    ("list-document", b"- a\n- b\n", "not-mapping", 1),
    ("scalar-document", b"just a string\n", "not-mapping", 1),
    ("two-documents", b"id: a\n---\nid: b\n", "multiple-documents", 2),
    ("latin-1", "id: caf\xe9\n".encode("latin-1"), "encoding", 1),
    ("bad-utf8-line-3", b"a: 1\nb: 2\nc: \xff\xfe\n", "encoding", 3),
    ("too-large", b"summary: " + b"x" * 300_000 + b"\n", "too-large", None),
    ("deep-nesting", b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "value", 1),
    ("int-key", b"1: one\n", "non-string-key", 1),
    ("tab-indent", b"a:\n\t- b\n", "yaml-syntax", 2),
    ("undefined-alias", b"a: *nothing\n", "alias", 1),
]


@pytest.mark.parametrize("name,content,code,line", WHOLE_FILE_CASES, ids=[c[0] for c in WHOLE_FILE_CASES])
def test_bad_file(project: Path, name: str, content: bytes, code: str, line: int | None) -> None:
    problems = problems_after(project, PAPER, content)
    mine = [p for p in problems if p.file.endswith("alpha2020-example.yaml")]
    assert [p.code for p in mine] == [code], [p.format() for p in problems]
    if line is not None:
        assert mine[0].line == line


def test_alias_bomb_is_refused_quickly(project: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    problems = problems_after(project, PAPER, "\n".join(lines) + "\n")
    assert [p.code for p in problems if p.file.endswith("alpha2020-example.yaml")] == ["alias"]


def test_duplicate_ids_across_files(project: Path) -> None:
    text = (project / PAPER).read_text()
    problems = problems_after(project, "catalog/papers/sub/alpha2020-example.yaml", text)
    assert any(p.code == "duplicate-id" and "already used" in p.message for p in problems)


def test_misplaced_file(project: Path) -> None:
    problems = problems_after(project, "catalog/papers/notes.yml", "id: x\n")
    assert [p.code for p in problems] == ["misplaced-file"]


def test_method_and_criterion_references(project: Path) -> None:
    method = "catalog/methods/toy-gradient.yaml"
    problems = problems_after(
        project, method, edit(project, method, "introduced_by: alpha2020-example", "introduced_by: nobody2000-paper")
    )
    assert [(p.code, p.field, p.line) for p in problems] == [("unknown-reference", "introduced_by", 7)]
    problems_after(project, method, (FIXTURES / method).read_text())
    crit = "catalog/criteria/toy-faithfulness.yaml"
    problems = problems_after(project, crit, (project / crit).read_text() + "related: [toy-stability]\n")
    assert [(p.code, p.field) for p in problems] == [("unknown-reference", "related[0]")]


def test_unknown_field_suggests_the_close_name(project: Path) -> None:
    problems = problems_after(project, PAPER, edit(project, PAPER, "venue_type:", "venue_typ:"))
    messages = [p.message for p in problems if p.code == "unknown-field"]
    assert messages == ["unknown field 'venue_typ'; did you mean 'venue_type'?"]


def test_a_broken_record_does_not_cascade(project: Path) -> None:
    problems = problems_after(project, PAPER, edit(project, PAPER, "year: 2020", 'year: "2020"'))
    assert [p.code for p in problems] == ["type"]


def test_every_problem_is_reported_not_just_the_first(project: Path) -> None:
    text = edit(project, PAPER, "year: 2020", 'year: "2020"')
    text = text.replace("venue_type: conference", "venue_type: podcast").replace("title:", "titel:")
    (project / "catalog/methods/toy-gradient.yaml").write_text("id: toy-gradient\n")
    problems = problems_after(project, PAPER, text)
    files = {Path(p.file).name for p in problems}
    assert {"alpha2020-example.yaml", "toy-gradient.yaml"} <= files
    assert len(problems) >= 6


def test_every_code_is_documented() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in doc, f"problem code {code} is not documented in docs/validation.md"


def test_load_catalog_raises_with_all_problems(project: Path) -> None:
    problems_after(project, PAPER, b"- not a mapping\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(project / "catalog")
    assert "not-mapping" in [p.code for p in info.value.problems]


def test_cli_output_format_and_exit_status(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "ok: 2 papers" in capsys.readouterr().err
    (project / PAPER).write_text(edit(project, PAPER, "year: 2020", 'year: "2020"'))
    assert main(["validate"]) == 1
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    assert len(lines) == 1
    match = LINE_FORMAT.match(lines[0])
    assert match, lines[0]
    assert match["file"] == PAPER and match["line"] == "4" and match["field"] == "year" and match["code"] == "type"
    assert "1 problem(s) in 1 file(s)" in out.err


def test_cli_missing_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    assert "catalog folder not found" in capsys.readouterr().out


ORIGINAL = """original:
  proposed_in: A blog post, 2022
  note: We chose the task and the schedule.
  rankings:
    - title: Toy task
      score: toy value
      better: lower
      columns: [precondition]
      entries:
        - {method: toy-gradient, score: toy-check, columns: [toy-precondition]}
        - {method: toy-gradient-typo, score: toy-chek, columns: [toy-precondition]}
"""


def test_a_ranking_names_known_methods_and_the_records_own_checks(project: Path) -> None:
    text = (project / PAPER).read_text(encoding="utf-8") + ORIGINAL
    problems = problems_after(project, PAPER, text)
    found = {(p.field, p.code) for p in problems}
    assert ("original.rankings[0].entries[1].method", "unknown-reference") in found
    assert ("original.rankings[0].entries[1].score", "unknown-reference") in found
    assert len(problems) == 2, problems
    assert any("did you mean 'toy-check'" in p.message for p in problems)


def test_a_ranking_entry_has_one_check_per_column(project: Path) -> None:
    text = (project / PAPER).read_text(encoding="utf-8") + ORIGINAL.replace(
        "columns: [toy-precondition]}\n        - {method: toy-gradient-typo", "columns: []}\n        - {method: xx"
    )
    problems = problems_after(project, PAPER, text)
    assert any("lists 0 column checks; the ranking has 1 columns" in p.message for p in problems), problems
