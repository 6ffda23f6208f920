"""Planted lexical shortcuts in synthetic token sequences, small text classifiers, and token salience.

References:
    Bastings, J., Ebert, S., Zablotskaia, P., Sandholm, A., Filippova, K. (2022). "Will You Find
    These Shortcuts?" A Protocol for Evaluating the Faithfulness of Input Salience Methods for
    Text Classification. EMNLP 2022, pp. 976-991. arXiv:2111.07367,
    doi:10.18653/v1/2022.emnlp-main.64 (Section 2: the protocol and the shortcut types).

A scaled-down analog of the paper's partially synthetic data. Sentences are random sequences of
"regular" word ids; a weak bag-of-words rule gives each one a base label (a fraction of the words
carry a polarity of +1 or -1, the sign of the sum decides, and some labels are flipped as noise),
standing in for a sentiment data set such as SST-2. A fraction of the examples is made synthetic:
special shortcut tokens are inserted and the label is set by them alone, at random with respect to
the base label:

* ``single-token``: one shortcut token, ``SC0`` for label 0 or ``SC1`` for label 1;
* ``ordered-pair``: both tokens, ``SC0 ... SC1`` for label 0 and ``SC1 ... SC0`` for label 1. As in
  the paper, the unmodified examples of this kind get one of the two tokens at random with their
  label unchanged, so that neither token predicts the label on its own: only their order does.

Every sequence starts with a ``CLS`` token and is padded with ``PAD`` to a fixed length. ``MASK`` is
the replacement token for baselines (integrated gradients, LIME). The two models expose their token
embedding layer (``embedding``) and ``forward_embeddings(embeddings, tokens)``, so that Captum's
methods can attribute to the token embeddings, as salience methods for text do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
from torch import nn

from ..repro.data import Split

PAD, MASK, CLS, SC0, SC1 = 0, 1, 2, 3, 4
N_SPECIAL = 5
SHORTCUT_KINDS = ("single-token", "ordered-pair")
SALIENCE_METHODS = ("grad-l2", "grad-l1", "grad-x-input", "ig-zero", "ig-mask", "lime", "random")


@dataclass(frozen=True)
class ShortcutTask:
    """The generator's fixed parts: vocabulary, sentence lengths and the bag-of-words rule."""

    n_regular: int = 300
    min_len: int = 8
    max_len: int = 24
    sentiment_fraction: float = 0.2
    label_noise: float = 0.1
    seed: int = 0

    @property
    def vocab_size(self) -> int:
        return N_SPECIAL + self.n_regular

    @property
    def seq_len(self) -> int:
        """CLS + the longest sentence + room for two shortcut tokens."""
        return 1 + self.max_len + 2

    @cached_property
    def polarity(self) -> np.ndarray:
        """Per token id: +1 or -1 for polar words, 0 for neutral words and special tokens."""
        rng = np.random.default_rng(self.seed)
        weights = np.zeros(self.vocab_size)
        polar = rng.random(self.n_regular) < self.sentiment_fraction
        signs = rng.choice([-1.0, 1.0], size=self.n_regular)
        weights[N_SPECIAL:] = np.where(polar, signs, 0.0)
        return weights


@dataclass
class TokenData:
    """Padded token ids with labels, where the label-setting shortcut tokens are, and which rows are synthetic."""

    tokens: torch.Tensor  # (n, seq_len) long
    labels: torch.Tensor  # (n,) long
    shortcut: torch.Tensor  # (n, seq_len) bool: the inserted tokens that set the label
    synthetic: torch.Tensor  # (n,) bool
    base_labels: torch.Tensor  # (n,) long: the bag-of-words label before any shortcut

    def __len__(self) -> int:
        return len(self.labels)

    def split(self) -> Split:
        return Split(self.tokens, self.labels)

    def subset(self, index: torch.Tensor | slice) -> TokenData:
        return TokenData(
            self.tokens[index], self.labels[index], self.shortcut[index], self.synthetic[index], self.base_labels[index]
        )


def _insert(words: np.ndarray, extra: list[int], rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """Put the ``extra`` tokens, in their order, at random positions among ``words``; return the sequence and their positions."""
    total = len(words) + len(extra)
    slots = sorted(rng.choice(total, size=len(extra), replace=False).tolist())
    out, it_words, it_extra = [], iter(words.tolist()), iter(extra)
    for i in range(total):
        out.append(next(it_extra) if i in slots else next(it_words))
    return out, slots


def sample(
    task: ShortcutTask,
    n: int,
    *,
    kind: str | None,
    synthetic_fraction: float,
    rng: np.random.Generator,
    lone_token_fraction: float | None = None,
) -> TokenData:
    """``n`` examples; a ``synthetic_fraction`` of them carry the shortcut of ``kind`` and get their label from it.

    ``kind=None`` gives original data without synthetic examples (what a control model trains on).
    With ``synthetic_fraction=1`` every example is synthetic (the verification test set).
    ``lone_token_fraction`` is the share of the other examples that get one of ``SC0`` / ``SC1`` at
    random with their label unchanged; by default 1 for ``ordered-pair`` (as in the paper) and 0
    otherwise. With ``kind=None`` and a share above 0, the tokens occur but carry no information.
    """
    if kind is not None and kind not in SHORTCUT_KINDS:
        raise ValueError(f"kind must be one of {SHORTCUT_KINDS} or None, got {kind!r}")
    if kind is None and synthetic_fraction > 0:
        raise ValueError("original data (kind=None) has no synthetic examples")
    if lone_token_fraction is None:
        lone_token_fraction = 1.0 if kind == "ordered-pair" else 0.0
    tokens = np.full((n, task.seq_len), PAD, dtype=np.int64)
    shortcut = np.zeros((n, task.seq_len), dtype=bool)
    labels = np.zeros(n, dtype=np.int64)
    base_labels = np.zeros(n, dtype=np.int64)
    synthetic = np.zeros(n, dtype=bool)
    for i in range(n):
        length = int(rng.integers(task.min_len, task.max_len + 1))
        words = rng.integers(N_SPECIAL, task.vocab_size, size=length)
        score = task.polarity[words].sum()
        base = int(score > 0) if score != 0 else int(rng.integers(2))
        if rng.random() < task.label_noise:
            base = 1 - base
        label, extra, marks = base, [], False
        if kind is not None and rng.random() < synthetic_fraction:
            synthetic[i] = marks = True
            label = int(rng.integers(2))
            pair = [SC0, SC1] if label == 0 else [SC1, SC0]
            extra = pair[:1] if kind == "single-token" else pair
        elif lone_token_fraction > 0 and rng.random() < lone_token_fraction:
            extra = [int(rng.choice([SC0, SC1]))]  # a lone token, label unchanged: not predictive alone
        seq, slots = _insert(words, extra, rng)
        tokens[i, 0] = CLS
        tokens[i, 1 : 1 + len(seq)] = seq
        if marks:
            shortcut[i, [1 + s for s in slots]] = True
        labels[i], base_labels[i] = label, base
    return TokenData(
        torch.from_numpy(tokens),
        torch.from_numpy(labels),
        torch.from_numpy(shortcut),
        torch.from_numpy(synthetic),
        torch.from_numpy(base_labels),
    )


def flip_shortcut(tokens: torch.Tensor) -> torch.Tensor:
    """Exchange ``SC0`` and ``SC1`` everywhere: reverses a single-token shortcut and the order of a pair."""
    out = tokens.clone()
    out[tokens == SC0] = SC1
    out[tokens == SC1] = SC0
    return out


def flipped(data: TokenData) -> TokenData:
    """Synthetic examples with their shortcut reversed and, accordingly, the opposite label.

    The sentence is unchanged, so a model that follows the shortcut must change its prediction and a
    model that ignores it cannot: on ``data`` plus ``flipped(data)`` such a model scores exactly 50%.
    """
    if not data.synthetic.all():
        raise ValueError("only synthetic examples have a shortcut to flip")
    return TokenData(flip_shortcut(data.tokens), 1 - data.labels, data.shortcut, data.synthetic, data.base_labels)


def rankable(tokens: torch.Tensor) -> torch.Tensor:
    """Positions a salience ranking may name: real tokens, not ``PAD`` or ``CLS``."""
    return (tokens != PAD) & (tokens != CLS)


def masked_tokens(tokens: torch.Tensor) -> torch.Tensor:
    """Every rankable position replaced by ``MASK`` (the baseline input of IG-mask and LIME)."""
    return torch.where(rankable(tokens), torch.full_like(tokens, MASK), tokens)


class LSTMClassifier(nn.Module):
    """Token embeddings, a bidirectional LSTM, max-pooling over the real (non-pad) positions, a linear layer."""

    def __init__(self, vocab_size: int, embed_dim: int = 32, hidden: int = 32, n_classes: int = 2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_embeddings(self.embedding(tokens), tokens)

    def forward_embeddings(self, embeddings: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        states, _ = self.lstm(embeddings)
        states = states.masked_fill((tokens == PAD)[..., None], float("-inf"))
        return self.out(states.max(1).values)


class TransformerClassifier(nn.Module):
    """A small BERT-shaped encoder: token + position embeddings with LayerNorm, post-LN GELU layers,
    classification from the ``CLS`` position through a tanh pooler."""

    def __init__(
        self,
        vocab_size: int,
        seq_len: int,
        d_model: int = 32,
        n_heads: int = 2,
        n_layers: int = 2,
        ff: int = 64,
        dropout: float = 0.1,
        n_classes: int = 2,
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=PAD)
        self.position = nn.Embedding(seq_len, d_model)
        self.embed_norm = nn.LayerNorm(d_model)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, ff, dropout=dropout, activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.pooler = nn.Sequential(nn.Linear(d_model, d_model), nn.Tanh())
        self.out = nn.Linear(d_model, n_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.forward_embeddings(self.embedding(tokens), tokens)

    def forward_embeddings(self, embeddings: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        positions = self.position(torch.arange(tokens.shape[1], device=tokens.device))
        h = self.embed_norm(embeddings + positions)
        h = self.encoder(h, src_key_padding_mask=tokens == PAD)
        return self.out(self.pooler(h[:, 0]))


def salience(
    model: nn.Module,
    tokens: torch.Tensor,
    method: str,
    *,
    target: torch.Tensor | None = None,
    ig_steps: int = 50,
    lime_samples: int = 200,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Per-token salience, shape (n, seq_len), for the ``target`` logit (default: the predicted class).

    Every method goes through Captum on the token embeddings:

    * ``grad-l2`` / ``grad-l1``: ``Saliency`` (the gradient), reduced per token by its L2 / L1 norm;
    * ``grad-x-input``: ``InputXGradient``, summed over the embedding (gradient dot embedding);
    * ``ig-zero`` / ``ig-mask``: ``IntegratedGradients`` from the all-zero embedding / from the
      embedding of the sequence with every token replaced by ``MASK``, summed over the embedding;
    * ``lime``: ``Lime`` with one interpretable feature per position, a removed token replaced by
      ``MASK``, a ridge regression as the surrogate;
    * ``random``: uniform noise, the chance baseline.

    Signed methods are returned signed (positive = supports the target); rank them as they are.
    """
    from captum._utils.models.linear_model import SkLearnRidge
    from captum.attr import InputXGradient, IntegratedGradients, Lime, Saliency

    if method not in SALIENCE_METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {SALIENCE_METHODS}")
    model.eval()
    if method == "random":
        return torch.rand(tokens.shape, generator=generator)
    with torch.no_grad():
        embeddings = model.embedding(tokens)
        if target is None:
            target = model(tokens).argmax(1)
    forward = model.forward_embeddings
    args = (tokens,)
    if method in ("grad-l2", "grad-l1"):
        grads = Saliency(forward).attribute(embeddings, target=target, abs=False, additional_forward_args=args)
        return grads.detach().norm(p=2 if method == "grad-l2" else 1, dim=-1)
    if method == "grad-x-input":
        return (
            InputXGradient(forward).attribute(embeddings, target=target, additional_forward_args=args).detach().sum(-1)
        )
    if method in ("ig-zero", "ig-mask"):
        with torch.no_grad():
            baseline = torch.zeros_like(embeddings) if method == "ig-zero" else model.embedding(masked_tokens(tokens))
        attr = IntegratedGradients(forward).attribute(
            embeddings,
            baselines=baseline,
            target=target,
            additional_forward_args=args,
            n_steps=ig_steps,
            internal_batch_size=max(4096, tokens.shape[0]),
        )
        return attr.detach().sum(-1)
    with torch.no_grad():
        baseline = model.embedding(masked_tokens(tokens))
    positions = torch.arange(tokens.shape[1]).expand_as(tokens)
    feature_mask = positions[..., None].expand_as(embeddings).contiguous()
    lime = Lime(forward, interpretable_model=SkLearnRidge(alpha=1.0))
    attr = lime.attribute(
        embeddings,
        baselines=baseline,
        target=target,
        additional_forward_args=args,
        feature_mask=feature_mask,
        n_samples=lime_samples,
        perturbations_per_eval=lime_samples,
    )
    return attr.detach()[..., 0]


def shortcut_precision(scores: torch.Tensor, data: TokenData) -> torch.Tensor:
    """Per synthetic example, precision@k of the shortcut tokens in the salience ranking, k = number of shortcut tokens.

    ``PAD`` and ``CLS`` positions are left out of the ranking. Uses ``interpcat.metrics.precision_at_k``.
    """
    from ..metrics import precision_at_k

    keep = data.synthetic
    tokens, relevant = data.tokens[keep], data.shortcut[keep]
    ranked = scores[keep].masked_fill(~rankable(tokens), float("-inf"))
    return precision_at_k(ranked, relevant, relevant.sum(1))
