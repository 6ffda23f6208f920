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
# # Will you find these shortcuts? Planted tokens, an LSTM and a small transformer
#
# Reproduction, scaled down, of Bastings, Ebert, Zablotskaia, Sandholm & Filippova (2022),
# *"Will You Find These Shortcuts?" A Protocol for Evaluating the Faithfulness of Input Salience
# Methods for Text Classification* (EMNLP 2022, arXiv:2111.07367).
#
# The paper's protocol plants a lexical shortcut in part of a text classification data set, trains a
# model on the mixed data, verifies that the model really uses the shortcut, and then asks how often a
# salience method puts the shortcut tokens at the top of its ranking (precision@k, with k the number
# of shortcut tokens). The catalog record (`catalog/papers/bastings2022-will-you-find-these-shortcuts.yaml`)
# states the five claims tested here, with every check, its role and the reason for its threshold:
#
# 1. `shortcut-learned`: mixed-data models follow the shortcut almost perfectly (at least 99.7%),
#    original-data models score 50% (Section 3, Figure 3).
# 2. `grad-l2-finds-shortcut-transformer`: Grad-L2 reaches 0.87 or more on BERT (Table 3).
# 3. `gxi-finds-shortcut-lstm`: gradient x input ranks a single planted token first on the LSTM (1.0).
# 4. `gxi-below-grad-l2-transformer`: on BERT, GxI (0.29 to 0.59) stays far below Grad-L2.
# 5. `method-ranking-differs`: Grad-L2 drops to about 0.5 on the LSTM, where GxI and IG do better.
#
# Claims 2 to 5 score salience on models, so they rest on two preconditions: the scored models
# follow the shortcut on held-out synthetic data (`scored-models-verified`) and the control models
# are at chance there (`scored-control-at-chance`). If either fails, those claims are inconclusive.
#
# **Signed or magnitude ranking.** GxI, IG and LIME give signed scores. The paper's Figure 1 reads
# them signed ("The same token (eastwood) is assigned the highest (Grad-L2), the lowest (GxI,
# LIME) and a mid-range (IG) importance score ... red stands for negative weights"). The text
# available to us does not say whether precision@k ranks the signed scores or their magnitudes, so
# every check on a signed method is pre-registered in both readings, under rule `all`.
#
# ## Paper and analog
#
# | | paper | here |
# | --- | --- | --- |
# | models | fine-tuned BERT; biLSTM with GloVe embeddings | 2-layer, width-32 BERT-shaped transformer; biLSTM (32 per direction); both trained from scratch (`interpcat.tasks.shortcuts`) |
# | data | SST-2, IMDB, Wikipedia Toxicity | generated sentences: 6 to 16 of 200 word ids, a weak bag-of-words polarity rule as the base label |
# | shortcut types | single token, token in context, ordered pair | single token (both profiles) and ordered pair (full profile only); no token in context |
# | synthetic share | 20% of the training data | the same |
# | verification | accuracy on a fully synthetic test set | paired: each synthetic example and its twin with the shortcut reversed; a model is accepted on a separate acceptance set and retrained (new initialisation, at most three runs) if it misses 0.99 there; checks use a held-out test set |
# | control | same architecture on the original data | the same; `SC0` / `SC1` occur in 20% of its data as label-free noise |
# | models per setting | one | one per seed (smoke: 1 seed, full: 2); precision pooled over seeds |
# | methods | Grad-L2 / L1, GxI, IG (several baselines, up to 1000 steps), LIME (up to 3000 samples) | the same classes through Captum on the token embeddings; IG from zero and from all-`MASK` with 32 to 50 steps; LIME with 50 to 200 samples on the first 40 to 60 examples |
# | metric | precision@k, mean rank | precision@k (`interpcat.metrics.precision_at_k`), `PAD` and `CLS` excluded; signed and magnitude ranking |
# | what the checks score | every combination | the single-token shortcut, per synthetic test example (both profiles alike); the ordered pair is shown in the tables |
#
# * **Shortcuts.** Two special tokens, `SC0` and `SC1`. In a synthetic example the label is drawn
#   at random and set by the shortcut: *single token*, `SC0` means 0 and `SC1` means 1 (k = 1);
#   *ordered pair*, `SC0 ... SC1` means 0 and `SC1 ... SC0` means 1 (k = 2), and, as in the paper,
#   the unmodified examples get one of the two tokens at random so that neither predicts the label
#   alone. Every sequence starts with `CLS`; `MASK` is the replacement token of IG-mask and LIME.
# * **Salience** for the logit of the predicted class, on the token embeddings: Grad-L2 / Grad-L1
#   are the per-token L2 / L1 norms of the gradient, GxI is gradient dot embedding, IG is summed
#   over the embedding, LIME has one feature per position.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch

from interpcat.repro import Reproduction
from interpcat.repro.training import accuracy, fit, predict
from interpcat.tasks.shortcuts import (
    CLS,
    MASK,
    PAD,
    SALIENCE_METHODS,
    SC0,
    SC1,
    LSTMClassifier,
    ShortcutTask,
    TransformerClassifier,
    flipped,
    rankable,
    salience,
    sample,
    shortcut_precision,
)

warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")
warnings.filterwarnings("ignore", message="You are providing multiple inputs for Lime")

run = Reproduction(paper="bastings2022-will-you-find-these-shortcuts", seed=0)
cfg = run.pick(
    smoke=dict(
        kinds=["single-token"],
        seeds=[0],
        n_train={"single-token": 5000},
        n_control=4000,
        epochs=10,
        n_accept=300,
        n_verify=300,
        n_clean=1000,
        n_eval=300,
        n_lime=40,
        lime_samples=50,
        ig_steps=32,
        max_tries=3,
        accept_at=0.99,
    ),
    full=dict(
        kinds=["single-token", "ordered-pair"],
        seeds=[0, 1],
        n_train={"single-token": 6000, "ordered-pair": 16000},
        n_control=6000,
        epochs=12,
        n_accept=500,
        n_verify=1000,
        n_clean=2000,
        n_eval=300,
        n_lime=60,
        lime_samples=200,
        ig_steps=50,
        max_tries=3,
        accept_at=0.99,
    ),
)
device = run.device
if device.type == "cpu":
    torch.set_num_threads(1)  # tiny models: more threads only add synchronisation, and spin on a busy machine
ARCHS = ["lstm", "transformer"]
SCORED = "single-token"  # the shortcut type the checks score (both profiles train it)
SYNTHETIC_SHARE = 0.2  # the paper's share of synthetic examples
task = ShortcutTask(n_regular=200, min_len=6, max_len=16, sentiment_fraction=0.3, label_noise=0.05, seed=run.seed)
print(f"vocabulary {task.vocab_size} ids, sequences of {task.seq_len} positions; kinds {cfg.kinds}; seeds {cfg.seeds}")

# %% [markdown]
# ## Run
#
# For every seed: generate the data, train the control models on original data (first seed only)
# and, for every shortcut type, the mixed-data models. Each mixed-data model goes through the
# protocol's verification: it is accepted when its paired accuracy on the acceptance set reaches
# `accept_at`, otherwise retrained from a new initialisation, at most `max_tries` runs in all (a
# model that never passes is kept at its best run, and the held-out checks decide). Then every
# salience method runs on the first `n_eval` held-out synthetic test examples (LIME, the slow one,
# on the first `n_lime`), and precision@k is kept per example, for the signed scores and their
# magnitudes.


# %%
def make_model(arch: str) -> torch.nn.Module:
    if arch == "lstm":
        return LSTMClassifier(task.vocab_size, embed_dim=32, hidden=32)
    return TransformerClassifier(task.vocab_size, task.seq_len, d_model=32, n_heads=2, n_layers=2, ff=64)


def train(arch: str, data, seed: int, desc: str) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = make_model(arch)
    fit(model, data.split(), epochs=cfg.epochs, lr=3e-3, batch_size=128, seed=seed, device=device, desc=desc)
    return model.cpu().eval()


def verify(model, syn) -> dict:
    """Paired accuracy (synthetic examples and their reversed twins) and how often reversing flips the prediction."""
    back = flipped(syn)
    pred, pred_back = predict(model, syn.tokens).argmax(1), predict(model, back.tokens).argmax(1)
    paired = float(torch.cat([pred == syn.labels, pred_back == back.labels]).float().mean())
    return dict(paired=paired, flips=float((pred != pred_back).float().mean()))


def train_verified(arch: str, data, accept, seed: int, desc: str):
    """The protocol's train-and-verify loop: (model, runs it took, accepted?, acceptance accuracy per run)."""
    tries = []
    for t in range(cfg.max_tries):
        model = train(arch, data, seed + 100 * t, f"{desc} run {t + 1}")
        tries.append((verify(model, accept)["paired"], model))
        if tries[-1][0] >= cfg.accept_at:
            break
    best_acc, best = max(tries, key=lambda x: x[0])
    return best, len(tries), best_acc >= cfg.accept_at, [a for a, _ in tries]


verification, controls, precision, examples = [], [], {}, {}
for seed in cfg.seeds:
    rng = np.random.default_rng(1000 + seed)
    clean = sample(task, cfg.n_clean, kind=None, synthetic_fraction=0.0, rng=rng)
    original = sample(
        task, cfg.n_control, kind=None, synthetic_fraction=0.0, lone_token_fraction=SYNTHETIC_SHARE, rng=rng
    )
    tests = {kind: sample(task, cfg.n_verify, kind=kind, synthetic_fraction=1.0, rng=rng) for kind in cfg.kinds}
    mixed = {
        kind: sample(task, cfg.n_train[kind], kind=kind, synthetic_fraction=SYNTHETIC_SHARE, rng=rng)
        for kind in cfg.kinds
    }
    rng_accept = np.random.default_rng(2000 + seed)  # its own stream: the other sets stay as they were
    accepts = {
        kind: sample(task, cfg.n_accept, kind=kind, synthetic_fraction=1.0, rng=rng_accept) for kind in cfg.kinds
    }
    for arch in ARCHS:
        if seed == cfg.seeds[0]:  # one control model per architecture
            control = train(arch, original, seed, f"{arch} control")
            for kind in cfg.kinds:
                v = verify(control, tests[kind])
                controls.append(dict(arch=arch, kind=kind, clean=accuracy(control, clean.split()), **v))
        for kind in cfg.kinds:
            model, runs, accepted, accept_accs = train_verified(
                arch, mixed[kind], accepts[kind], seed, f"{arch} {kind} seed {seed}"
            )
            v = verify(model, tests[kind])
            verification.append(
                dict(
                    arch=arch,
                    kind=kind,
                    seed=seed,
                    runs=runs,
                    accepted=accepted,
                    clean=accuracy(model, clean.split()),
                    **v,
                )
            )
            ev = tests[kind].subset(slice(0, cfg.n_eval))
            gen = torch.Generator().manual_seed(seed)
            for method in SALIENCE_METHODS:
                data = ev.subset(slice(0, cfg.n_lime)) if method == "lime" else ev
                scores = salience(
                    model, data.tokens, method, ig_steps=cfg.ig_steps, lime_samples=cfg.lime_samples, generator=gen
                )
                precision[(arch, kind, seed, method, "signed")] = shortcut_precision(scores, data).numpy()
                precision[(arch, kind, seed, method, "magnitude")] = shortcut_precision(scores.abs(), data).numpy()
                if seed == cfg.seeds[0]:
                    examples[(arch, kind, method)] = (data.tokens[:3], scores[:3])
            print(
                f"{arch:11s} {kind:12s} seed {seed}: {runs} training run(s), acceptance accuracy "
                + ", ".join(f"{a:.4f}" for a in accept_accs)
                + f"; held-out paired accuracy {v['paired']:.4f}, prediction flips {v['flips']:.4f}, "
                f"clean accuracy {verification[-1]['clean']:.3f}"
            )

for c in controls:
    print(
        f"control {c['arch']:11s} on {c['kind']:12s}: clean accuracy {c['clean']:.3f}, "
        f"paired synthetic accuracy {c['paired']:.4f}, prediction flips {c['flips']:.4f}"
    )
n_gen = len(cfg.seeds) * (cfg.n_clean + cfg.n_control + len(cfg.kinds) * (cfg.n_verify + cfg.n_accept))
n_gen += len(cfg.seeds) * sum(cfg.n_train[k] for k in cfg.kinds)
run.data(
    "generated token sequences with planted shortcuts (interpcat.tasks.shortcuts.sample)",
    size=n_gen,
    resolution=f"6 to 16 word ids of {task.n_regular}, {task.seq_len} positions",
    source="generated in the notebook; " + ", ".join(cfg.kinds),
)

# %% [markdown]
# Precision@k per method (mean over the scored examples of every seed), for each model and shortcut
# type, with signed scores ranked as they are and with their magnitudes. Grad-L2, Grad-L1 and the
# random ranking are unsigned, so their two tables agree.


# %%
def per_example(arch: str, kind: str, method: str, variant: str = "signed") -> np.ndarray:
    """Precision@k per scored example, the profile's seeds concatenated (same example order for every model)."""
    return np.concatenate([precision[(arch, kind, s, method, variant)] for s in cfg.seeds])


for variant in ["signed", "magnitude"]:
    print(f"\nprecision@k, {variant} ranking (mean over the scored examples of {len(cfg.seeds)} seed(s))")
    print(f"{'model':11s} {'shortcut':12s} " + " ".join(f"{m:>12s}" for m in SALIENCE_METHODS))
    for a in ARCHS:
        for k in cfg.kinds:
            row = [per_example(a, k, m, variant).mean() for m in SALIENCE_METHODS]
            print(f"{a:11s} {k:12s} " + " ".join(f"{x:12.3f}" for x in row))

P = {(a, k, m): float(per_example(a, k, m).mean()) for a in ARCHS for k in cfg.kinds for m in SALIENCE_METHODS}

# %% [markdown]
# ## Plots
#
# Precision@k per method for both models, one panel per shortcut type; the dashed line is the random
# ranking's precision for the LSTM's examples.

# %%
fig, axes = plt.subplots(1, len(cfg.kinds), figsize=(5.5 * len(cfg.kinds), 3.4), squeeze=False, dpi=80)
x = np.arange(len(SALIENCE_METHODS) - 1)
for ax, kind in zip(axes[0], cfg.kinds, strict=True):
    for j, arch in enumerate(ARCHS):
        values = [P[(arch, kind, m)] for m in SALIENCE_METHODS if m != "random"]
        ax.bar(x + (j - 0.5) * 0.38, values, width=0.38, label=arch)
    ax.axhline(P[("lstm", kind, "random")], color="k", ls="--", lw=1, label="random")
    ax.set_xticks(x, [m for m in SALIENCE_METHODS if m != "random"], rotation=30, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("precision@k")
    ax.set_title(f"{kind} shortcut (k = {1 if kind == 'single-token' else 2})", fontsize=10)
axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
fig.tight_layout()
plt.show()

# %% [markdown]
# Token salience for a few synthetic test examples (first seed): each row is one method, each cell
# one token, coloured by its score divided by the row's largest absolute score (red supports the
# prediction, blue opposes it; Grad-L2 and Grad-L1 are never negative). Polar words are marked `+` or
# `-`; the shortcut tokens are `SC0` and `SC1`.


# %%
def token_name(t: int) -> str:
    special = {PAD: "", MASK: "MASK", CLS: "CLS", SC0: "SC0", SC1: "SC1"}
    if t in special:
        return special[t]
    sign = {1.0: "+", -1.0: "-"}.get(float(task.polarity[t]), "")
    return f"w{t}{sign}"


shown = [m for m in SALIENCE_METHODS if m != "random"]
for arch in ARCHS:
    kind = cfg.kinds[-1]
    fig, axes = plt.subplots(2, 1, figsize=(9, 4.6), dpi=80)
    for i, ax in enumerate(axes):
        tokens = examples[(arch, kind, shown[0])][0][i]
        keep = rankable(tokens) | (tokens == CLS)
        n = int(keep.sum())
        grid = np.zeros((len(shown), n))
        for r, m in enumerate(shown):
            row = examples[(arch, kind, m)][1][i][keep].numpy()
            grid[r] = row / (np.abs(row).max() or 1.0)
        ax.imshow(grid, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_yticks(range(len(shown)), shown, fontsize=7)
        ax.set_xticks(range(n), [token_name(int(t)) for t in tokens[keep]], rotation=60, fontsize=7)
    fig.suptitle(f"{arch}: token salience on {kind} examples", fontsize=10)
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ## Checks
#
# Each check's expectation, role and rationale are in the record; the summary at the top of the
# executed notebook shows the outcomes. The precision checks take one value per scored synthetic
# example of the single-token shortcut (seeds pooled), so their intervals cover the sampling of test
# examples, not the variation between training runs.

# %%
runs_note = "; ".join(f"{v['arch']} {v['kind']} seed {v['seed']}: {v['runs']} run(s)" for v in verification)
worst = min(verification, key=lambda v: v["paired"])
run.measure(
    "shortcut-learned",
    worst["paired"],
    note=f"lowest: {worst['arch']} {worst['kind']} seed {worst['seed']} of {len(verification)} models; {runs_note}",
)
far = max(controls, key=lambda c: abs(c["paired"] - 0.5))
run.measure(
    "control-at-chance",
    abs(far["paired"] - 0.5),
    note=f"farthest: {far['arch']} control on {far['kind']} ({far['paired']:.4f})",
)
run.measure(
    "retraining-budget-sufficed",
    {f"{v['arch']} {v['kind']} seed {v['seed']} ({v['runs']} run(s))": v["accepted"] for v in verification},
)

scored = [v for v in verification if v["kind"] == SCORED]
worst = min(scored, key=lambda v: v["paired"])
run.measure(
    "scored-models-verified",
    worst["paired"],
    note=f"lowest: {worst['arch']} seed {worst['seed']} of {len(scored)} scored models",
)
far = max((c for c in controls if c["kind"] == SCORED), key=lambda c: abs(c["paired"] - 0.5))
run.measure(
    "scored-control-at-chance", abs(far["paired"] - 0.5), note=f"farthest: {far['arch']} control ({far['paired']:.4f})"
)

run.measure("grad-l2-finds-shortcut-transformer", per_example("transformer", SCORED, "grad-l2"))
run.measure("gxi-finds-shortcut-lstm", per_example("lstm", SCORED, "grad-x-input", "signed"))
run.measure("gxi-finds-shortcut-lstm-magnitude", per_example("lstm", SCORED, "grad-x-input", "magnitude"))
run.measure(
    "gxi-below-grad-l2-transformer",
    per_example("transformer", SCORED, "grad-l2") - per_example("transformer", SCORED, "grad-x-input", "signed"),
)
run.measure(
    "gxi-below-grad-l2-transformer-magnitude",
    per_example("transformer", SCORED, "grad-l2") - per_example("transformer", SCORED, "grad-x-input", "magnitude"),
)
lstm_l2 = per_example("lstm", SCORED, "grad-l2")
run.measure("grad-l2-drops-on-lstm", lstm_l2 - per_example("transformer", SCORED, "grad-l2"))
run.measure("lstm-gxi-above-grad-l2", per_example("lstm", SCORED, "grad-x-input", "signed") - lstm_l2)
run.measure("lstm-gxi-above-grad-l2-magnitude", per_example("lstm", SCORED, "grad-x-input", "magnitude") - lstm_l2)
run.measure("lstm-ig-above-grad-l2", per_example("lstm", SCORED, "ig-mask", "signed") - lstm_l2)
run.measure("lstm-ig-above-grad-l2-magnitude", per_example("lstm", SCORED, "ig-mask", "magnitude") - lstm_l2)
run.measure("grad-l2-lstm-above-random", lstm_l2 - per_example("lstm", SCORED, "random"))

# %% [markdown]
# ## Discussion
#
# * **Verification first.** The paired test set makes the precondition sharp: reversing the shortcut
#   must reverse the prediction, and a model that ignores it scores exactly 0.5. The acceptance set
#   that decides retraining is separate from the held-out test set that the checks use, so a model
#   kept by the protocol can still fail `scored-models-verified`; the printout and the note of
#   `shortcut-learned` say how many training runs each model took.
# * **Does the tiny transformer behave like BERT?** This is the open question of the analog: BERT's
#   behaviour may depend on its pretrained embedding geometry, which a model trained from scratch
#   lacks. Where Grad-L2 finds the shortcut but GxI does too, the GxI-below-Grad-L2 gap of the
#   paper does not carry over to this model, whatever the reason.
# * **The LSTM and Grad-L2.** A strong shortcut token can saturate the LSTM's gates, which shrinks
#   the gradient at that token; the gradient norm then ranks it low, while methods that multiply by
#   the input, integrate along a path or remove the token still see its effect. If Grad-L2 falls
#   below the random ranking (control `grad-l2-lstm-above-random`), the LSTM here fails differently
#   from the paper's, where Grad-L2 was mediocre (about 0.5) but far above chance: the ranking still
#   changes with the model, but the paper's LSTM number is not reproduced in kind.
# * **Signed or magnitude.** Where the two readings disagree, a method gave the shortcut a large score
#   of the "wrong" sign, or other tokens large negative scores; the claims are reproduced only where
#   they hold under both readings, and partially where they hold under one.
# * **What the checks do not cover.** The ordered pair (full profile) and the other methods
#   (Grad-L1, IG from zero, LIME) are in the tables but in no check; the paper's third shortcut type
#   (token in context) and its mean-rank metric are not in the analog.
# * **Changes after the first run.** Two changes of the old notebook, both made after its first
#   smoke run: the control data now contain `SC0` and `SC1` as label-free noise (a control that had
#   never seen them reacted to their untrained random embeddings, which measured nothing the paper's
#   control is for), and the smoke profile trains on more examples for more epochs and scores
#   precision on all of its evaluated test examples (its LSTM had missed the 0.99 bar). In the
#   verdict redesign, after the old smoke and full results were known: models are verified on a
#   separate acceptance set and retrained when they miss it (the old full run had scored precision
#   on a transformer at 0.976); both profiles score the single-token shortcut per example; the
#   Kendall-tau ranking check was replaced; signed and magnitude readings are both checked. The
#   record's rationales give the old expectation of every changed check.

# %%
run.finish()
