"""Small models for scaled-down reproductions.

Every non-linearity is its own module (never reused, never in-place), so Captum's
GuidedBackprop, Deconvolution and LRP can hook each one; flattening happens in ``forward``, since
Captum's LRP has no rule for ``nn.Flatten``.
"""

from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    """A fully connected network: ``in_dim -> hidden x depth -> out_dim``, flattening its input."""

    def __init__(
        self, in_dim: int, out_dim: int, hidden: int = 64, depth: int = 2, activation: type[nn.Module] = nn.ReLU
    ):
        super().__init__()
        layers: list[nn.Module] = []
        width = in_dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), activation()]
            width = hidden
        layers.append(nn.Linear(width, out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.flatten(1))


class SmallCNN(nn.Module):
    """A two-convolution network for 8x8 single-channel images."""

    def __init__(self, n_classes: int = 10, width: int = 16, in_channels: int = 1, image_size: int = 8):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        flat = 2 * width * (image_size // 2) ** 2
        self.classifier = nn.Sequential(nn.Linear(flat, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


def mnist_convolutions(channels: tuple[int, ...] = (8, 16), in_channels: int = 1) -> nn.Sequential:
    """Unpadded 3x3 convolutions, each followed by a ReLU, the first two also by 2x2 max pooling.

    On 28x28 digits ``(8, 16)`` gives a 16x5x5 feature map and ``(8, 16, 16)`` a 16x3x3 one whose cells
    see 18x18 pixels. The modules form one flat ``nn.Sequential`` (unpack it with ``*`` to extend it
    without nesting); they are created, and so initialised, in order.
    """
    layers: list[nn.Module] = []
    width = in_channels
    for i, out in enumerate(channels):
        layers += [nn.Conv2d(width, out, 3), nn.ReLU()]
        if i < 2:
            layers.append(nn.MaxPool2d(2))
        width = out
    return nn.Sequential(*layers)


def trainable_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Layers with parameters, from the output backwards (the order of cascading randomization)."""
    layers = [
        (name, m) for name, m in model.named_modules() if any(p.requires_grad for p in m.parameters(recurse=False))
    ]
    return list(reversed(layers))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
