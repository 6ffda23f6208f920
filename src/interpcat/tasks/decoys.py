"""Decoys and tags planted in images: the shortcuts that papers train models to take.

References:
    Ross, A. S., Hughes, M. C., Doshi-Velez, F. (2017). Right for the Right Reasons: Training
    Differentiable Models by Constraining their Explanations. IJCAI 2017 (Decoy MNIST).
    Lapuschkin, S., et al. (2019). Unmasking Clever Hans predictors and assessing what machines
    really learn. Nature Communications 10, 1096 (the source tag on horse images).
"""

from __future__ import annotations

import numpy as np


def add_corner_decoys(
    images: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    *,
    patch: int = 2,
    shade_labels: np.ndarray | None = None,
    levels: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Put a square swatch in a random corner of each image, its shade a function of a label.

    The shade is ``1 - shade_label / levels``, so with ``shade_labels=labels`` the swatch predicts
    the class (the decoy a model can learn instead of the digit); pass other labels (e.g. random
    ones) to build a test set where the decoy misleads. Returns the images and the annotation
    masks (1 on the swatch: the region an explanation should *not* rely on).

    Scaled-down analog of DecoyMNIST (Ross et al. 2017, Section 4.2), for 8x8 digits.
    """
    shade_labels = labels if shade_labels is None else shade_labels
    out = images.copy()
    masks = np.zeros_like(images)
    size = images.shape[-1]
    for i in range(len(images)):
        rows = slice(0, patch) if rng.random() < 0.5 else slice(size - patch, size)
        cols = slice(0, patch) if rng.random() < 0.5 else slice(size - patch, size)
        out[i, :, rows, cols] = 1.0 - shade_labels[i] / levels
        masks[i, :, rows, cols] = 1.0
    return out, masks


def add_tag(
    images: np.ndarray,
    which: np.ndarray,
    *,
    value: float = 1.0,
    rows: slice = slice(0, 2),
    cols: slice = slice(0, 2),
) -> tuple[np.ndarray, np.ndarray]:
    """Paste a small tag (a patch set to ``value``) on the images selected by the boolean ``which``.

    Returns the images and masks marking the tag on tagged images (zeros elsewhere). This is the
    scaled-down analog of the source tag in Lapuschkin et al. 2019 (the watermark on horse images).
    """
    out = images.copy()
    masks = np.zeros_like(images)
    out[which, :, rows, cols] = value
    masks[which, :, rows, cols] = 1.0
    return out, masks


def add_decoy_mnist_swatches(
    images: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    *,
    shade_labels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Decoy MNIST's swatch (Ross et al. 2017, Section 4.2) on 28x28 images in [0, 1].

    As ``augment`` in the authors' code (github.com/dtak/rrr, ``rrr/decoy_mnist.py``): a 4x4 square
    in a corner drawn by two fair coins (top or bottom, left or right), of shade ``255 - 25 * d``
    on MNIST's 0-255 scale, here ``(255 - 25 * d) / 255``, where ``d`` is the label (training) or
    ``shade_labels`` (e.g. uniformly random digits, as in the paper's test set). Returns the images
    and the annotation masks (1 on the swatch).
    """
    if images.shape[-2:] != (28, 28):
        raise ValueError(f"Decoy MNIST is defined on 28x28 images, not {images.shape[-2:]}")
    return add_corner_decoys(images, labels, rng, patch=4, shade_labels=shade_labels, levels=255 / 25)
