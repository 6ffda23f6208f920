"""Concept bottleneck models (interpcat.methods.concept_bottleneck)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from interpcat.methods.concept_bottleneck import (  # noqa: E402
    ConceptBottleneck,
    concept_accuracy,
    concept_loss,
    group_masks,
    intervene_on,
    intervention_curve,
    train_concept_bottleneck,
)

# four classes, each a distinct code of three binary concepts
CODES = torch.tensor([[0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 1]], dtype=torch.float32)


def _data(n: int = 400, seed: int = 0, noise: float = 0.6):
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=gen)
    C = CODES[y]
    X = torch.cat([2 * C - 1, torch.zeros(n, 2)], 1) + noise * torch.randn(n, 5, generator=gen)
    return X, C, y


def _model(seed: int = 0) -> ConceptBottleneck:
    torch.manual_seed(seed)
    return ConceptBottleneck(nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3)), nn.Linear(3, 4))


def test_intervention_replaces_only_masked_concepts() -> None:
    probs = torch.tensor([[0.2, 0.7, 0.4]])
    true = torch.tensor([[1.0, 0.0, 0.0]])
    out = intervene_on(probs, true, torch.tensor([[1.0, 0.0, 1.0]]))
    assert torch.allclose(out, torch.tensor([[1.0, 0.7, 0.0]]))


def test_concept_loss_sums_over_concepts() -> None:
    logits = torch.zeros(8, 3)
    assert float(concept_loss(logits, torch.ones(8, 3))) == pytest.approx(3 * float(torch.log(torch.tensor(2.0))))


def test_group_masks_must_partition_the_concepts() -> None:
    assert group_masks([[0, 2], [1]], 3).tolist() == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    with pytest.raises(ValueError):
        group_masks([[0], [0, 1, 2]], 3)
    with pytest.raises(ValueError):
        group_masks([[0], [1]], 3)


@pytest.mark.parametrize("mode", ["independent", "sequential", "joint"])
def test_every_mode_learns_concepts_and_task(mode: str) -> None:
    X, C, y = _data()
    model = train_concept_bottleneck(_model(), X, C, y, mode, epochs=25, lam=1.0, lr=1e-2, seed=0)
    Xt, Ct, yt = _data(seed=1)
    assert concept_accuracy(model, Xt, Ct) > 0.85
    assert float((model(Xt).argmax(1) == yt).float().mean()) > 0.8


def test_unknown_mode_is_an_error() -> None:
    X, C, y = _data(20)
    with pytest.raises(ValueError):
        train_concept_bottleneck(_model(), X, C, y, "end-to-end", epochs=1)


def test_independent_task_net_is_fitted_to_true_concepts_only() -> None:
    """Two independent models that differ only in g have the same f."""
    X, C, y = _data()
    a = train_concept_bottleneck(_model(0), X, C, y, "independent", epochs=5, lr=1e-2, seed=0)
    b = _model(1)
    b.task_net.load_state_dict(_model(0).task_net.state_dict())
    train_concept_bottleneck(b, X, C, y, "independent", epochs=5, lr=1e-2, seed=0)
    assert torch.allclose(a.task_net.weight, b.task_net.weight)


def test_sequential_reuses_a_trained_concept_net() -> None:
    X, C, y = _data()
    model = train_concept_bottleneck(_model(), X, C, y, "independent", epochs=20, lr=1e-2)
    g_before = [p.clone() for p in model.concept_net.parameters()]
    train_concept_bottleneck(model, X, C, y, "sequential", epochs=20, lr=1e-2, concept_net_trained=True)
    assert all(torch.equal(a, b) for a, b in zip(g_before, model.concept_net.parameters(), strict=True))


def test_full_intervention_gives_the_task_nets_accuracy_on_true_concepts() -> None:
    X, C, y = _data(noise=2.0)  # noisy inputs: concepts are often wrong
    model = train_concept_bottleneck(_model(), X, C, y, "independent", epochs=30, lr=1e-2)
    curve = intervention_curve(model, X, C, y, [[0], [1], [2]], seed=0)
    assert len(curve) == 4
    with torch.no_grad():
        on_true = float((model.task_net(C).argmax(1) == y).float().mean())
    assert curve[-1] == pytest.approx(on_true)
    assert curve[-1] > curve[0]
