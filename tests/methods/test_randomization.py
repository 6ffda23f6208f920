"""Cascading / independent re-initialisation and the map-similarity helper of the sanity checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from interpcat.methods.randomization import (
    cascading_randomization,
    fit_until,
    independent_randomization,
    map_similarity,
    permuted_labels,
    randomized_copy,
)
from interpcat.repro.data import to_split
from interpcat.repro.nets import MLP, SmallCNN, trainable_layers


def _params(model: torch.nn.Module, layer: str) -> list[torch.Tensor]:
    return [p.detach().clone() for p in dict(model.named_modules())[layer].parameters(recurse=False)]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_cascade_reinitialises_top_k_layers_and_leaves_the_original_alone() -> None:
    torch.manual_seed(0)
    model = SmallCNN()
    names = [n for n, _ in trainable_layers(model)]
    before = {n: _params(model, n) for n in names}
    cascade = cascading_randomization(model, seed=3)
    assert [label for label, _ in cascade] == ["trained", *names]
    for k, (_, copy) in enumerate(cascade):
        for i, name in enumerate(names):
            assert _same(_params(copy, name), before[name]) is (i >= k), (k, name)
    for name in names:  # the trained model itself is never modified
        assert _same(_params(model, name), before[name])


def test_cascade_is_cumulative_and_seeded() -> None:
    torch.manual_seed(0)
    model = MLP(8, 3, hidden=5, depth=2)
    top = trainable_layers(model)[0][0]
    a = cascading_randomization(model, seed=1)
    b = cascading_randomization(model, seed=1)
    c = cascading_randomization(model, seed=2)
    # the same layer gets the same fresh weights at every later step of one cascade, and in a rerun
    assert _same(_params(a[1][1], top), _params(a[-1][1], top))
    assert _same(_params(a[2][1], top), _params(b[2][1], top))
    assert not _same(_params(a[1][1], top), _params(c[1][1], top))


def test_randomized_copy_keeps_the_global_rng_and_rejects_unknown_layers() -> None:
    model = SmallCNN()
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    randomized_copy(model, ["classifier.2", "features.0"], seed=0)
    assert torch.equal(torch.rand(3), expected)
    with pytest.raises(KeyError):
        randomized_copy(model, ["no.such.layer"])


def test_independent_randomization_changes_exactly_one_layer() -> None:
    model = SmallCNN()
    names = [n for n, _ in trainable_layers(model)]
    for changed, copy in independent_randomization(model, seed=0):
        for name in names:
            assert _same(_params(copy, name), _params(model, name)) is (name != changed)


def test_map_similarity_zero_ties_inflate_the_raw_absolute_correlation() -> None:
    # Two unrelated maps that are both exactly zero where the input is zero (as Input x Gradient is):
    rng = np.random.default_rng(0)
    x = torch.zeros(1, 1, 8, 8)
    x[..., 2:6, 2:6] = torch.rand(1, 1, 4, 4) + 0.1  # 16 non-zero pixels of 64
    a = torch.as_tensor(rng.normal(size=(1, 1, 8, 8)), dtype=torch.float32) * (x != 0)
    b = torch.as_tensor(rng.normal(size=(1, 1, 8, 8)), dtype=torch.float32) * (x != 0)
    sim = map_similarity(a, b, x)
    assert sim["abs_raw"][0] > 0.5  # 48 tied zeros ranked lowest in both maps
    assert abs(sim["abs_nonzero"][0]) < 0.6
    assert sim["abs_raw"][0] > sim["abs_nonzero"][0] + 0.3
    same = map_similarity(a, a, x)
    assert same["signed_nonzero"][0] == pytest.approx(1.0)
    flat = map_similarity(torch.zeros_like(a), a, x)
    assert math.isnan(flat["abs_nonzero"][0])
    with pytest.raises(ValueError):
        map_similarity(a, b[..., :4], x)


def test_permuted_labels_and_fit_until_memorises() -> None:
    torch.manual_seed(0)
    y = torch.arange(40) % 4
    perm = permuted_labels(y, seed=0)
    assert sorted(perm.tolist()) == sorted(y.tolist()) and not torch.equal(perm, y)
    X = torch.randn(40, 6)
    model = MLP(6, 4, hidden=64, depth=2)
    epochs, acc = fit_until(model, to_split(X.numpy(), perm.numpy()), target_accuracy=0.95, max_epochs=400, lr=1e-2)
    assert acc >= 0.95 and 0 < epochs <= 400
