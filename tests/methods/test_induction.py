"""Induction-head measurements (interpcat.methods.induction)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from interpcat.methods.induction import (  # noqa: E402
    eigenvalue_copying_score,
    first_crossing,
    gain_within,
    icl_score,
    prefix_match_mask,
    prefix_matching_scores,
    previous_token_scores,
    random_composition_scores,
    repeated_random_tokens,
    repeated_target_mask,
    smear_keys,
    steepest_rise,
)


def test_repeated_tokens_repeat_a_segment_of_distinct_tokens() -> None:
    tokens, periods = repeated_random_tokens(200, 32, 64, (6, 15), torch.Generator().manual_seed(0))
    assert tokens.shape == (200, 32)
    assert bool((tokens[:, 0] == 0).all()) and bool((tokens[:, 1:] > 0).all())
    for x, p in zip(tokens, periods.tolist(), strict=True):
        assert 6 <= p <= 15
        assert len(set(x[1 : 1 + p].tolist())) == p  # distinct tokens
        for t in range(1, len(x)):
            assert x[t] == x[1 + (t - 1) % p]
    repeat = repeated_target_mask(periods, 32)
    # position i predicts token i + 1: a repeat from the segment's second copy on
    assert repeat.shape == (200, 31)
    assert bool(repeat[:, -1].all())
    assert not bool(repeat[:, 4].any())  # the early ICL position is never a repeat for periods >= 6
    assert repeat.sum(1).tolist() == (31 - periods).tolist()


def test_repeated_tokens_reject_impossible_periods() -> None:
    with pytest.raises(ValueError):
        repeated_random_tokens(2, 16, 64, (4, 10), torch.Generator())  # 2 x 10 > 15
    with pytest.raises(ValueError):
        repeated_random_tokens(2, 32, 8, (4, 10), torch.Generator())


def test_a_perfect_induction_pattern_scores_one_and_uniform_scores_low() -> None:
    tokens, _ = repeated_random_tokens(16, 24, 64, (4, 6), torch.Generator().manual_seed(1))
    mask = prefix_match_mask(tokens)
    has = mask.any(-1)
    ideal = torch.zeros(16, 1, 24, 24)
    for b in range(16):
        for i in range(24):
            if has[b, i]:
                ideal[b, 0, i] = mask[b, i].float() / mask[b, i].sum()
            else:
                ideal[b, 0, i, 0] = 1.0
    uniform = torch.tril(torch.ones(24, 24)) / torch.arange(1, 25)[:, None]
    pattern = torch.cat([ideal, uniform.expand(16, 1, 24, 24)], dim=1)
    scores = prefix_matching_scores(pattern, tokens)
    assert scores[0] == pytest.approx(1.0)
    assert scores[1] < 0.2


def test_previous_token_score() -> None:
    pattern = torch.zeros(1, 2, 5, 5)
    pattern[0, 0, torch.arange(1, 5), torch.arange(0, 4)] = 1.0  # previous-token head
    pattern[0, 1] = torch.eye(5)  # attends to itself
    assert previous_token_scores(pattern).tolist() == [1.0, 0.0]


def test_copying_score_of_identity_and_negation() -> None:
    eig = torch.linalg.eigvals(torch.stack([torch.eye(4), -torch.eye(4)]))
    assert eigenvalue_copying_score(eig).tolist() == pytest.approx([1.0, -1.0])


def test_icl_score_is_early_minus_late() -> None:
    losses = torch.tensor([[4.0, 3.0, 1.0], [4.0, 3.0, 0.0]])
    assert icl_score(losses, 0, 2) == pytest.approx(3.5)


def test_steepest_rise_finds_the_jump_after_warm_up() -> None:
    steps = list(range(0, 101, 10))
    values = [0, 2, 2, 2, 2, 2, 4, 4.5, 4.5, 4.5, 4.5]  # an early rise (warm-up) and a jump at 50-60
    w = steepest_rise(steps, values, width=10, after=20)
    assert (w.start, w.end, w.rise) == (50, 60, 2.0)
    assert w.middle == 55
    assert steepest_rise(steps, values, width=10).start == 0
    assert gain_within(steps, values, 45, 65) == pytest.approx(2.25)
    assert first_crossing(steps, values, 3.0) == 60
    assert math.isnan(first_crossing(steps, values, 9.0))


def test_smeared_keys_mix_with_the_previous_key() -> None:
    keys = torch.arange(6, dtype=torch.float).reshape(1, 3, 2, 1)  # [batch, pos, head, d_head]
    alpha = torch.tensor([0.0, 100.0])  # head 0: half and half; head 1: its own key
    out = smear_keys(keys, alpha)
    assert out[0, :, 0, 0].tolist() == [0.0, 1.0, 3.0]  # first key unchanged, then (k_j + k_{j-1}) / 2
    assert out[0, :, 1, 0].tolist() == pytest.approx(keys[0, :, 1, 0].tolist())


def test_random_composition_scores_are_small_and_aligned_ones_large() -> None:
    scores = random_composition_scores(64, 8, 20, torch.Generator().manual_seed(0))
    assert float(scores.mean()) < 0.2
    a = torch.zeros(64, 64)
    a[:8, :8] = torch.eye(8)
    assert float(torch.linalg.matrix_norm(a @ a) / torch.linalg.matrix_norm(a) ** 2) > 0.3
