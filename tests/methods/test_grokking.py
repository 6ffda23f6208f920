"""Tests for the Fourier tools and progress measures of Nanda et al. (2023)."""

import math

import pytest
import torch

from interpcat.methods.grokking import (
    all_pairs,
    excluded_logits,
    fourier_basis,
    frequency_energy,
    key_frequencies,
    neuron_frequencies,
    restricted_logits,
    sum_directions,
)

P = 13


def test_fourier_basis_is_orthonormal():
    basis = fourier_basis(P)
    assert basis.shape == (P, P)
    assert torch.allclose(basis @ basis.T, torch.eye(P, dtype=basis.dtype), atol=1e-10)


@pytest.mark.parametrize("p", [2, 12, 1])
def test_fourier_basis_rejects_even_or_tiny_p(p):
    with pytest.raises(ValueError):
        fourier_basis(p)


def test_all_pairs_row_order():
    a, b = all_pairs(P)
    assert a.shape == b.shape == (P * P,)
    row = 3 * P + 7
    assert (int(a[row]), int(b[row])) == (3, 7)


def test_frequency_energy_finds_a_planted_frequency():
    x = torch.arange(P, dtype=torch.float64)
    emb = torch.stack([torch.cos(2 * math.pi * 4 * x / P), torch.sin(2 * math.pi * 4 * x / P), torch.ones(P)], dim=1)
    energy = frequency_energy(emb, P)
    assert energy.shape == (P // 2,)
    assert int(energy.argmax()) + 1 == 4
    # the constant column is left out, and the two sinusoids keep their whole norm
    assert energy.sum().item() == pytest.approx((emb[:, :2] ** 2).sum().item())


def test_neuron_frequencies_recovers_single_frequency_neurons():
    a, b = (t.double() for t in all_pairs(P))
    w3, w5 = 2 * math.pi * 3 / P, 2 * math.pi * 5 / P
    acts = torch.stack(
        [
            torch.relu(torch.cos(w3 * a) + torch.cos(w3 * b)),  # degree-2 in frequency 3 (roughly)
            torch.cos(w5 * (a + b)),  # exactly a product term of frequency 5
            torch.sin(w5 * a) + 0.5 * torch.cos(w5 * b),  # linear terms of frequency 5
            torch.randn(P * P, generator=torch.Generator().manual_seed(0), dtype=torch.float64),
        ],
        dim=1,
    )
    freqs, fractions = neuron_frequencies(acts, P)
    assert freqs[:3].tolist() == [3, 5, 5]
    assert fractions[1].item() == pytest.approx(1.0)
    assert fractions[2].item() == pytest.approx(1.0)
    assert fractions[3].item() < 0.5  # noise has no dominant frequency
    assert fractions[0].item() >= 0.85  # relu(cos a + cos b) is mostly degree 2 in frequency 3
    assert key_frequencies(freqs, fractions, threshold=0.85) == [3, 5]
    assert key_frequencies(freqs, fractions, threshold=0.85, min_neurons=2) == [5]


def test_sum_directions_are_orthonormal():
    d = sum_directions(P, [1, 4, 6])
    assert d.shape == (6, P * P)
    assert torch.allclose(d @ d.T, torch.eye(6, dtype=d.dtype), atol=1e-10)
    with pytest.raises(ValueError):
        sum_directions(P, [P // 2 + 1])


def _ideal_logits(p: int, freqs: list[int]) -> torch.Tensor:
    """Logits of the paper's algorithm: sum_k cos(w_k (a + b - c))."""
    a, b = all_pairs(p)
    c = torch.arange(p)
    s = (a + b)[:, None] - c[None, :]
    return sum(torch.cos(2 * math.pi * k * s.double() / p) for k in freqs)


def test_restricted_and_excluded_split_the_ideal_algorithm():
    freqs = [2, 5]
    ideal = 3.0 * _ideal_logits(P, freqs)
    noise = torch.randn(P * P, P, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    logits = ideal + 0.1 * noise + 2.0  # a constant offset per output survives restriction
    restricted = restricted_logits(logits, P, freqs)
    excluded = excluded_logits(logits, P, freqs)
    # the two parts add up to the logits, up to the per-output mean the restriction keeps
    assert torch.allclose(restricted + excluded - logits, logits.mean(0, keepdim=True).expand_as(logits), atol=1e-8)
    assert torch.allclose(restricted - restricted.mean(0), ideal - ideal.mean(0), atol=0.15)
    # the algorithm lives in the key frequencies: restricted logits answer correctly, excluded ones do not
    a, b = all_pairs(P)
    labels = (a + b) % P
    assert (restricted.argmax(1) == labels).float().mean().item() == 1.0
    assert (excluded.argmax(1) == labels).float().mean().item() < 0.2


def test_excluded_keeps_other_frequencies_and_restricted_drops_them():
    other = _ideal_logits(P, [3])
    assert torch.allclose(excluded_logits(other, P, [2, 5]), other, atol=1e-10)
    restricted = restricted_logits(other, P, [2, 5])
    assert torch.allclose(restricted, other.mean(0, keepdim=True).expand_as(other), atol=1e-10)


def test_projection_matches_the_2d_fourier_definition():
    """cos(w(a+b)) is (cos a cos b - sin a sin b) in the 2D basis: the same subspace as the paper's."""
    basis = fourier_basis(P)
    k = 4
    cc = torch.outer(basis[2 * k - 1], basis[2 * k - 1]).flatten()
    ss = torch.outer(basis[2 * k], basis[2 * k]).flatten()
    sc = torch.outer(basis[2 * k], basis[2 * k - 1]).flatten()
    cs = torch.outer(basis[2 * k - 1], basis[2 * k]).flatten()
    paper = torch.stack([(cc - ss) / math.sqrt(2), (sc + cs) / math.sqrt(2)])
    ours = sum_directions(P, [k])
    assert torch.allclose(paper @ paper.T, torch.eye(2, dtype=paper.dtype), atol=1e-10)
    # same projector
    assert torch.allclose(paper.T @ paper, ours.T @ ours, atol=1e-10)


def test_last_position_logits_matches_the_transformer_lens_forward():
    transformer_lens = pytest.importorskip("transformer_lens")
    from interpcat.methods.grokking import last_position_logits

    p = 7
    config = transformer_lens.HookedTransformerConfig(
        n_layers=1, d_model=16, d_head=4, n_heads=4, d_mlp=64, d_vocab=p + 1, d_vocab_out=p, n_ctx=3,
        act_fn="relu", normalization_type=None, seed=0, device="cpu", dtype=torch.float64,
    )  # fmt: skip
    # float64: the gradient of b_K is zero in exact arithmetic and rounding noise in float32
    model = transformer_lens.HookedTransformer(config)
    with torch.no_grad():  # non-zero biases, so that every term of the forward pass is exercised
        for name, param in model.named_parameters():
            if name.startswith("b") or ".b_" in name:
                param.normal_()
    a, b = all_pairs(p)
    tokens = torch.stack([a, b, torch.full_like(a, p)], dim=1)
    expected = model(tokens)[:, -1]
    got = last_position_logits(model, tokens)
    assert torch.allclose(got, expected, atol=1e-10, rtol=1e-10)
    expected.square().sum().backward()
    grads = {n: q.grad.clone() for n, q in model.named_parameters() if q.grad is not None}
    model.zero_grad()
    got.square().sum().backward()
    for name, param in model.named_parameters():
        if name in grads:
            assert torch.allclose(param.grad, grads[name], atol=1e-8, rtol=1e-8), name


def test_last_position_logits_rejects_other_architectures():
    transformer_lens = pytest.importorskip("transformer_lens")
    from interpcat.methods.grokking import last_position_logits

    config = transformer_lens.HookedTransformerConfig(
        n_layers=2, d_model=16, d_head=4, n_heads=4, d_mlp=64, d_vocab=8, n_ctx=3, act_fn="relu",
        normalization_type=None, device="cpu",
    )  # fmt: skip
    with pytest.raises(ValueError, match="one-layer"):
        last_position_logits(transformer_lens.HookedTransformer(config), torch.zeros(2, 3, dtype=torch.long))
