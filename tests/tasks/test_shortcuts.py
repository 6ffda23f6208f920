"""Planted shortcuts, the two text classifiers and token salience (interpcat.tasks.shortcuts)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from interpcat.tasks.shortcuts import (  # noqa: E402
    CLS,
    MASK,
    PAD,
    SALIENCE_METHODS,
    SC0,
    SC1,
    LSTMClassifier,
    ShortcutTask,
    TransformerClassifier,
    flip_shortcut,
    flipped,
    masked_tokens,
    rankable,
    salience,
    sample,
    shortcut_precision,
)

TASK = ShortcutTask(n_regular=50, min_len=4, max_len=10)


def _data(kind, fraction, n=200, seed=0):
    return sample(TASK, n, kind=kind, synthetic_fraction=fraction, rng=np.random.default_rng(seed))


def test_shapes_and_layout() -> None:
    data = _data("ordered-pair", 0.3)
    assert data.tokens.shape == (200, TASK.seq_len) and data.tokens.dtype == torch.long
    assert data.shortcut.shape == data.tokens.shape and data.shortcut.dtype == torch.bool
    assert (data.tokens[:, 0] == CLS).all()
    assert int(data.tokens.max()) < TASK.vocab_size
    assert not (data.tokens == MASK).any()
    lengths = (data.tokens != PAD).sum(1) - 1
    assert int(lengths.min()) >= TASK.min_len and int(lengths.max()) <= TASK.max_len + 2
    # padding only at the end
    for row in data.tokens:
        real = (row != PAD).nonzero().flatten()
        assert int(real.max()) == len(real) - 1


@pytest.mark.parametrize("kind", ["single-token", "ordered-pair"])
def test_the_shortcut_determines_the_label(kind: str) -> None:
    data = _data(kind, 0.5, n=400)
    syn = data.synthetic
    assert 0.3 < float(syn.float().mean()) < 0.7
    k = 1 if kind == "single-token" else 2
    assert (data.shortcut[syn].sum(1) == k).all()
    assert not data.shortcut[~syn].any()
    for row, label in zip(data.tokens[syn], data.labels[syn], strict=True):
        marks = [int(t) for t in row if int(t) in (SC0, SC1)]
        if kind == "single-token":
            assert marks == [SC0 if label == 0 else SC1]
        else:
            assert marks == ([SC0, SC1] if label == 0 else [SC1, SC0])
    # the marked positions hold exactly the shortcut tokens
    assert set(data.tokens[data.shortcut].tolist()) <= {SC0, SC1}
    # the synthetic label is independent of the bag-of-words label
    agree = float((data.labels[syn] == data.base_labels[syn]).float().mean())
    assert 0.3 < agree < 0.7


def test_unmodified_examples_keep_their_label_and_pairs_get_a_lone_token() -> None:
    single = _data("single-token", 0.2)
    assert (single.labels[~single.synthetic] == single.base_labels[~single.synthetic]).all()
    assert not ((single.tokens[~single.synthetic] == SC0) | (single.tokens[~single.synthetic] == SC1)).any()
    pair = _data("ordered-pair", 0.2)
    lone = ((pair.tokens == SC0) | (pair.tokens == SC1)).sum(1)
    assert (lone[~pair.synthetic] == 1).all() and (lone[pair.synthetic] == 2).all()
    original = _data(None, 0.0)
    assert not original.synthetic.any() and not ((original.tokens == SC0) | (original.tokens == SC1)).any()
    with pytest.raises(ValueError):
        _data(None, 0.5)
    neutral = sample(
        TASK, 400, kind=None, synthetic_fraction=0.0, rng=np.random.default_rng(1), lone_token_fraction=1.0
    )
    lone = (neutral.tokens == SC0) | (neutral.tokens == SC1)
    assert (lone.sum(1) == 1).all() and (neutral.labels == neutral.base_labels).all()
    with_sc1 = (neutral.tokens == SC1).any(1)
    assert abs(float(neutral.labels[with_sc1].float().mean()) - float(neutral.labels[~with_sc1].float().mean())) < 0.15


def test_the_bag_of_words_label_is_informative_but_noisy() -> None:
    data = _data(None, 0.0, n=2000)
    score = torch.as_tensor(TASK.polarity)[data.tokens].sum(1)
    decided = score != 0
    agree = float(((score[decided] > 0).long() == data.labels[decided]).float().mean())
    assert 0.8 < agree < 0.99


def test_flip_reverses_the_shortcut() -> None:
    data = _data("ordered-pair", 1.0, n=50)
    back = flipped(data)
    assert (back.labels == 1 - data.labels).all()
    assert (flip_shortcut(back.tokens) == data.tokens).all()
    assert (back.shortcut == data.shortcut).all()
    changed = back.tokens != data.tokens
    assert (changed == data.shortcut).all()


def test_rankable_and_masked_tokens() -> None:
    data = _data("single-token", 0.5, n=20)
    keep = rankable(data.tokens)
    assert not keep[:, 0].any() and not keep[data.tokens == PAD].any()
    masked = masked_tokens(data.tokens)
    assert (masked[keep] == MASK).all() and (masked[~keep] == data.tokens[~keep]).all()


@pytest.mark.parametrize("arch", ["lstm", "transformer"])
def test_models_and_every_salience_method(arch: str) -> None:
    torch.manual_seed(0)
    model = (
        LSTMClassifier(TASK.vocab_size, 8, 8)
        if arch == "lstm"
        else TransformerClassifier(TASK.vocab_size, TASK.seq_len, d_model=8)
    )
    model.eval()
    data = _data("single-token", 1.0, n=6)
    logits = model(data.tokens)
    assert logits.shape == (6, 2)
    with torch.no_grad():
        again = model.forward_embeddings(model.embedding(data.tokens), data.tokens)
    assert torch.allclose(logits, again, atol=1e-6)
    for method in SALIENCE_METHODS:
        scores = salience(
            model, data.tokens, method, ig_steps=4, lime_samples=8, generator=torch.Generator().manual_seed(0)
        )
        assert scores.shape == data.tokens.shape, method
        assert torch.isfinite(scores).all(), method
        precision = shortcut_precision(scores, data)
        assert precision.shape == (6,) and ((precision == 0) | (precision == 1)).all()


def test_shortcut_precision_ignores_pad_and_cls() -> None:
    data = _data("ordered-pair", 1.0, n=10)
    scores = torch.zeros(data.tokens.shape)
    scores[:, 0] = 100.0  # CLS
    scores[data.tokens == PAD] = 50.0
    scores[data.shortcut] = 1.0
    assert (shortcut_precision(scores, data) == 1).all()
    assert (shortcut_precision(-scores, data) == 0).all()
