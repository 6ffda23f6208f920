"""Randomization sanity checks for attribution maps: model-parameter and data (label) randomization.

References:
    Adebayo, J., Gilmer, J., Muelly, M., Goodfellow, I., Hardt, M., Kim, B. (2018).
    Sanity Checks for Saliency Maps. NeurIPS 2018. arXiv:1810.03292.

The model-parameter test re-initialises a trained model's layers, from the output down
(*cascading*) or one at a time (*independent*), and asks whether an explanation method's maps
change. The data test trains the same architecture on permuted labels until it memorises them and
asks whether the maps differ from those of the properly trained model. Re-initialisation here
draws fresh parameters from the layer's own default initialiser (``reset_parameters``), i.e. from
the distribution the model started training from.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..metrics import spearman_rank_correlation
from ..repro.data import Split
from ..repro.nets import trainable_layers
from ..repro.training import accuracy, fit


def reinitialize(module: nn.Module, generator_seed: int) -> None:
    """Draw fresh parameters for one layer from its default initialiser, reproducibly.

    The global torch RNG is left exactly as it was.
    """
    if not hasattr(module, "reset_parameters"):
        raise TypeError(f"{type(module).__name__} has no reset_parameters(); cannot re-initialise it")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(generator_seed)
        module.reset_parameters()  # type: ignore[operator]


def randomized_copy(model: nn.Module, layer_names: Sequence[str], seed: int = 0) -> nn.Module:
    """A deep copy of ``model`` whose named layers are re-initialised; the original is untouched.

    Each layer gets its own seed derived from ``seed`` and its position in
    :func:`~interpcat.repro.nets.trainable_layers`, so the same layer receives the same fresh
    weights in every copy (a cascade re-initialises each layer once, cumulatively).
    """
    order = [name for name, _ in trainable_layers(model)]
    unknown = [n for n in layer_names if n not in order]
    if unknown:
        raise KeyError(f"no trainable layer named {unknown}; layers are {order}")
    clone = copy.deepcopy(model)
    modules = dict(clone.named_modules())
    for name in layer_names:
        reinitialize(modules[name], generator_seed=seed * 1000 + order.index(name))
    clone.eval()
    return clone


def cascading_randomization(model: nn.Module, seed: int = 0) -> list[tuple[str, nn.Module]]:
    """Copies of ``model`` with the top k trainable layers re-initialised, for k = 0 .. all.

    Returns ``[(label, copy), ...]``: label ``"trained"`` for k = 0 (an unmodified copy), then the
    name of the deepest layer re-initialised so far (``"classifier.2"``, ``"classifier.0"``, ...).
    """
    names = [name for name, _ in trainable_layers(model)]
    out: list[tuple[str, nn.Module]] = [("trained", randomized_copy(model, [], seed))]
    for k in range(1, len(names) + 1):
        out.append((names[k - 1], randomized_copy(model, names[:k], seed)))
    return out


def independent_randomization(model: nn.Module, seed: int = 0) -> list[tuple[str, nn.Module]]:
    """Copies of ``model`` with exactly one trainable layer re-initialised each, top layer first."""
    return [(name, randomized_copy(model, [name], seed)) for name, _ in trainable_layers(model)]


def permuted_labels(labels: torch.Tensor, seed: int) -> torch.Tensor:
    """The labels in a random order (the data randomization test's training targets)."""
    gen = torch.Generator().manual_seed(seed)
    return labels[torch.randperm(len(labels), generator=gen)]


def fit_until(
    model: nn.Module,
    data: Split,
    *,
    target_accuracy: float,
    max_epochs: int,
    chunk: int = 10,
    seed: int = 0,
    **fit_kwargs: object,
) -> tuple[int, float]:
    """Train in chunks of epochs until training accuracy reaches ``target_accuracy`` (or ``max_epochs``).

    This is how the data randomization test gets a model that has memorised permuted labels.
    Returns the number of epochs trained and the final training accuracy.
    """
    epochs, acc = 0, accuracy(model, data)
    while acc < target_accuracy and epochs < max_epochs:
        step = min(chunk, max_epochs - epochs)
        fit(model, data, epochs=step, seed=seed + epochs, **fit_kwargs)  # type: ignore[arg-type]
        epochs += step
        acc = accuracy(model, data)
    return epochs, acc


def map_similarity(maps_a: torch.Tensor, maps_b: torch.Tensor, inputs: torch.Tensor) -> dict[str, np.ndarray]:
    """Per-example Spearman rank correlations between two batches of attribution maps.

    Four variants, each an array with one value per example (NaN where a map is constant):
    ``abs`` / ``signed`` (with and without absolute values, as Adebayo et al. report both), each
    over all pixels (``raw``) and over the pixels where the input is non-zero (``nonzero``).
    Restricting to non-zero inputs removes the pixels where any method that multiplies by the
    input (Input x Gradient, Integrated Gradients with a zero baseline) is zero by construction in
    every model: such ties otherwise inflate the correlation whatever the model.
    """
    if maps_a.shape != maps_b.shape or maps_a.shape != inputs.shape:
        raise ValueError(f"shapes differ: {tuple(maps_a.shape)}, {tuple(maps_b.shape)}, {tuple(inputs.shape)}")
    out: dict[str, list[float]] = {"abs_raw": [], "abs_nonzero": [], "signed_raw": [], "signed_nonzero": []}
    for a, b, x in zip(maps_a, maps_b, inputs, strict=True):
        keep = x != 0
        for absolute, tag in ((True, "abs"), (False, "signed")):
            out[f"{tag}_raw"].append(spearman_rank_correlation(a, b, absolute=absolute))
            out[f"{tag}_nonzero"].append(spearman_rank_correlation(a, b, absolute=absolute, where=keep))
    return {k: np.asarray(v) for k, v in out.items()}
