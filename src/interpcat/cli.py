"""The ``interpcat`` command: a thin shell over the library (parse arguments, print, exit)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate_project

    report = validate_project(Path(args.path))
    for problem in report.problems:
        print(problem.format())
    print(report.summary(), file=sys.stderr)
    return 1 if report.problems else 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from .schema import stale_schemas, write_schemas

    out = Path(args.out)
    if args.check:
        stale = stale_schemas(out)
        for name in stale:
            print(f"{out / name}: stale or missing; run 'interpcat schema' to regenerate", file=sys.stderr)
        return 1 if stale else 0
    for path in write_schemas(out):
        print(f"wrote {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .catalog import load_catalog
    from .export import export
    from .problems import CatalogError

    try:
        catalog = load_catalog(Path(args.catalog))
    except CatalogError as err:
        for problem in err.problems:
            print(problem.format(), file=sys.stderr)
        print(f"export refused: {len(err.problems)} problem(s); run 'interpcat validate'", file=sys.stderr)
        return 1
    text = export(catalog, args.format, args.table)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _cmd_site_render(args: argparse.Namespace) -> int:
    from .problems import CatalogError
    from .site.tree import TreeError, render_tree

    root, out = Path(args.root), Path(args.out)
    try:
        written = render_tree(root, out, directory_urls=not args.no_directory_urls)
    except CatalogError as err:
        for problem in err.problems:
            print(problem.format(), file=sys.stderr)
        print(f"render refused: {len(err.problems)} problem(s); run 'interpcat validate'", file=sys.stderr)
        return 1
    except TreeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {out / 'docs'} and {out / 'mkdocs.yml'}", file=sys.stderr)
    print(f"build it with: mkdocs build -f {out / 'mkdocs.yml'}  (or: zensical build -f {out / 'mkdocs.yml'})")
    return 0


def _cmd_repro_run(args: argparse.Namespace) -> int:
    from .repro.environment import project_root
    from .repro.runner import discover, run_notebooks

    root = project_root()
    try:
        notebooks = discover(root, args.papers)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out_root = Path(args.out) if args.out else root / "repro" / "results"
    print(
        f"running {len(notebooks)} notebook(s), profile {args.profile}, {args.jobs} at a time -> {out_root / args.profile}",
        file=sys.stderr,
    )
    outcomes = run_notebooks(root, notebooks, args.profile, out_root, jobs=args.jobs, timeout=args.timeout)
    failed = [o.paper for o in outcomes if o.status != "ok"]
    if failed:
        print(f"{len(failed)} notebook(s) did not complete: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_repro_compare(args: argparse.Namespace) -> int:
    from .catalog import load_catalog
    from .repro.compare import compare_dirs
    from .repro.environment import project_root

    catalog = load_catalog(project_root() / "catalog")
    try:
        diffs = compare_dirs(Path(args.committed), Path(args.fresh), args.papers, catalog=catalog)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for diff in diffs:
        print(diff.format())
    failing = [d for d in diffs if d.failing]
    if failing:
        print(f"{len(failing)} difference(s) from the committed results", file=sys.stderr)
        return 1
    notes = f" ({len(diffs)} one-value check(s) moved; see the notes)" if diffs else ""
    print(f"outcomes, verdicts and expectations agree with the committed results{notes}", file=sys.stderr)
    return 0


def _cmd_repro_audit(args: argparse.Namespace) -> int:
    from .audit import STATE_LABELS, audit_project
    from .catalog import load_catalog
    from .repro.environment import project_root

    root = project_root()
    catalog = load_catalog(root / "catalog")
    report = audit_project(root, catalog)
    rows = sorted(report.checks.values(), key=lambda a: (a.notebook, a.check))
    if args.json:
        print(json.dumps([a.__dict__ for a in rows], indent=2))
        return 0
    counts: dict[str, int] = {}
    for a in rows:
        counts[a.state] = counts.get(a.state, 0) + 1
        print(f"{a.notebook}: {a.check}: {STATE_LABELS[a.state]}: {a.detail}")
    for (profile, notebook), changed in sorted(report.notebook_changed.items()):
        if changed:
            print(f"{notebook}: the notebook changed after its {profile} result was produced")
    print(", ".join(f"{n} {STATE_LABELS[s]}" for s, n in sorted(counts.items())), file=sys.stderr)
    return 0


def _cmd_repro_list(args: argparse.Namespace) -> int:
    from .repro.environment import project_root
    from .repro.runner import discover

    for notebook in discover(project_root()):
        print(notebook.stem)
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from .repro.environment import project_root
    from .scaffold import ScaffoldError, new_paper, next_steps

    try:
        root = project_root()
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    bibtex = None
    if args.bibtex is not None:
        try:
            bibtex = sys.stdin.read() if args.bibtex == "-" else Path(args.bibtex).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            print(f"error: cannot read {args.bibtex}: {err}", file=sys.stderr)
            return 1
    try:
        scaffold = new_paper(
            root, args.paper_id, title=args.title, year=args.year, bibtex=bibtex, notebook=args.notebook
        )
    except ScaffoldError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path in scaffold.files:
        print(f"created {path}")
    for note in scaffold.notes:
        print(f"note: {note}")
    print("next steps:")
    for i, step in enumerate(next_steps(scaffold), 1):
        print(f"  {i}. {step}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .export import CSV_TABLES, FORMATS

    parser = argparse.ArgumentParser(
        prog="interpcat", description="Interpretability literature catalog: validate, export, reproduce."
    )
    parser.add_argument("--version", action="version", version=f"interpcat {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check every record and reproduction result; print each problem")
    p.add_argument("path", nargs="?", default="catalog", help="catalog folder (default: ./catalog)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("schema", help="write the JSON Schema files exported from the record models")
    p.add_argument("--out", default="catalog/schema", help="folder for the schema files (default: catalog/schema)")
    p.add_argument("--check", action="store_true", help="exit 1 if the files are stale instead of writing them")
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("export", help="write the whole catalog as JSON, BibTeX or CSV")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--table", choices=CSV_TABLES, default="papers", help="which table, for --format csv")
    p.add_argument("--catalog", default="catalog", help="catalog folder (default: ./catalog)")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.set_defaults(func=_cmd_export)

    site = sub.add_parser("site", help="render the site's source as a plain docs tree")
    ssub = site.add_subparsers(dest="site_command", required=True, metavar="ACTION")
    p = ssub.add_parser("render", help="write OUT/docs (every page, the JSON API, the feed) and OUT/mkdocs.yml")
    p.add_argument("out", metavar="OUT", help="folder to write (replaced if an earlier render wrote it)")
    p.add_argument("--root", default=".", help="project root holding catalog/, repro/, docs/, mkdocs.yml")
    p.add_argument("--no-directory-urls", action="store_true", help="links for use_directory_urls: false")
    p.set_defaults(func=_cmd_site_render)

    repro = sub.add_parser("repro", help="run reproduction notebooks and compare their verdicts")
    rsub = repro.add_subparsers(dest="repro_command", required=True, metavar="ACTION")
    p = rsub.add_parser("run", help="execute notebooks; write results and executed notebooks")
    p.add_argument("papers", nargs="*", metavar="PAPER_ID", help="paper ids (default: every notebook in repro/)")
    p.add_argument("--profile", choices=("smoke", "full"), default="smoke")
    p.add_argument("--jobs", type=int, default=1, help="notebooks to run at once (default: 1)")
    p.add_argument("--timeout", type=int, default=900, help="seconds per notebook (default: 900)")
    p.add_argument("--out", help="results root (default: repro/results); files go to OUT/<profile>/")
    p.set_defaults(func=_cmd_repro_run)
    p = rsub.add_parser(
        "compare", help="exit 1 if outcomes, verdicts or expectations differ from the committed results"
    )
    p.add_argument("fresh", help="folder of fresh results, e.g. build/repro/smoke")
    p.add_argument("committed", nargs="?", default="repro/results/smoke", help="default: repro/results/smoke")
    p.add_argument("--papers", nargs="*", help="only these paper ids")
    p.set_defaults(func=_cmd_repro_compare)
    p = rsub.add_parser("audit", help="tell, per check, whether its expectation was committed before its result")
    p.add_argument("--json", action="store_true", help="print the audit as JSON")
    p.set_defaults(func=_cmd_repro_audit)
    p = rsub.add_parser("list", help="list the reproduction notebooks")
    p.set_defaults(func=_cmd_repro_list)

    new = sub.add_parser("new", help="scaffold a new record for a contribution")
    nsub = new.add_subparsers(dest="new_command", required=True, metavar="KIND")
    p = nsub.add_parser("paper", help="write catalog/papers/ID.yaml to fill in (and with --notebook, repro/ID.py)")
    p.add_argument("--id", required=True, dest="paper_id", help="<first author's last name><year>-<short-name>")
    p.add_argument("--title", help="the paper's exact title (default: from --bibtex)")
    p.add_argument("--year", type=int, help="publication year (default: from --bibtex)")
    p.add_argument("--bibtex", metavar="FILE", help="take the facts from the one entry in FILE ('-': standard input)")
    p.add_argument("--notebook", action="store_true", help="also write a reproduction notebook stub repro/ID.py")
    p.set_defaults(func=_cmd_new)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
