"""Execute one py:percent notebook with nbclient and save it with its outputs.

    python -m interpcat.repro.execute repro/<paper>.py OUT.ipynb [--cell-timeout S]

Exit status 1 if a cell raised. The executed notebook is written either way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(source: Path, target: Path, cell_timeout: int) -> int:
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        notebook, timeout=cell_timeout, kernel_name="python3", resources={"metadata": {"path": str(Path.cwd())}}
    )
    status = 0
    try:
        client.execute()
    except CellExecutionError as err:
        print(str(err)[-3000:], file=sys.stderr)
        status = 1
    finally:
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=900)
    args = parser.parse_args()
    return execute(args.source, args.target, args.cell_timeout)


if __name__ == "__main__":
    sys.exit(main())
