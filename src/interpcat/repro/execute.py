"""Execute one py:percent notebook with nbclient and save it with its outputs.

    python -m interpcat.repro.execute repro/<paper>.py OUT.ipynb [--cell-timeout S]

Exit status 1 if a cell raised. The executed notebook is written either way, with the machine's
absolute paths in its outputs (warnings name the file they come from) made portable, since executed
notebooks are committed and shown on the site.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import sysconfig
import tempfile
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from .environment import PEAK_MARK

KERNEL_CELL = re.compile(re.escape(tempfile.gettempdir()) + r"/ipykernel_\d+/\d+\.py")  # where a cell's code "lives"


def portable_paths(root: Path) -> list[tuple[str, str]]:
    """(absolute prefix, placeholder) pairs, the most specific prefix first."""
    places = {
        sysconfig.get_paths()["purelib"]: "<site-packages>",
        sysconfig.get_paths()["platlib"]: "<site-packages>",
        sysconfig.get_paths()["stdlib"]: "<stdlib>",
        str(root.resolve()): ".",
        str(Path.home()): "~",
    }
    return sorted(((prefix, label) for prefix, label in places.items() if len(prefix) > 1), key=lambda p: -len(p[0]))


def scrub(text: str, replacements: list[tuple[str, str]]) -> str:
    """Replace the machine's absolute paths in ``text`` by placeholders."""
    for prefix, label in replacements:
        text = text.replace(prefix + "/", label + "/")
    return KERNEL_CELL.sub("<cell>", text)


def scrub_outputs(notebook: nbformat.NotebookNode, root: Path) -> None:
    """Make the text outputs of ``notebook`` free of this machine's absolute paths."""
    replacements = portable_paths(root)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = scrub(output["text"], replacements)
            if "traceback" in output:
                output["traceback"] = [scrub(line, replacements) for line in output["traceback"]]
            if "evalue" in output:
                output["evalue"] = scrub(output["evalue"], replacements)
            data = output.get("data", {})
            if isinstance(data.get("text/plain"), str):
                data["text/plain"] = scrub(data["text/plain"], replacements)


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
        print(scrub(str(err)[-3000:], portable_paths(Path.cwd())), file=sys.stderr)
        status = 1
    finally:
        scrub_outputs(notebook, Path.cwd())
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        # The kernel is this process's child and has been waited for: its peak RSS, for the runner.
        print(f"{PEAK_MARK}{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", flush=True)
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
