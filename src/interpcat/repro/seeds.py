"""Per-seed measurements: one row of named values per unit, and the spread notebooks print.

Every notebook repeats an experiment over seeds (or networks, images) and hands the catalog's
checks one value per unit. ``SeedTable`` holds those rows, labels them for ``run.measure`` and
prints their spread with the same 95 % interval the verdicts use::

    table = SeedTable()
    for seed in cfg.seeds:
        table.add(seed, plain_test=..., rrr_test=...)
    print(table.spread())
    run.measure("decoy-collapse", table.labelled("plain_test"))
    run.measure("rrr-recovers", table.labelled(lambda r: r["no_decoy"] - r["rrr_test"]))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..verdicts import t_interval

Value = str | Callable[[Mapping[str, Any]], float | bool]


class SeedTable:
    """Rows of named measurements, one per unit (a seed, a network, an image), in insertion order."""

    def __init__(self, unit: str = "seed") -> None:
        self.unit = unit
        self._rows: dict[Any, dict[str, Any]] = {}

    def add(self, key: Any, **values: Any) -> dict[str, Any]:
        """Record (or extend) the row of one unit, e.g. ``add(3, test_accuracy=0.91)``."""
        row = self._rows.setdefault(key, {})
        row.update(values)
        return row

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._rows.values())

    def __getitem__(self, key: Any) -> dict[str, Any]:
        return self._rows[key]

    def keys(self) -> list[Any]:
        return list(self._rows)

    def label(self, key: Any) -> str:
        return f"{self.unit} {key}"

    def labelled(self, value: Value) -> dict[str, float | bool]:
        """One value per unit, labelled ``"seed 3"``: a column name, or a function of the row."""
        get = (lambda row: row[value]) if isinstance(value, str) else value
        out: dict[str, float | bool] = {}
        for key, row in self._rows.items():
            v = get(row)
            out[self.label(key)] = v if isinstance(v, bool | np.bool_) else float(v)
        return out

    def column(self, value: Value) -> np.ndarray:
        return np.array(list(self.labelled(value).values()), dtype=float)

    def mean(self, value: Value) -> float:
        return float(np.mean(self.column(value)))

    def sd(self, value: Value) -> float:
        """Sample standard deviation (0 for one unit)."""
        col = self.column(value)
        return float(np.std(col, ddof=1)) if len(col) > 1 else 0.0

    def numeric_columns(self) -> list[str]:
        names: list[str] = []
        for row in self._rows.values():
            for name, v in row.items():
                if name not in names and isinstance(v, int | float | np.number) and not isinstance(v, bool):
                    names.append(name)
        return names

    def spread(self, columns: Sequence[str] | None = None, digits: int = 3) -> str:
        """A plain-text table: per column, the mean, its 95 % interval, the SD, min and max."""
        names = list(columns) if columns is not None else self.numeric_columns()
        rows = [("", "mean", "95% interval", "sd", "min", "max", "n")]
        for name in names:
            col = np.array([row[name] for row in self._rows.values() if name in row], dtype=float)
            if not len(col):
                continue
            m, lo, hi = t_interval(list(col))
            sd = float(np.std(col, ddof=1)) if len(col) > 1 else math.nan
            f = f"{{:.{digits}f}}"
            interval = f"[{f.format(lo)}, {f.format(hi)}]" if len(col) > 1 else "one value"
            rows.append(
                (name, f.format(m), interval, f.format(sd), f.format(col.min()), f.format(col.max()), str(len(col)))
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True))
            )
            for r in rows
        ]
        return f"over {len(self)} {self.unit}s:\n" + "\n".join(lines)


def spread_by_variant(values: Mapping[str, Sequence[float]], digits: int = 3) -> str:
    """The same quantity measured by several implementations: mean and 95 % interval of each."""
    lines = []
    width = max((len(name) for name in values), default=0)
    for name, vals in values.items():
        m, lo, hi = t_interval([float(v) for v in vals])
        lines.append(f"{name.ljust(width)}  {m:.{digits}f}  [{lo:.{digits}f}, {hi:.{digits}f}]  n={len(vals)}")
    return "\n".join(lines)


def by_unit(keys: Sequence[Any], values: Sequence[float | bool], unit: str = "seed") -> dict[str, float | bool]:
    """Label one value per unit for ``run.measure``: ``by_unit([0, 1], [0.9, 0.8])`` → ``{"seed 0": 0.9, ...}``."""
    if len(keys) != len(values):
        raise ValueError(f"{len(keys)} {unit}s but {len(values)} values")
    return {f"{unit} {k}": v if isinstance(v, bool | np.bool_) else float(v) for k, v in zip(keys, values, strict=True)}
