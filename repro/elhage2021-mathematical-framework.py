# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A mathematical framework for transformer circuits: bigrams and K-composition
#
# Reproduction, on generated data and with small TransformerLens models trained from scratch, of
# two results of Elhage, Nanda, Olsson et al. (2021), *A Mathematical Framework for Transformer
# Circuits* (Transformer Circuits Thread).
#
# ## The claims
#
# The record (`catalog/papers/elhage2021-mathematical-framework.yaml`) holds the checks, their roles,
# expectations and reasons.
#
# 1. **Zero-layer models learn bigrams (section "Zero-Layer Transformers").** A model with no
#    attention layer maps the current token straight to logits, so `W_E W_U` (the paper writes
#    `W_U W_E`) is a table of next-token logits that approximates the training data's bigram
#    log-likelihoods. We train it on a random Markov chain whose bigram table we know.
# 2. **Induction heads by K-composition (section "Two-Layer Attention-Only Transformers").** In a
#    two-layer attention-only model the induction head's keys read what a first-layer
#    previous-token head wrote; the composition score `||W_QK^T W_OV||_F / (||W_QK||_F ||W_OV||_F)`
#    of that pair should stand out against the other head pairs and against random matrices. (The
#    one-layer side of the claim, that one layer forms no induction head, is tested in the Olsson et
#    al. 2022 notebook, `prefix-matching-one-layer`.)
#
# ## Deviations: paper vs this notebook
#
# | | paper | here |
# | --- | --- | --- |
# | data | the authors' language-model corpus | (1) a random Markov chain over 64 tokens (each row of the transition matrix drawn from a Dirichlet(0.3)), sequences of 32 tokens; (2) repeated random tokens as in the Olsson et al. notebook (a segment of 6 to 15 distinct tokens repeated to fill 32) |
# | models | attention-only, no biases, no LayerNorm, d_model 512 (the toy models) | `HookedTransformer` from a `HookedTransformerConfig`: zero layers (embedding, positions, unembedding) and two attention-only layers with `LNPre` (LayerNorm without learned scales), d_model 32 with 4 heads (smoke) or 64 with 8 (full) |
# | bigram reading | `W_U W_E` inspected | `softmax(W_E W_U + b_U)` compared with the true transition matrix (KL divergence, correlation); the positional embedding's per-position shift is left out |
# | composition | Q-, K- and V-composition scores of all head pairs | the same scores from TransformerLens (`HookedTransformer.all_composition_scores`); the induction head by prefix matching and the previous-token head by attention to the previous position, read from `blocks.{l}.attn.hook_pattern`; a baseline of random rank-d_head matrices (`interpcat.methods.induction.random_composition_scores`) |
# | runs | one model each | 3 seeds (smoke) or 5 (full) |

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from transformer_lens import HookedTransformer, HookedTransformerConfig

from interpcat.methods.induction import (
    prefix_matching_scores,
    previous_token_scores,
    random_composition_scores,
    repeated_random_tokens,
)
from interpcat.repro import Reproduction
from interpcat.repro.seeds import SeedTable

run = Reproduction(paper="elhage2021-mathematical-framework", seed=0)
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2], bigram_steps=300, steps=1000, d_model=32, n_heads=4),
    full=dict(seeds=[0, 1, 2, 3, 4], bigram_steps=600, steps=2000, d_model=64, n_heads=8),
)
device = run.device
VOCAB, SEQ, PERIOD, BATCH, LR = 64, 32, (6, 15), 32, 3e-3
run.data(
    "random Markov chain (generated)", size=cfg.bigram_steps * BATCH, resolution=f"{SEQ} tokens, vocabulary {VOCAB}"
)
run.data("repeated random tokens (generated)", size=cfg.steps * BATCH, resolution=f"{SEQ} tokens, period 6-15")


def config(n_layers: int, seed: int) -> HookedTransformerConfig:
    return HookedTransformerConfig(
        n_layers=n_layers,
        d_model=cfg.d_model,
        n_heads=cfg.n_heads,
        d_head=cfg.d_model // cfg.n_heads,
        n_ctx=SEQ,
        d_vocab=VOCAB,
        act_fn=None,
        attn_only=True,
        normalization_type="LNPre" if n_layers else None,
        device=device,
        seed=seed,
    )


def fit(model: HookedTransformer, steps: int, batches, lr: float) -> None:
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup))
    for _ in range(steps):
        loss = model(batches().to(device), return_type="loss")
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()


# %% [markdown]
# ## Zero layers: the bigram table in the weights


# %%
def markov_chain(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Generator]:
    gen = torch.Generator().manual_seed(500 + seed)
    rows = np.random.default_rng(500 + seed).dirichlet(np.full(VOCAB, 0.3), size=VOCAB)
    transitions = torch.tensor(rows, dtype=torch.float32)
    stationary = torch.linalg.matrix_power(transitions, 200)[0]
    return transitions, stationary, gen


def chain_batch(transitions: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    x = torch.empty(BATCH, SEQ, dtype=torch.long)
    x[:, 0] = torch.randint(0, VOCAB, (BATCH,), generator=gen)
    for t in range(1, SEQ):
        x[:, t] = torch.multinomial(transitions[x[:, t - 1]], 1, generator=gen).squeeze(1)
    return x


def kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    return (p * (p.clamp_min(1e-12).log() - q.clamp_min(1e-12).log())).sum(-1)


table = SeedTable()
bigram_tables = {}
for seed in cfg.seeds:
    transitions, stationary, gen = markov_chain(seed)
    zero = HookedTransformer(config(0, seed))
    fit(zero, cfg.bigram_steps, lambda t=transitions, g=gen: chain_batch(t, g), lr=1e-2)
    with torch.no_grad():
        read = torch.softmax(zero.W_E @ zero.W_U + zero.b_U, dim=-1).cpu()
    weights = stationary  # how often each current token occurs
    kl_model = float((weights * kl(transitions, read)).sum())
    kl_unigram = float((weights * kl(transitions, stationary.expand_as(transitions))).sum())
    corr = float(np.corrcoef(read.flatten().numpy(), transitions.flatten().numpy())[0, 1])
    bigram_tables[seed] = (transitions, read)
    table.add(seed, kl_ratio=kl_model / kl_unigram, kl_model=kl_model, kl_unigram=kl_unigram, bigram_corr=corr)
    print(f"seed {seed}: KL to W_E W_U table {kl_model:.3f}, to unigram {kl_unigram:.3f} nats; correlation {corr:.3f}")


# %% [markdown]
# ## Two layers: the induction head's K-composition

# %%
eval_tokens, _ = repeated_random_tokens(256, SEQ, VOCAB, PERIOD, torch.Generator().manual_seed(12345))
eval_tokens = eval_tokens.to(device)
random_level = float(
    random_composition_scores(cfg.d_model, cfg.d_model // cfg.n_heads, 200, torch.Generator().manual_seed(7)).mean()
)
compositions = {}
for seed in cfg.seeds:
    model = HookedTransformer(config(2, seed))
    gen = torch.Generator().manual_seed(2000 + seed)
    fit(model, cfg.steps, lambda g=gen: repeated_random_tokens(BATCH, SEQ, VOCAB, PERIOD, g)[0], lr=LR)
    with torch.no_grad():
        _, cache = model.run_with_cache(eval_tokens, names_filter=lambda name: name.endswith("hook_pattern"))
        prefix = prefix_matching_scores(cache["pattern", 1], eval_tokens).cpu()
        previous = previous_token_scores(cache["pattern", 0]).cpu()
        scores = {mode: model.all_composition_scores(mode)[0, :, 1, :].cpu() for mode in "QKV"}  # [head 0, head 1]
    induction, prev_head = int(prefix.argmax()), int(previous.argmax())
    k = scores["K"]
    others = torch.ones_like(k, dtype=torch.bool)
    others[prev_head, induction] = False
    compositions[seed] = scores
    table.add(
        seed,
        prefix_layer1=float(prefix.max()),
        previous_layer0=float(previous.max()),
        k_pair=float(k[prev_head, induction]),
        k_others=float(k[others].mean()),
        q_pair=float(scores["Q"][prev_head, induction]),
        v_pair=float(scores["V"][prev_head, induction]),
    )
    print(
        f"seed {seed}: induction head 1.{induction} (prefix {prefix.max():.2f}), previous-token head 0.{prev_head} "
        f"({previous.max():.2f}); K-composition {k[prev_head, induction]:.3f} vs other pairs {k[others].mean():.3f}, "
        f"random {random_level:.3f}; Q {scores['Q'][prev_head, induction]:.3f}, V {scores['V'][prev_head, induction]:.3f}"
    )
print(table.spread())

# %% [markdown]
# ## Checks

# %%
run.measure("bigram-kl-ratio", table.labelled("kl_ratio"))
run.measure("bigram-prob-correlation", table.labelled("bigram_corr"))
run.measure("induction-head-formed", table.labelled("prefix_layer1"))
run.measure("k-composition-over-other-pairs", table.labelled(lambda r: r["k_pair"] / r["k_others"]))
run.measure("k-composition-over-random", table.labelled(lambda r: r["k_pair"] / random_level))

# %% [markdown]
# ## Plot
#
# Q-, K- and V-composition scores of every (first-layer, second-layer) head pair for every seed's
# two-layer model (rows: first-layer heads; columns: second-layer heads), beside the random level.

# %%
fig, axes = plt.subplots(len(cfg.seeds), 3, figsize=(7, 2.2 * len(cfg.seeds)), dpi=80, squeeze=False)
top = max(float(s[m].max()) for s in compositions.values() for m in "QKV")
for r, seed in enumerate(cfg.seeds):
    for c, mode in enumerate("QKV"):
        ax = axes[r][c]
        im = ax.imshow(compositions[seed][mode], vmin=0, vmax=top, cmap="viridis")
        ax.set_title(f"seed {seed}: {mode}-composition", fontsize=8)
        ax.set_xlabel("layer-1 head", fontsize=7)
        ax.set_ylabel("layer-0 head", fontsize=7)
        ax.tick_params(labelsize=6)
fig.colorbar(im, ax=axes, shrink=0.6, label=f"composition score (random: {random_level:.3f})")
plt.show()

# %% [markdown]
# ## Discussion
#
# * **Bigrams.** The zero-layer model's only path is embedding to unembedding, so what it can learn
#   is a table of next-token logits; on a chain with a known table the comparison is direct. The
#   KL divergence is weighted by how often each current token occurs, so rare tokens, whose rows
#   the training data barely constrains, count little.
# * **K-composition.** The model is the two-layer model of the Olsson et al. notebook, trained
#   longer (1,000 steps in smoke). Where a seed forms no induction head by the end of training the
#   precondition fails and the claim is inconclusive for that run; in the smoke profile the phase
#   change comes late and only some seeds reach it. Without an induction head the "pair" is just
#   the heads with the highest scores, and its K-composition is at the level of the other pairs.
# * **The random baseline** is not small at these sizes: two random rank-8 maps in 32 dimensions
#   compose with a score near 0.18, and the trained pairs that do not form the circuit sit at
#   about the same level, so "twice the random level" asks more of a small model than of the
#   paper's (whose d_model of 512 puts the random level far lower). TransformerLens computes the
#   scores from the factored `W_QK` and `W_OV` (`FactoredMatrix`); with `LNPre` the LayerNorm has no
#   learned scale to fold in, but its normalisation is ignored by the weight-based scores, as in the
#   paper.
# * **Not tested here:** the one-layer skip-trigram reading of OV and QK circuits and the
#   eigenvalue count of copying heads (the record's other claim), for lack of time.
#
# **Changes after the first run**: none.

# %%
run.finish()
