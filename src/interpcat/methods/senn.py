"""Self-explaining neural networks (SENN), written from the paper's description.

A SENN predicts with a linear model whose coefficients depend on the input:

    f(x) = sum_i theta_i(x) * h_i(x)        (one such sum per class)

where ``h`` is a concept encoder (the raw features for tabular data, or a small autoencoder's
code for images), ``theta`` is a relevance network (any network, here an MLP) and the sum is the
aggregator. The pair (h(x), theta(x)) is the explanation. To keep theta locally stable the paper
adds a gradient-stability penalty that asks the model to behave, around each input, like a linear
model in the concepts with coefficients theta(x):

    L_theta = || grad_x f(x) - J_x h(x)^T theta(x) ||

computed here with autograd (double backpropagation), one class at a time.

References:
    Alvarez-Melis, D., Jaakkola, T. S. (2018). Towards Robust Interpretability with
    Self-Explaining Neural Networks. NeurIPS 2018. arXiv:1806.07538 (Sections 3-4: the model,
    the robustness loss and the faithfulness and stability evaluations).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from ..repro.nets import MLP


class IdentityConcepts(nn.Module):
    """h(x) = x (flattened), optionally with a constant concept 1 appended (an intercept).

    The paper's choice for tabular data, where the input features are the concepts.
    """

    learned = False

    def __init__(self, in_dim: int, bias: bool = True):
        super().__init__()
        self.in_dim = in_dim
        self.bias = bias
        self.n_concepts = in_dim + int(bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(1)
        if not self.bias:
            return flat
        return torch.cat([flat, torch.ones(len(flat), 1, dtype=flat.dtype, device=flat.device)], dim=1)


class AutoencoderConcepts(nn.Module):
    """Learned concepts: the code of a small autoencoder, squashed to [0, 1] by a sigmoid.

    ``reconstruct(h)`` decodes concepts back to a flat input; the training loss adds the
    reconstruction error and an L1 sparsity term on h (see ``senn_loss``).
    """

    learned = True

    def __init__(self, in_dim: int, n_concepts: int, hidden: int = 64):
        super().__init__()
        self.in_dim = in_dim
        self.n_concepts = n_concepts
        self.encoder = nn.Sequential(
            nn.Flatten(), nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_concepts), nn.Sigmoid()
        )
        self.decoder = nn.Sequential(nn.Linear(n_concepts, hidden), nn.ReLU(), nn.Linear(hidden, in_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def reconstruct(self, h: torch.Tensor) -> torch.Tensor:
        return self.decoder(h)


class ConvConcepts(nn.Module):
    """Learned concepts from a small convolutional autoencoder, after the authors' MNIST conceptizer.

    As ``image_cnn_conceptizer`` in github.com/dmelis/SENN (``SENN/conceptizers.py``): two 5x5
    convolutions (1 -> 10 -> k channels, each followed by 2x2 max-pooling and a ReLU), then one
    linear map per concept channel from its 4x4 map to a scalar, so h(x) has k unbounded values;
    the decoder mirrors it with transposed convolutions. Differences from the authors' module:
    the decoder ends in a sigmoid (our images lie in [0, 1]; theirs are normalised and end in
    tanh), and ``image_size`` may be other than 28 (the map after the convolutions is
    ``(image_size // 4 - 3)`` wide).
    """

    learned = True

    def __init__(self, n_concepts: int, image_size: int = 28, in_channels: int = 1):
        super().__init__()
        self.n_concepts = n_concepts
        self.image_size = image_size
        self.in_channels = in_channels
        self.map = image_size // 4 - 3
        if self.map < 1:
            raise ValueError(f"image_size {image_size} is too small for two 5x5 convolutions and two poolings")
        self.conv1 = nn.Conv2d(in_channels, 10, kernel_size=5)
        self.pool1 = nn.MaxPool2d(2)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(10, n_concepts, kernel_size=5)
        self.pool2 = nn.MaxPool2d(2)
        self.relu2 = nn.ReLU()
        self.linear = nn.Linear(self.map**2, 1)  # shared over concepts, as the authors' (cdim = 1)
        self.unlinear = nn.Linear(1, self.map**2)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(n_concepts, 16, 5, stride=2),
            nn.ReLU(),
            nn.ConvTranspose2d(16, 8, 5),
            nn.ReLU(),
            nn.ConvTranspose2d(8, in_channels, 2, stride=2, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.relu1(self.pool1(self.conv1(x)))
        p = self.relu2(self.pool2(self.conv2(p)))
        return self.linear(p.reshape(len(x), self.n_concepts, self.map**2))[:, :, 0]

    def reconstruct(self, h: torch.Tensor) -> torch.Tensor:
        """Decoded images, flattened (the loss compares them with the flattened input)."""
        q = self.unlinear(h.unsqueeze(-1)).reshape(len(h), self.n_concepts, self.map, self.map)
        out = self.decoder(q)
        if out.shape[-1] != self.image_size:  # the transposed convolutions give 28 for 28x28 inputs
            out = nn.functional.interpolate(out, size=(self.image_size, self.image_size))
        return out.flatten(1)


class LeNet(nn.Module):
    """The authors' MNIST relevance network (``image_parametrizer``) without its output squashing.

    Two 5x5 convolutions (1 -> 10 -> 20 channels, each with 2x2 max-pooling and a ReLU) and one
    linear layer to ``out_dim``. ``dropout`` > 0 adds the authors' channel dropout after the
    second convolution and dropout on the output (they use 0.5 for both).
    """

    def __init__(self, out_dim: int, image_size: int = 28, in_channels: int = 1, dropout: float = 0.0):
        super().__init__()
        self.map = image_size // 4 - 3
        self.conv1 = nn.Conv2d(in_channels, 10, kernel_size=5)
        self.pool1 = nn.MaxPool2d(2)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.drop2 = nn.Dropout2d(dropout) if dropout > 0 else nn.Identity()
        self.pool2 = nn.MaxPool2d(2)
        self.relu2 = nn.ReLU()
        self.fc = nn.Linear(20 * self.map**2, out_dim)
        self.drop_out = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.relu1(self.pool1(self.conv1(x)))
        p = self.relu2(self.pool2(self.drop2(self.conv2(p))))
        return self.drop_out(self.fc(p.flatten(1)))


class TanhRelevances(nn.Module):
    """theta(x) = tanh(net(x)): relevance scores in [-1, 1], as the authors' image parametrizer."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.tanh = nn.Tanh()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.tanh(self.net(x))


class SENN(nn.Module):
    """Concept encoder h, relevance network theta and the additive aggregator.

    ``forward`` returns class scores (logits) ``sum_i theta_i(x) h_i(x)``, shape (B, n_classes);
    cross-entropy on them is the paper's softmax over the aggregated scores.
    """

    def __init__(self, conceptizer: nn.Module, parametrizer: nn.Module, n_classes: int):
        super().__init__()
        self.conceptizer = conceptizer
        self.parametrizer = parametrizer
        self.n_concepts = int(conceptizer.n_concepts)
        self.n_classes = n_classes

    def concepts(self, x: torch.Tensor) -> torch.Tensor:
        """h(x), shape (B, k)."""
        return self.conceptizer(x)

    def relevances(self, x: torch.Tensor) -> torch.Tensor:
        """theta(x), shape (B, k, n_classes)."""
        return self.parametrizer(x).reshape(len(x), self.n_concepts, self.n_classes)

    @staticmethod
    def aggregate(h: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
        """sum_i theta_i h_i for every class: (B, k) x (B, k, C) -> (B, C)."""
        return torch.einsum("bk,bkc->bc", h, theta)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.aggregate(self.concepts(x), self.relevances(x))

    def explain(self, x: torch.Tensor, target: int | torch.Tensor) -> torch.Tensor:
        """The relevance scores theta(x) of the given class(es), without the constant concept."""
        theta = self.relevances(x)
        if isinstance(target, int):
            rel = theta[:, :, target]
        else:
            rel = theta.gather(2, target.reshape(-1, 1, 1).expand(-1, self.n_concepts, 1))[:, :, 0]
        if isinstance(self.conceptizer, IdentityConcepts) and self.conceptizer.bias:
            rel = rel[:, :-1]
        return rel


def tabular_senn(in_dim: int, n_classes: int, hidden: int = 64, depth: int = 2, bias: bool = True) -> SENN:
    """A SENN whose concepts are the input features and whose relevance network is an MLP."""
    concepts = IdentityConcepts(in_dim, bias=bias)
    theta = MLP(in_dim, concepts.n_concepts * n_classes, hidden=hidden, depth=depth)
    return SENN(concepts, theta, n_classes)


def concept_senn(in_dim: int, n_concepts: int, n_classes: int, hidden: int = 64, depth: int = 2) -> SENN:
    """A SENN with autoencoder concepts and an MLP relevance network on the flattened input."""
    concepts = AutoencoderConcepts(in_dim, n_concepts, hidden=hidden)
    theta = MLP(in_dim, n_concepts * n_classes, hidden=hidden, depth=depth)
    return SENN(concepts, theta, n_classes)


def cnn_senn(n_concepts: int, n_classes: int, image_size: int = 28, in_channels: int = 1, dropout: float = 0.0) -> SENN:
    """The authors' MNIST SENN: a convolutional autoencoder's k concepts, LeNet relevances in [-1, 1].

    ``ConvConcepts`` for h and ``TanhRelevances(LeNet(k * n_classes))`` for theta, as
    ``image_cnn_conceptizer`` and ``image_parametrizer`` in github.com/dmelis/SENN.
    """
    concepts = ConvConcepts(n_concepts, image_size=image_size, in_channels=in_channels)
    theta = TanhRelevances(
        LeNet(n_concepts * n_classes, image_size=image_size, in_channels=in_channels, dropout=dropout)
    )
    return SENN(concepts, theta, n_classes)


def gradient_stability_penalty(
    model: SENN, x: torch.Tensor, form: str = "product-rule", eps: float = 1e-12
) -> torch.Tensor:
    """Mean over the batch of || grad_x f(x) - J_x h(x)^T theta(x) ||_F (all classes together).

    ``form="direct"`` computes both terms with autograd: the gradient of each class score, and the
    vector-Jacobian product of the concepts with that class's relevances. ``form="product-rule"``
    (the default, half the backward passes) uses the identity grad_x f_c = J_h^T theta_c +
    J_theta_c^T h and computes the difference directly as the vector-Jacobian product of theta_c
    with h. Both keep theta and h in the graph, so the penalty trains both networks, and both give
    the same value and the same parameter gradients (see the tests). The penalty is zero exactly
    when theta is locally constant, i.e. when the model is, to first order, linear in h(x).
    """
    if form not in ("direct", "product-rule"):
        raise ValueError(f"form must be 'direct' or 'product-rule', got {form!r}")
    x = x.detach().requires_grad_(True)
    h = model.concepts(x)
    theta = model.relevances(x)
    scores = model.aggregate(h, theta) if form == "direct" else None
    total = 0.0 * theta.flatten(1).sum(1)  # zeros, attached to the graph even if theta ignores x
    for c in range(model.n_classes):
        if scores is not None:
            (grad_f,) = torch.autograd.grad(scores[:, c].sum(), x, create_graph=True)
            (jt_theta,) = torch.autograd.grad(h, x, grad_outputs=theta[:, :, c], create_graph=True)
            diff = grad_f - jt_theta
        else:
            (diff,) = torch.autograd.grad(theta[:, :, c], x, grad_outputs=h, create_graph=True, allow_unused=True)
            if diff is None:  # theta does not depend on x at all
                continue
        total = total + diff.flatten(1).pow(2).sum(1)
    return (total + eps).sqrt().mean()


def senn_loss(
    lam: float, reconstruction: float = 1.0, sparsity: float = 0.0, penalty_batch: int | None = None
) -> Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None], torch.Tensor]:
    """The extra loss for ``interpcat.repro.training.fit``: lam * L_theta (+ concept learning terms).

    For learned concepts, adds ``reconstruction`` * MSE(x, decode(h(x))) + ``sparsity`` * mean |h|.
    ``penalty_batch`` computes L_theta on the first that many examples of each (shuffled) batch
    only: an unbiased estimate of the batch mean at a fraction of the cost (one double backward
    pass per class); None uses the whole batch.
    """
    if penalty_batch is not None and penalty_batch < 1:
        raise ValueError("penalty_batch must be a positive number of examples or None")

    def extra(model: nn.Module, x: torch.Tensor, y: torch.Tensor, logits: torch.Tensor, mask: object) -> torch.Tensor:
        assert isinstance(model, SENN)
        loss = torch.zeros((), device=x.device)
        if lam > 0:
            xp = x if penalty_batch is None else x[:penalty_batch]
            loss = loss + lam * gradient_stability_penalty(model, xp)
        if getattr(model.conceptizer, "learned", False):
            h = model.concepts(x)
            recon = model.conceptizer.reconstruct(h)
            loss = loss + reconstruction * nn.functional.mse_loss(recon, x.flatten(1))
            if sparsity > 0:
                loss = loss + sparsity * h.abs().mean()
        return loss

    return extra


@torch.no_grad()
def concept_removal_drops(
    model: SENN, x: torch.Tensor, target: torch.Tensor, baseline: torch.Tensor | None = None
) -> torch.Tensor:
    """Drop in the target class's probability when each concept is removed, shape (B, k').

    Identity concepts (features): feature i is replaced by ``baseline[i]`` (e.g. the training
    median; zeros if not given) and the whole model, relevances included, is run again.
    Learned concepts: h_i is set to zero in the aggregator (theta depends on x, which is unchanged).
    A positive drop means the concept supported the prediction. The constant concept is not removed.
    """
    model.eval()
    idx = torch.arange(len(x), device=x.device)
    p = model(x).softmax(1)[idx, target]
    drops = []
    if isinstance(model.conceptizer, IdentityConcepts):
        flat = x.flatten(1)
        base = torch.zeros(flat.shape[1], device=x.device) if baseline is None else baseline.to(x.device).flatten()
        for i in range(flat.shape[1]):
            xi = flat.clone()
            xi[:, i] = base[i]
            q = model(xi.reshape(x.shape)).softmax(1)[idx, target]
            drops.append(p - q)
    else:
        h, theta = model.concepts(x), model.relevances(x)
        for i in range(model.n_concepts):
            hi = h.clone()
            hi[:, i] = 0.0
            q = model.aggregate(hi, theta).softmax(1)[idx, target]
            drops.append(p - q)
    return torch.stack(drops, dim=1)


def row_correlations(a: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    """Pearson correlation between matching rows of a and b (NaN where a row is constant)."""
    a_np = np.asarray(a.detach().cpu(), dtype=float)
    b_np = np.asarray(b.detach().cpu(), dtype=float)
    if a_np.shape != b_np.shape:
        raise ValueError(f"shapes differ: {a_np.shape} vs {b_np.shape}")
    out = np.full(len(a_np), np.nan)
    for j, (ra, rb) in enumerate(zip(a_np, b_np, strict=True)):
        if np.std(ra) > 0 and np.std(rb) > 0:
            out[j] = np.corrcoef(ra, rb)[0, 1]
    return out


def mean_row_correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """The row correlations averaged over rows with a defined correlation (NaN if there is none).

    This is the paper's faithfulness estimate: relevance scores against probability drops, per
    example, then aggregated over examples.
    """
    r = row_correlations(a, b)
    return float(np.nanmean(r)) if np.isfinite(r).any() else float("nan")
