"""Property-based tests: whatever a file holds, the validator reports problems and never crashes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpcat.catalog import parse_record
from interpcat.problems import CODES
from interpcat.records import Paper

FIELDS = [*Paper.model_fields, "reported", "value", "reproduction", "notebook", "status", "paper"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2020", "1703.01365", "https://a.org", "javascript:alert(1)", "not-attempted", "<script>"]),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=12))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)),
    max_leaves=30,
)
paper_like = st.fixed_dictionaries({}, optional={f: documents for f in Paper.model_fields})
yaml_fragments = st.lists(
    st.sampled_from(
        [
            "a:",
            " b",
            "- ",
            "&x",
            "*x",
            "!!str",
            "!!python/object:os.system",
            "[",
            "]",
            "{",
            "}",
            ": ",
            "\n",
            "  ",
            "\t",
            "'",
            '"',
            "#",
            "---",
            "...",
            "<<: ",
            "? ",
            "|",
            ">",
            "%YAML 1.1",
            "\\",
            "\x00",
            "\ufeff",
        ]
    ),
    max_size=40,
).map("".join)


_TMP = Path(tempfile.mkdtemp(prefix="interpcat-props-"))
_PATH = _TMP / "catalog" / "papers" / "some-paper.yaml"
_PATH.parent.mkdir(parents=True)


def _check(content: bytes) -> None:
    _PATH.write_bytes(content)
    record, _source, problems = parse_record("papers", _PATH)
    assert record is not None or problems, "a record that failed must come with problems"
    for problem in problems:
        assert problem.code in CODES
        assert problem.line >= 0 and problem.column >= 0
        assert problem.message


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(content: bytes) -> None:
    _check(content)


@SETTINGS
@given(yaml_fragments)
def test_yaml_like_text(text: str) -> None:
    _check(text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(documents)
def test_arbitrary_yaml_documents(doc: object) -> None:
    _check(yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(paper_like)
def test_paper_shaped_documents(doc: dict) -> None:
    _check(yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass"))
