"""Plots that notebooks share (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def _as_2d(image: object) -> np.ndarray:
    arr = np.asarray(image.detach().cpu() if hasattr(image, "detach") else image, dtype=float)
    while arr.ndim > 2:
        arr = arr.sum(0) if arr.shape[0] > 1 else arr[0]
    return arr


def heatmap_grid(
    rows: Sequence[Sequence[object]],
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    *,
    signed: bool = True,
    size: float = 1.4,
    title: str | None = None,
) -> plt.Figure:
    """A grid of images or attribution maps: one row per method or model, one column per example.

    Signed maps use a diverging colour map centred on zero; unsigned ones use a sequential map.
    """
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols + 1.2, size * n_rows), squeeze=False)
    for r, row in enumerate(rows):
        for c in range(n_cols):
            ax = axes[r][c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(row):
                ax.axis("off")
                continue
            arr = _as_2d(row[c])
            if signed and arr.min() < 0:
                lim = float(np.abs(arr).max()) or 1.0
                ax.imshow(arr, cmap="RdBu_r", vmin=-lim, vmax=lim)
            else:
                ax.imshow(arr, cmap="gray_r" if r == 0 and not signed else "magma")
            if c == 0:
                ax.set_ylabel(row_labels[r], rotation=0, ha="right", va="center", fontsize=9)
            first_row_with_column = next(i for i, rr in enumerate(rows) if c < len(rr))
            if col_labels is not None and r == first_row_with_column and c < len(col_labels):
                ax.set_title(col_labels[c], fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def line_plot(
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    logx: bool = False,
    logy: bool = False,
) -> plt.Figure:
    """Several named series against one x axis."""
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for name, ys in series.items():
        ax.plot(list(x), list(ys), marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
