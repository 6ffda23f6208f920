"""Check that reproduction notebooks are valid jupytext py:percent notebooks.

Usage: .venv/bin/python scripts/check-notebooks.py [FILE ...]   (default: every repro/*.py)

Each file must start with the jupytext header that names ``formats: py:percent``, parse as
Python, convert to a valid .ipynb, hold markdown and code cells, and read back to the same
cells after a write (a py:percent round trip). Prints every problem; exits 1 if any.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import jupytext
import nbformat

HEADER = "# ---\n# jupyter:\n"


def problems_of(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [f"cannot read: {err}"]
    found = []
    if not text.startswith(HEADER):
        found.append("does not start with the jupytext header ('# ---' then '# jupyter:')")
    try:
        ast.parse(text, filename=str(path))
    except SyntaxError as err:
        return [*found, f"line {err.lineno}: not valid Python: {err.msg}"]
    notebook = jupytext.reads(text, fmt="py:percent")
    formats = notebook.metadata.get("jupytext", {}).get("formats")
    if formats != "py:percent":
        found.append(f"the header gives formats: {formats!r}, not py:percent")
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as err:
        found.append(f"does not convert to a valid notebook: {err.message}")
    kinds = {cell.cell_type for cell in notebook.cells}
    if not {"markdown", "code"} <= kinds:
        found.append("needs '# %% [markdown]' cells and '# %%' code cells")
    again = jupytext.reads(jupytext.writes(notebook, fmt="py:percent"), fmt="py:percent")
    if [(c.cell_type, c.source) for c in again.cells] != [(c.cell_type, c.source) for c in notebook.cells]:
        found.append("cells change in a py:percent round trip: check the '# %%' markers")
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(p for p in Path("repro").glob("*.py") if not p.name.startswith("_"))
    failed = 0
    for path in paths:
        for problem in problems_of(path):
            print(f"{path}: {problem}")
            failed += 1
    if failed:
        print(f"{failed} problem(s) in the notebooks", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
