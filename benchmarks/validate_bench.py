"""Validator throughput on N synthetic records, side by side with bare YAML parses of the same files.

python benchmarks/validate_bench.py --n 10000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from interpcat.catalog import check_catalog
from interpcat.synthetic import write_catalog


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--python-loader", action="store_true", help="also time yaml.safe_load (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalog = write_catalog(Path(tmp), args.n)
        files = sorted(catalog.rglob("*.yaml"))
        size = sum(f.stat().st_size for f in files) / len(files)

        def c_parse() -> None:
            for f in files:
                yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)

        def validate() -> None:
            _, problems = check_catalog(catalog)
            assert not problems, problems[:3]

        c_parse()  # warm the page cache
        t_c = _timed(c_parse)
        t_v = _timed(validate)
        print(f"records: {len(files)} files, {size / 1024:.1f} KB each")
        print(f"bare yaml.load(CSafeLoader): {t_c:.2f} s")
        print(f"interpcat validate:          {t_v:.2f} s  ({len(files) / t_v:,.0f} records/s)")
        print(f"ratio validate / bare C parse: {t_v / t_c:.2f}x")
        if args.python_loader:
            t_py = _timed(lambda: [yaml.safe_load(f.read_bytes()) for f in files])
            print(f"bare yaml.safe_load (pure Python): {t_py:.2f} s; ratio validate / it: {t_v / t_py:.2f}x")


if __name__ == "__main__":
    main()
