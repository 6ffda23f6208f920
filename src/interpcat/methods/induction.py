"""Induction-head measurements: repeated random tokens, prefix-matching and copying scores, the
in-context-learning score, phase-change windows, smeared keys, and composition-score baselines.

References:
    Olsson, C., Elhage, N., Nanda, N., et al. (2022). In-context Learning and Induction Heads.
    Transformer Circuits Thread; arXiv:2209.11895 (Key Concepts: the in-context-learning score and
    the definition of induction heads by prefix matching and copying on repeated random tokens;
    Argument 2: smeared keys).

    Elhage, N., Nanda, N., Olsson, C., et al. (2021). A Mathematical Framework for Transformer
    Circuits. Transformer Circuits Thread (Summarizing OV/QK matrices: the eigenvalue copying
    summary; Three kinds of composition: the composition score).

Models are TransformerLens ``HookedTransformer`` instances: everything here takes what a notebook
reads from a cache by hook name (``blocks.{l}.attn.hook_pattern``) or the model's weight
properties (``model.OV``, ``model.W_E``), and the smeared-key change is a hook on
``blocks.{l}.attn.hook_k``, so no function reaches into the model's modules. The composition
scores themselves come from TransformerLens (``HookedTransformer.all_composition_scores``,
``transformer_lens.utils.composition_scores``); this module adds the random-matrix baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch


def repeated_random_tokens(
    n: int,
    seq_len: int,
    vocab: int,
    period: tuple[int, int],
    generator: torch.Generator,
    *,
    bos: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` sequences of ``seq_len`` tokens: a BOS token, then a random segment repeated to the end.

    Each sequence draws its own period ``L`` uniformly from ``period`` (inclusive) and a segment of
    ``L`` distinct tokens from ``1 .. vocab - 1`` (the BOS id is never drawn), so the only way to
    predict a token of a repeat is to find the earlier occurrence of the current token and read
    what followed it: the offset changes from sequence to sequence, and no token occurs twice
    inside a segment. Returns the tokens ``[n, seq_len]`` and the periods ``[n]``.
    """
    if bos != 0:
        raise ValueError("only bos = 0 is supported (segments draw from 1 .. vocab - 1)")
    lo, hi = period
    if not 1 <= lo <= hi or hi > vocab - 1:
        raise ValueError(f"period {period} must lie in 1 .. vocab - 1 = {vocab - 1}")
    if 2 * hi > seq_len - 1:
        raise ValueError(f"a period of {hi} does not repeat within {seq_len - 1} tokens")
    periods = torch.randint(lo, hi + 1, (n,), generator=generator)
    segments = torch.argsort(torch.rand(n, vocab - 1, generator=generator), dim=1)[:, :hi] + 1
    positions = torch.arange(seq_len - 1)
    body = torch.gather(segments, 1, positions[None, :] % periods[:, None])
    tokens = torch.cat([torch.full((n, 1), bos, dtype=torch.long), body], dim=1)
    return tokens, periods


def repeated_target_mask(periods: torch.Tensor, seq_len: int) -> torch.Tensor:
    """``[n, seq_len - 1]``: True where the token predicted at that position is a repeat.

    Position ``i`` of a per-token loss predicts token ``i + 1``; in ``repeated_random_tokens`` the
    body starts at token 1, so token ``i + 1`` repeats an earlier one when ``i >= period``.
    """
    return torch.arange(seq_len - 1)[None, :] >= periods[:, None]


def icl_score(loss_per_token: torch.Tensor, early: int, late: int) -> float:
    """In-context-learning score: mean loss at position ``early`` minus mean loss at ``late``.

    Olsson et al. define it from the 50th and 500th tokens of a 512-token context; positive values
    mean later tokens are easier to predict than early ones. ``loss_per_token`` is ``[batch, pos]``
    (TransformerLens ``return_type="loss", loss_per_token=True``).
    """
    return float(loss_per_token[:, early].mean() - loss_per_token[:, late].mean())


def prefix_match_mask(tokens: torch.Tensor) -> torch.Tensor:
    """``[batch, dest, src]``: True where the source's previous token equals the destination token.

    These are the positions an induction head attends to: the tokens that followed earlier
    occurrences of the current token (source before the destination, never the BOS position).
    """
    prev = torch.cat([torch.full_like(tokens[:, :1], -1), tokens[:, :-1]], dim=1)  # token before each source
    match = tokens[:, :, None] == prev[:, None, :]
    seq = tokens.shape[1]
    causal = torch.tril(torch.ones(seq, seq, dtype=torch.bool), diagonal=0)
    return match & causal[None]


def prefix_matching_scores(pattern: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Per head, the mean attention paid to prefix-matching positions (0 to 1).

    ``pattern`` is one layer's ``hook_pattern``, ``[batch, head, dest, src]``. The mean runs over
    the destinations that have at least one prefix-matching source (the repeats), and sums the
    attention over all of a destination's matching sources, as in Olsson et al.'s definition
    ("attends back to tokens that were followed by the current token").
    """
    mask = prefix_match_mask(tokens)  # [batch, dest, src]
    has = mask.any(-1)  # [batch, dest]
    if not bool(has.any()):
        raise ValueError("no destination has an earlier occurrence of its token")
    on_match = (pattern * mask[:, None].to(pattern.dtype)).sum(-1)  # [batch, head, dest]
    return (on_match * has[:, None]).sum((0, 2)) / has.sum()


def previous_token_scores(pattern: torch.Tensor) -> torch.Tensor:
    """Per head, the mean attention from each position (but the first) to the position before it."""
    diag = torch.diagonal(pattern, offset=-1, dim1=-2, dim2=-1)  # [batch, head, dest - 1]
    return diag.mean((0, 2))


def eigenvalue_copying_score(eigenvalues: torch.Tensor) -> torch.Tensor:
    """``sum(lambda) / sum(|lambda|)`` over the last dimension (real part), from -1 to 1.

    Elhage et al. summarise a head's full OV circuit ``W_U W_OV W_E`` by its eigenvalues: a
    copying head (attending to a token raises that token's logit) has mostly positive ones, 1 for
    pure copying, and random matrices give about 0. Pass e.g.
    ``(model.W_E @ model.OV @ model.W_U).eigenvalues`` (TransformerLens ``FactoredMatrix``).
    """
    return (eigenvalues.sum(-1) / eigenvalues.abs().sum(-1)).real


@dataclass(frozen=True)
class Window:
    """The stretch of training where a curve rose most within a fixed width."""

    start: int  # training step at the window's start
    end: int  # training step at its end
    rise: float  # value at end minus value at start

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


def steepest_rise(steps: Sequence[int], values: Sequence[float], width: int, *, after: int = 0) -> Window:
    """The window of ``width`` training steps, starting at or after step ``after``, over which
    ``values`` rose the most (end minus start, at the logged steps).

    A phase change is a large rise inside a narrow window; a curve that improves gradually or only
    at the start of training has no such window after ``after`` (e.g. the warm-up).
    """
    s = np.asarray(steps)
    v = np.asarray(values, dtype=float)
    if len(s) != len(v) or len(s) < 2:
        raise ValueError("need at least two logged steps, one value each")
    best: Window | None = None
    for i, start in enumerate(s):
        if start < after:
            continue
        later = np.nonzero(s <= start + width)[0]
        j = int(later.max())
        if j <= i:
            continue
        w = Window(int(start), int(s[j]), float(v[j] - v[i]))
        if best is None or w.rise > best.rise:
            best = w
    if best is None:
        raise ValueError(f"no logged step pair within {width} steps after step {after}")
    return best


def gain_within(steps: Sequence[int], values: Sequence[float], start: float, end: float) -> float:
    """The rise of ``values`` between steps ``start`` and ``end`` (linear interpolation)."""
    s = np.asarray(steps, dtype=float)
    v = np.asarray(values, dtype=float)
    return float(np.interp(end, s, v) - np.interp(start, s, v))


def first_crossing(steps: Sequence[int], values: Sequence[float], level: float) -> float:
    """The first logged step at which ``values`` reaches ``level`` (NaN if it never does)."""
    for step, value in zip(steps, values, strict=True):
        if value >= level:
            return float(step)
    return float("nan")


def smear_keys(keys: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Olsson et al.'s smeared keys: ``k_j <- sigmoid(alpha_h) k_j + (1 - sigmoid(alpha_h)) k_{j-1}``.

    ``keys`` is a layer's ``hook_k``, ``[batch, pos, head, d_head]``; ``alpha`` has one trainable
    entry per head. The first position's key is left as it is. Use it as a (permanent) forward hook
    on ``blocks.{l}.attn.hook_k``, with ``alpha`` trained alongside the model's parameters.
    """
    mix = torch.sigmoid(alpha)[None, None, :, None]
    previous = torch.cat([keys[:, :1], keys[:, :-1]], dim=1)
    return mix * keys + (1 - mix) * previous


def random_composition_scores(d_model: int, rank: int, n: int, generator: torch.Generator) -> torch.Tensor:
    """Composition scores ``||A B||_F / (||A||_F ||B||_F)`` of ``n`` pairs of random rank-``rank``
    ``d_model x d_model`` matrices (products of Gaussian factors, as a head's ``W_QK`` or ``W_OV``).

    The baseline against which Elhage et al.'s composition scores of trained heads are read: two
    unrelated low-rank maps compose weakly, two that share a subspace strongly.
    """
    scores = []
    for _ in range(n):
        a = torch.randn(d_model, rank, generator=generator) @ torch.randn(rank, d_model, generator=generator)
        b = torch.randn(d_model, rank, generator=generator) @ torch.randn(rank, d_model, generator=generator)
        scores.append(torch.linalg.matrix_norm(a @ b) / (torch.linalg.matrix_norm(a) * torch.linalg.matrix_norm(b)))
    return torch.stack(scores)
