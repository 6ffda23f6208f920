"""RISE (randomized input sampling for explanation), written from the paper's description.

RISE treats the model as a black box that returns class scores (probabilities). It draws many
random smooth masks ``M``, scores the masked inputs ``x * M`` and defines the importance of a
pixel as the expected score given that the pixel was kept:

    S(lambda) = E[f(x * M) | M(lambda) = 1]  ~=  1 / (N * E[M]) * sum_i f(x * M_i) * M_i(lambda)

Masks are made by drawing an ``s x s`` grid of independent Bernoulli(p) cells, upsampling it
bilinearly to ``(s + 1) * cell`` pixels (``cell = ceil(H / s)``) and cropping an ``H x W`` window at
a random offset in ``[0, cell)`` along each axis, so the smooth masks are not tied to a fixed grid.

References:
    Petsiuk, V., Das, A., Saenko, K. (2018). RISE: Randomized Input Sampling for Explanation of
    Black-box Models. BMVC 2018. arXiv:1806.07421 (Section 3: the estimator and mask generation).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch.nn import functional as F

Forward = Callable[[torch.Tensor], torch.Tensor]


def rise_masks(
    n_masks: int,
    image_size: tuple[int, int],
    *,
    grid_size: int,
    keep_prob: float,
    generator: torch.Generator,
) -> torch.Tensor:
    """``n_masks`` smooth random masks in [0, 1], shape ``(n_masks, 1, H, W)``.

    Each mask is a ``grid_size x grid_size`` grid of cells kept with probability ``keep_prob``,
    upsampled bilinearly and cropped at a random shift drawn from ``generator`` (reproducible).
    """
    if n_masks < 1 or grid_size < 1:
        raise ValueError("n_masks and grid_size must be positive")
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError("keep_prob must be in (0, 1]")
    height, width = image_size
    cell_h, cell_w = math.ceil(height / grid_size), math.ceil(width / grid_size)
    cells = (torch.rand(n_masks, 1, grid_size, grid_size, generator=generator) < keep_prob).float()
    up = F.interpolate(
        cells, size=((grid_size + 1) * cell_h, (grid_size + 1) * cell_w), mode="bilinear", align_corners=False
    )[:, 0]
    shift_h = torch.randint(0, cell_h, (n_masks,), generator=generator)
    shift_w = torch.randint(0, cell_w, (n_masks,), generator=generator)
    rows = (shift_h[:, None] + torch.arange(height))[:, :, None]  # (N, H, 1)
    cols = (shift_w[:, None] + torch.arange(width))[:, None, :]  # (N, 1, W)
    crops = up[torch.arange(n_masks)[:, None, None], rows, cols]  # (N, H, W)
    return crops[:, None]


@torch.no_grad()
def rise_attribution(
    forward: Forward,
    inputs: torch.Tensor,
    target: torch.Tensor | int,
    masks: torch.Tensor,
    *,
    keep_prob: float,
    batch_size: int = 1000,
) -> torch.Tensor:
    """RISE importance maps for a batch of inputs ``(B, C, H, W)``; returns the same shape.

    ``forward`` maps a batch of inputs to class scores ``(batch, classes)`` (the paper uses
    softmax probabilities); ``target`` is the class explained for each input. Every input is
    scored under all ``masks`` (``(N, 1, H, W)``, shared across inputs and channels) in chunks of
    ``batch_size``; the map is the score-weighted sum of the masks divided by ``N * keep_prob``
    (the expected mask value), the same value in every channel.
    """
    if inputs.dim() != 4 or masks.dim() != 4 or masks.shape[1] != 1 or masks.shape[2:] != inputs.shape[2:]:
        raise ValueError("inputs must be (B, C, H, W) and masks (N, 1, H, W) of the same H, W")
    n = masks.shape[0]
    masks = masks.to(inputs.device, inputs.dtype)
    targets = torch.as_tensor(target, device=inputs.device).reshape(-1).expand(inputs.shape[0])
    flat_masks = masks.reshape(n, -1)
    out = torch.empty_like(inputs)
    for b in range(inputs.shape[0]):
        scores = torch.empty(n, device=inputs.device, dtype=inputs.dtype)
        for start in range(0, n, batch_size):
            chunk = masks[start : start + batch_size] * inputs[b : b + 1]
            scores[start : start + batch_size] = forward(chunk)[:, targets[b]]
        saliency = (scores @ flat_masks).reshape(inputs.shape[2:]) / (n * keep_prob)
        out[b] = saliency.expand_as(inputs[b])
    return out
