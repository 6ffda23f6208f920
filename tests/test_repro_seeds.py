"""SeedTable: per-seed rows, labels for run.measure, and the spread the verdicts' interval uses."""

import math

import pytest

from interpcat.repro import SeedTable
from interpcat.repro.seeds import spread_by_variant
from interpcat.verdicts import t_interval


def _table() -> SeedTable:
    table = SeedTable()
    for seed, (a, b) in enumerate([(0.5, 1.0), (0.7, 2.0), (0.9, 3.0)]):
        table.add(seed, a=a, b=b, passed=a > 0.6)
    return table


def test_labelled_by_column_and_by_function():
    table = _table()
    assert table.labelled("a") == {"seed 0": 0.5, "seed 1": 0.7, "seed 2": 0.9}
    assert table.labelled(lambda r: r["b"] - r["a"]) == pytest.approx({"seed 0": 0.5, "seed 1": 1.3, "seed 2": 2.1})
    assert table.labelled("passed") == {"seed 0": False, "seed 1": True, "seed 2": True}


def test_add_extends_a_row_and_keeps_order():
    table = SeedTable(unit="network")
    table.add(7, x=1.0)
    table.add(3, x=2.0)
    table.add(7, y=5.0)
    assert table.keys() == [7, 3]
    assert table[7] == {"x": 1.0, "y": 5.0}
    assert list(table.labelled("x")) == ["network 7", "network 3"]


def test_mean_and_sample_sd():
    table = _table()
    assert table.mean("a") == pytest.approx(0.7)
    assert table.sd("a") == pytest.approx(0.2)


def test_spread_uses_the_verdicts_interval():
    table = _table()
    text = table.spread(["a"])
    _, lo, hi = t_interval([0.5, 0.7, 0.9])
    assert f"[{lo:.3f}, {hi:.3f}]" in text
    assert text.startswith("over 3 seeds")
    assert "passed" not in table.spread()  # booleans are not spread


def test_one_value_has_no_interval():
    table = SeedTable()
    table.add(0, a=1.0)
    assert "one value" in table.spread()
    assert table.sd("a") == 0.0
    assert not math.isnan(table.mean("a"))


def test_spread_by_variant_names_each_implementation():
    text = spread_by_variant({"shap": [0.1, 0.2], "captum": [0.3, 0.5]})
    assert text.splitlines()[0].startswith("shap")
    assert "n=2" in text.splitlines()[1]


def test_by_unit_labels_and_refuses_a_length_mismatch():
    from interpcat.repro import by_unit

    assert by_unit([3, 4], [0.5, True]) == {"seed 3": 0.5, "seed 4": True}
    assert by_unit(["a"], [1], unit="image") == {"image a": 1.0}
    with pytest.raises(ValueError, match="2 seeds but 1 values"):
        by_unit([0, 1], [0.5])
