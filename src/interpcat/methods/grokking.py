"""Fourier tools for modular addition and the progress measures of Nanda et al. (2023).

A network trained on ``a + b mod p`` can be read in the Fourier basis of the cyclic group Z_p:
the paper finds that a grokked one-layer transformer embeds each number as cosines and sines of a
few *key frequencies* and reads the answer off as ``cos(w_k (a + b - c))`` with ``w_k = 2 pi k / p``.
This module holds the pieces of that analysis no library ships:

* :func:`fourier_basis`: the orthonormal real Fourier basis of functions on Z_p (constant, then
  ``cos k``, ``sin k`` for ``k = 1 .. (p - 1) / 2``).
* :func:`frequency_energy`: how a matrix whose rows are indexed by Z_p (an embedding) splits its
  squared norm over the frequencies.
* :func:`neuron_frequencies` and :func:`key_frequencies`: each neuron's dominant frequency (the
  frequency whose linear and quadratic terms in ``(a, b)`` explain most of the neuron's variance
  over all ``p^2`` inputs) and the key frequencies, those that dominate well-explained neurons.
* :func:`last_position_logits`: the logits at the last position of a one-layer transformer
  (TransformerLens ``HookedTransformer``, attention and MLP, no LayerNorm), computed from the
  model's own weights with the attention read from per-(position, token) tables. In one layer a
  key or value depends only on its token and position, so the tables hold every one there is;
  the result equals ``model(tokens)[:, -1]`` (tested) at about a third of the arithmetic, which is
  what lets the paper's 40k full-batch steps run on a CPU.
* :func:`sum_directions`, :func:`restricted_logits`, :func:`excluded_logits`: the two ablations in
  the 2D Fourier basis over ``(a, b)`` behind the paper's progress measures. The restricted logits
  keep only the ``cos(w_k (a + b))`` and ``sin(w_k (a + b))`` components of the key frequencies
  (plus each output's mean over inputs); the excluded logits remove exactly those components.

Logits and activations over all inputs are laid out as ``[p * p, ...]`` with input ``(a, b)`` at
row ``a * p + b``.

References:
    Neel Nanda, Lawrence Chan, Tom Lieberum, Jess Smith, Jacob Steinhardt. Progress measures for
    grokking via mechanistic interpretability. ICLR 2023. arXiv:2301.05217 (Section 4: the
    Fourier algorithm and key frequencies; Section 5.1: restricted and excluded loss).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = [
    "all_pairs",
    "excluded_logits",
    "fourier_basis",
    "frequency_energy",
    "key_frequencies",
    "last_position_logits",
    "neuron_frequencies",
    "restricted_logits",
    "sum_directions",
]


def _check_p(p: int) -> None:
    if p < 3 or p % 2 == 0:
        raise ValueError(f"p must be an odd number of at least 3 (a prime in the paper), got {p}")


def all_pairs(p: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every input ``(a, b)`` in row order ``a * p + b``: returns ``(a, b)`` as two long tensors."""
    _check_p(p)
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    return a, b


def fourier_basis(p: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Orthonormal real Fourier basis of Z_p as a ``[p, p]`` matrix, one basis function per row.

    Row 0 is the constant; rows ``2k - 1`` and ``2k`` are ``cos(2 pi k x / p)`` and
    ``sin(2 pi k x / p)`` for ``k = 1 .. (p - 1) / 2``, each scaled to unit norm.
    """
    _check_p(p)
    x = torch.arange(p, dtype=dtype)
    rows = [torch.ones(p, dtype=dtype)]
    for k in range(1, p // 2 + 1):
        rows.append(torch.cos(2 * math.pi * k * x / p))
        rows.append(torch.sin(2 * math.pi * k * x / p))
    basis = torch.stack(rows)
    return basis / basis.norm(dim=1, keepdim=True)


def frequency_energy(matrix: torch.Tensor, p: int) -> torch.Tensor:
    """Squared norm of ``matrix`` ([p, d], rows indexed by Z_p) per frequency ``k = 1 .. (p-1)/2``.

    The rows are projected onto the Fourier basis; entry ``k - 1`` of the result is the summed
    squared norm of the ``cos k`` and ``sin k`` components. The constant component is left out.
    """
    if matrix.shape[0] != p:
        raise ValueError(f"expected {p} rows (one per element of Z_p), got {matrix.shape[0]}")
    coeffs = fourier_basis(p, dtype=torch.float64) @ matrix.detach().to(torch.float64)
    sq = coeffs.pow(2).sum(dim=1)
    return sq[1::2] + sq[2::2]


def neuron_frequencies(acts: torch.Tensor, p: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each neuron's dominant frequency and the fraction of its variance that frequency explains.

    ``acts`` is ``[p * p, n]``: one activation per input ``(a, b)`` (row ``a * p + b``) and neuron.
    Each neuron is centred over inputs and expanded in the 2D Fourier basis over ``(a, b)``; the
    share of its squared norm in the linear and quadratic terms of frequency ``k`` (the 3 x 3 block
    of ``{1, cos k, sin k}`` in ``a`` times the same in ``b``, less the constant) is its fraction of
    variance explained by ``k``. Returns ``(frequency, fraction)`` per neuron, frequencies 1-based.
    """
    if acts.shape[0] != p * p:
        raise ValueError(f"expected {p * p} rows (all pairs (a, b)), got {acts.shape[0]}")
    basis = fourier_basis(p, dtype=torch.float64)
    x = acts.detach().to(torch.float64)
    x = (x - x.mean(dim=0, keepdim=True)).reshape(p, p, -1)
    coeffs = torch.einsum("abn,ia,jb->ijn", x, basis, basis)
    total = coeffs.pow(2).sum(dim=(0, 1)).clamp_min(1e-30)
    explained = []
    for k in range(1, p // 2 + 1):
        idx = torch.tensor([0, 2 * k - 1, 2 * k])
        explained.append(coeffs[idx][:, idx].pow(2).sum(dim=(0, 1)) / total)
    fractions = torch.stack(explained)  # [frequencies, neurons]
    best = fractions.max(dim=0)
    return best.indices + 1, best.values


def key_frequencies(
    freqs: torch.Tensor, fractions: torch.Tensor, threshold: float = 0.85, min_neurons: int = 1
) -> list[int]:
    """The key frequencies: those that dominate at least ``min_neurons`` well-explained neurons.

    A neuron is well explained when its dominant frequency accounts for at least ``threshold`` of
    its variance (the paper's cut-off for neurons it calls single-frequency is 85 %).
    """
    keep = fractions >= threshold
    values, counts = torch.unique(freqs[keep], return_counts=True)
    return [int(v) for v, c in zip(values, counts, strict=True) if int(c) >= min_neurons]


def last_position_logits(model, tokens: torch.Tensor) -> torch.Tensor:
    """Logits at the last position of a one-layer ``HookedTransformer`` for ``tokens`` ``[n, ctx]``.

    The same numbers as ``model(tokens)[:, -1]`` (and differentiable in the model's parameters),
    for a model with one block of attention and MLP, standard positional embeddings, no LayerNorm
    and the default attention scale. Keys and values of a one-layer model depend only on the token
    and its position, so they are computed once per ``(position, token)`` and gathered; the query,
    MLP and unembedding run at the last position only, the one whose logits are returned.
    """
    cfg = model.cfg
    supported = (
        cfg.n_layers == 1
        and cfg.normalization_type is None
        and not cfg.attn_only
        and cfg.positional_embedding_type == "standard"
        and cfg.use_attn_scale
        and cfg.act_fn == "relu"
    )
    if not supported:
        raise ValueError("last_position_logits supports one-layer ReLU models without LayerNorm only")
    n, ctx = tokens.shape
    attn, mlp = model.blocks[0].attn, model.blocks[0].mlp
    heads, d_head = cfg.n_heads, cfg.d_head
    resid = model.W_E.unsqueeze(0) + model.W_pos[:ctx].unsqueeze(1)  # [ctx, vocab, d_model]
    # Keys and values of every (position, token), flattened to one embedding table per kind.
    w_kv = torch.cat([attn.W_K, attn.W_V], dim=0)  # [2 * heads, d_model, d_head]
    kv = torch.einsum("pvd,hde->pvhe", resid, w_kv).reshape(ctx * cfg.d_vocab, 2 * heads * d_head)
    kv = kv + torch.cat([attn.b_K, attn.b_V], dim=0).reshape(-1)
    rows = tokens + torch.arange(ctx, device=tokens.device) * cfg.d_vocab  # row of (position, token)
    k, v = F.embedding(rows, kv).reshape(n, ctx, 2, heads, d_head).unbind(dim=2)  # [n, ctx, heads, d_head]
    last = F.embedding(tokens[:, -1], resid[ctx - 1])  # the residual stream at the last position
    q = (last @ attn.W_Q.permute(1, 0, 2).reshape(cfg.d_model, heads * d_head)).reshape(n, 1, heads, d_head)
    q = q + attn.b_Q
    pattern = ((q * k).sum(dim=-1) / cfg.attn_scale).softmax(dim=1)  # [n, ctx, heads]
    z = (pattern.unsqueeze(-1) * v).sum(dim=1).reshape(n, heads * d_head)
    mid = last + z @ attn.W_O.reshape(heads * d_head, cfg.d_model) + attn.b_O
    post = mid + torch.relu(mid @ mlp.W_in + mlp.b_in) @ mlp.W_out + mlp.b_out
    return post @ model.W_U + model.b_U


def sum_directions(p: int, freqs: list[int], dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Unit vectors over the ``p^2`` inputs along ``cos(w_k (a + b))`` and ``sin(w_k (a + b))``.

    Returns ``[2 * len(freqs), p * p]``; the rows are orthonormal for distinct frequencies.
    """
    a, b = all_pairs(p)
    s = (a + b).to(dtype)
    rows = []
    for k in freqs:
        if not 1 <= k <= p // 2:
            raise ValueError(f"frequency {k} is outside 1 .. {p // 2}")
        rows.append(torch.cos(2 * math.pi * k * s / p))
        rows.append(torch.sin(2 * math.pi * k * s / p))
    if not rows:
        return torch.zeros(0, p * p, dtype=dtype)
    d = torch.stack(rows)
    return d / d.norm(dim=1, keepdim=True)


def _key_component(logits: torch.Tensor, p: int, freqs: list[int]) -> torch.Tensor:
    if logits.shape[0] != p * p:
        raise ValueError(f"expected logits for all {p * p} pairs (a, b), got {logits.shape[0]} rows")
    d = sum_directions(p, freqs, dtype=torch.float64).to(logits.device)
    x = logits.to(torch.float64)
    return d.T @ (d @ x)


def restricted_logits(logits: torch.Tensor, p: int, freqs: list[int]) -> torch.Tensor:
    """Logits with everything but the key frequencies' ``cos/sin(w_k (a + b))`` components removed.

    ``logits`` is ``[p * p, n_out]`` over all inputs. Each output keeps its mean over inputs (a
    constant that the projection would drop, as in the paper's code), so that only the
    input-dependent part is restricted.
    """
    kept = _key_component(logits, p, freqs)
    x = logits.to(torch.float64)
    return kept + (x - kept).mean(dim=0, keepdim=True)


def excluded_logits(logits: torch.Tensor, p: int, freqs: list[int]) -> torch.Tensor:
    """Logits with the key frequencies' ``cos/sin(w_k (a + b))`` components removed."""
    return logits.to(torch.float64) - _key_component(logits, p, freqs)
