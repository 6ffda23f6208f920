"""Small models for scaled-down reproductions."""

from __future__ import annotations

import torch
from torch import nn

from interpcat.repro.nets import mnist_convolutions


def test_mnist_convolutions_shapes_and_layout() -> None:
    x = torch.zeros(2, 1, 28, 28)
    two, three = mnist_convolutions(), mnist_convolutions((8, 16, 16))
    assert two(x).shape == (2, 16, 5, 5) and three(x).shape == (2, 16, 3, 3)
    kinds = [type(m) for m in three]  # flat: conv, ReLU, pool twice, then conv, ReLU without pooling
    assert kinds == [nn.Conv2d, nn.ReLU, nn.MaxPool2d] * 2 + [nn.Conv2d, nn.ReLU]
    assert [m.out_channels for m in two if isinstance(m, nn.Conv2d)] == [8, 16]


def test_mnist_convolutions_initialise_in_order() -> None:
    torch.manual_seed(0)
    ours = mnist_convolutions((8, 16))
    torch.manual_seed(0)
    by_hand = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2)
    )
    for key, value in by_hand.state_dict().items():
        assert torch.equal(ours.state_dict()[key], value)
