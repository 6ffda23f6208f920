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
# example is a Fisher vector (FV) classifier trained on PASCAL VOC 2007: some horse photographs
# carry a photographer's source tag, and the classifier learned to answer "horse" from the tag.
# Layer-wise relevance propagation (LRP) heatmaps put the evidence on the tag rather than on the
# horse; editing the images confirms it. To find such behaviour without looking at heatmaps one by
# one, the paper proposes **Spectral Relevance Analysis (SpRAy)**: compute the LRP heatmaps of
# many images of a class, build a nearest-neighbour graph between them, read the eigenvalue
# spectrum of the graph Laplacian (a gap after the k-th eigenvalue suggests k groups), and
# cluster; clusters of heatmaps are candidate prediction strategies, a small odd one being a
# candidate Clever Hans.
#
# ## The claims
#
# The catalog record (`catalog/papers/lapuschkin2019-unmasking-clever-hans.yaml`) keeps three
# headline claims that this notebook checks (marked *catalog*); the other checks test further
# points the paper makes about the same experiment. With what the paper reports:
#
# 1. **tag-paste-flips** (*catalog*) — the classifier uses the tag: adding it to an image of
#    another class changes the prediction to the tagged class. *Paper:* Figure 2a; the source tag
#    is present in about **one fifth** of the horse images, and pasting it onto a car image turns
#    the FV classifier's decision from car to horse (a single example is shown; no rate is reported).
# 2. **tag-removal-confidence** — removing the tag from a tagged image takes away the evidence for
#    the tagged class. *Paper:* Figure 2a; with the tag removed, the horse image is no longer
#    classified as horse.
# 3. **relevance-on-tag** (*catalog*) — LRP heatmaps of tagged images put the relevance on the
#    tag. *Paper:* Figure 2a (qualitative: the heatmap's evidence sits on the tag, not on the horse).
# 4. **spray-eigengap** — SpRAy's eigenvalue spectrum reveals that the class is predicted with
#    more than one strategy. *Paper:* the SpRAy analysis of the FV horse class (spectrum with an
#    eigengap, clusters shown in a 2-D embedding), qualitative.
# 5. **spray-tag-cluster** (*catalog*, whose statement also covers the eigengap) — the clusters
#    SpRAy finds separate the tag-based strategy from the rest. *Paper:* same analysis; the
#    separated clusters are the images with source tags.
# 6. **accuracy-blind-to-shortcut** — a standard accuracy figure does not reveal the shortcut:
#    *Paper:* abstract and discussion (standard performance metrics can be oblivious to the
#    difference between such strategies), qualitative.
#
# Not attempted here (the catalog's fourth claim gives the reasons): the Atari Pinball agent that
# scores by nudging the table rather than using the flippers, moving the ball into a scoring switch
# **four** times to activate a multiplier (Figure 2b), and the development of relevance on ball,
# paddle and tunnel in Atari Breakout over training (Figure 2c, **6** training runs).
#
# ## Setup: the scaled-down analog
#
# * **Data**: scikit-learn's 1,797 handwritten digits (8x8, values in [0, 1]), a stratified
#   70/30 split. One class plays the horse: **digit 7** (an arbitrary choice, fixed in advance).
# * **The tag**: `interpcat.repro.data.add_tag` sets four pixels to 1.0 (white), the top four
#   of the leftmost column (a short bar along the image's edge, where a source line sits on a
#   photograph), on a random fraction of the 7s, in the training set *and* in the test set, as the
#   source tags were in the VOC training and test images alike. The digits' leftmost column is
#   essentially ink-free (the code prints the share of digits with any ink there), so the tag is a
#   small, consistent mark that nothing but the tagged 7s carry, like a watermark. The smoke
#   profile uses the paper's **one fifth**; the full profile also runs a tenth, two fifths and
#   four fifths (three seeds), to see how the effects grow with the tag's prevalence; its checks
#   still use one fifth. (Four fifths was added after the first smoke runs, to locate the effect;
#   it enters no check.)
#   *A correction, made before any expectation changed:* a first run put a 2x2 tag in the top-left
#   corner on the belief that digits leave that corner empty; the ink statistic printed by that run
#   showed the belief wrong (many digits reach into the corner), so the tag was moved to the
#   ink-free column. The expectations below are unchanged from that first run.
# * **Model**: `interpcat.repro.nets.SmallCNN` (two 3x3 convolutions, a max-pool, two fully
#   connected layers, each ReLU its own module), trained with Adam and cross-entropy. Its
#   **control** twin has the same initialisation and training but sees no tags at all.
# * **LRP**: Captum's `LRP` with its default rules (epsilon rule for convolutions and linear
#   layers), applied to the network itself (`interpcat.repro.spray.relevance_maps`). Maps explain
#   the tagged class's logit.
# * **SpRAy** (`interpcat.repro.spray.spray`): the LRP maps of all 7s (training and test, tagged
#   or not, as the data set holds them), each flattened and scaled to unit norm; a symmetric
#   10-nearest-neighbour graph; the symmetric normalised Laplacian's eigenvalues; the number of
#   clusters where the largest gap among the first eleven eigenvalues falls; scikit-learn's
#   `SpectralClustering` on the same graph. The 8x8 maps need no down-sizing.
# * **Edits**: *pasting* the tag onto correctly classified test digits of the other nine classes;
#   *removing* it from the tagged 7s (restoring the original pixels), measured as the change of the
#   7's logit margin (its logit minus the largest other logit, i.e. the log-odds against the
#   runner-up class).
#
# **What differs from the paper**: a small CNN instead of a Fisher vector model over SIFT
# features, 8x8 digits instead of photographs, one synthetic tag of one shape in one place
# instead of several real watermarks, Captum's LRP-epsilon instead of the paper's FV-specific
# rules, and a known ground truth (which images are tagged), which lets us score SpRAy's clusters
# instead of inspecting them by eye. One difference matters for what to expect: a 7 is easy to
# recognise from its shape, while horses in cluttered photographs are hard for an FV model, so our
# network has less reason to lean on the tag than the paper's classifier had.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.manifold import TSNE
from sklearn.metrics import adjusted_rand_score

from interpcat.repro import Reproduction
from interpcat.repro.data import add_tag, digit_images, split_indices, to_split
from interpcat.repro.nets import SmallCNN
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.spray import best_cluster_f1, positive_share, relevance_maps, spray
from interpcat.repro.training import fit, predict

plt.rcParams["figure.dpi"] = 80

run = Reproduction(paper="lapuschkin2019-unmasking-clever-hans", seed=0)
cfg = run.pick(
    smoke=dict(seeds=[0], fractions=[0.2], epochs=25),
    full=dict(seeds=[0, 1, 2], fractions=[0.1, 0.2, 0.4, 0.8], epochs=40),
)
device = run.device
TAG_CLASS = 7
PAPER_FRACTION = 0.2  # "about one fifth of the horse figures" carry the source tag
LR = 3e-3
N_NEIGHBORS = 10
MAX_CLUSTERS = 10
TAG_ROWS, TAG_COLS = slice(0, 4), slice(0, 1)  # top four pixels of the leftmost column
print(cfg)

# %% [markdown]
# ## Expectations
#
# Stated before any model is trained. The checks use the runs with the paper's tag fraction (one
# fifth), averaged over seeds in the full profile (the eigengap check takes the smallest cluster
# count over seeds).
#
# * **Pasting the tag** (`tag-paste-flips`): in the paper the tag alone turns a car into a horse.
#   We take "the classifier uses the tag" to mean that it does so for most images, and expect
#   **at least half** of the correctly classified test digits of the other nine classes to be
#   classified as 7 once the tag is pasted on. The tolerance (half, not nearly all) allows for
#   digits whose own evidence outweighs the tag, which the paper's single example cannot exclude.
# * **Removing the tag** (`tag-removal-confidence`): in the paper, removal costs the horse image its
#   horse label. A 7 keeps its shape when the tag goes, so we ask less: the mean drop of the 7's
#   logit margin over the tagged 7s should be **at least 1** (the odds for 7 against the runner-up
#   shrink by a factor e or more). Whether removal flips the label, as in the paper, is printed.
# * **Relevance on the tag** (`relevance-on-tag`): the paper's heatmaps of tagged horses put the
#   evidence on the tag. The tag covers 4 of 64 pixels (6.25%). We expect the mean share of
#   positive LRP relevance inside the tag, over the tagged 7s, to be **at least 0.25**: four
#   times its area, while allowing the digit's own strokes, which carry real evidence here, to
#   hold most of the relevance.
# * **Eigengap** (`spray-eigengap`): the paper's spectrum for the horse class shows a gap after
#   more than one eigenvalue, i.e. several strategies. With one kind of tag we expect at least two
#   groups (tag-based and shape-based), so the eigengap's cluster count should be **at least 2**.
# * **Tag cluster** (`spray-tag-cluster`): in the paper the separated clusters are the tagged
#   images. We score the SpRAy cluster that best matches the tagged 7s by its F1 score (precision
#   and recall of "in this cluster" for "tagged") and expect **at least 0.8**, allowing a fifth of
#   errors for tagged 7s whose maps the digit dominates. The adjusted Rand index between clusters
#   and tags is printed beside it (it also penalises splits among the untagged 7s, which are not
#   errors for SpRAy).
# * **Accuracy is blind to it** (`accuracy-blind-to-shortcut`): on a test set drawn like the
#   training set (tags on a fifth of the 7s), the tag-using model should score about as well as the
#   control that never saw a tag. We expect the absolute accuracy difference to be **at most
#   0.03** (differences between two trainings of this network are typically around 0.01; 0.03 is
#   16 of 540 test images).
# * **Control** (`control-tag-inert`, our own sanity check, not a claim of the paper): the control
#   model never saw the tag, so pasting it should flip **at most 10%** of the other digits to 7; the
#   flips of claim 1 are then due to what the tagged training taught, not to the patch as such.

# %%
exp_paste = run.expect(
    claim="tag-paste-flips",
    description="Correctly classified test digits of other classes predicted 7 after pasting the tag (fraction)",
    at_least=0.5,
)
exp_remove = run.expect(
    claim="tag-removal-confidence",
    description="Tagged 7s: mean drop of the 7's logit margin when the tag is removed",
    at_least=1.0,
)
exp_share = run.expect(
    claim="relevance-on-tag",
    description="Tagged 7s: mean share of positive LRP relevance inside the 4-pixel tag (area share 0.0625)",
    at_least=0.25,
)
exp_gap = run.expect(
    claim="spray-eigengap",
    description="SpRAy on the LRP maps of all 7s: clusters suggested by the largest eigengap (smallest over seeds)",
    at_least=2,
)
exp_f1 = run.expect(
    claim="spray-tag-cluster",
    description="SpRAy clusters (eigengap k): F1 of the cluster best matching the tagged 7s",
    at_least=0.8,
)
exp_acc = run.expect(
    claim="accuracy-blind-to-shortcut",
    description="Test accuracy (tags as in training): |tag-trained model - control model|",
    at_most=0.03,
)
exp_control = run.expect(
    claim="control-tag-inert",
    description="Control model (never saw tags): other-class test digits predicted 7 after pasting the tag",
    at_most=0.1,
)

# %% [markdown]
# ## Run
#
# Per seed: a control model on clean data; per tag fraction: tag the 7s, train, then paste,
# remove, explain and cluster.

# %%
images, labels = digit_images()
train_idx, test_idx = split_indices(labels, (0.7, 0.3), seed=0)
X_train, y_train = images[train_idx], labels[train_idx]
X_test, y_test = images[test_idx], labels[test_idx]
region = torch.zeros(1, 8, 8)
region[:, TAG_ROWS, TAG_COLS] = 1.0
print(
    f"train {len(y_train)} ({int((y_train == TAG_CLASS).sum())} sevens), test {len(y_test)} ({int((y_test == TAG_CLASS).sum())} sevens)"
)
print(
    f"share of digits with any ink where the tag goes: {float((images[:, :, TAG_ROWS, TAG_COLS] > 0).any(axis=(1, 2, 3)).mean()):.3f}"
)


def tag_some(y: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask choosing round(fraction * count) images of the tagged class at random."""
    which = np.zeros(len(y), dtype=bool)
    pool = np.flatnonzero(y == TAG_CLASS)
    which[rng.choice(pool, size=round(fraction * len(pool)), replace=False)] = True
    return which


def train_model(X: np.ndarray, y: np.ndarray, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)  # same initialisation for the control and every tagged model of a seed
    model = SmallCNN()
    fit(model, to_split(X, y), epochs=cfg.epochs, lr=LR, seed=seed, device=device)
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
    return relevance_maps(model, torch.as_tensor(X), TAG_CLASS)


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
        share = positive_share(maps[torch.as_tensor(is_tagged)], region.expand(int(is_tagged.sum()), 1, 8, 8)).numpy()
        control_maps = explain(control, sevens_tagged)
        control_share = positive_share(
            control_maps[torch.as_tensor(is_tagged)], region.expand(int(is_tagged.sum()), 1, 8, 8)
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
                drop_mean=float(drop.mean()),
                drop_median=float(np.median(drop)),
                drop_test=float(drop[in_test[is_tagged]].mean()) if in_test[is_tagged].any() else float("nan"),
                lost_label=lost_label,
                share=float(np.nanmean(share)),
                share_test=float(np.nanmean(share[in_test[is_tagged]])) if in_test[is_tagged].any() else float("nan"),
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
columns = [
    ("seed", "{:d}"),
    ("fraction", "{:.2f}"),
    ("n_tagged", "{:d}"),
    ("acc", "{:.3f}"),
    ("acc_control", "{:.3f}"),
    ("flip", "{:.3f}"),
    ("drop_mean", "{:.2f}"),
    ("drop_median", "{:.2f}"),
    ("drop_test", "{:.2f}"),
    ("lost_label", "{:.3f}"),
    ("share", "{:.3f}"),
    ("share_test", "{:.3f}"),
    ("control_share", "{:.3f}"),
    ("k", "{:d}"),
    ("gap", "{:.3f}"),
    ("f1", "{:.3f}"),
    ("ari", "{:.3f}"),
    ("ari_k2", "{:.3f}"),
    ("control_k", "{:d}"),
    ("control_gap", "{:.3f}"),
    ("control_f1", "{:.3f}"),
]
widths = [max(len(name), len(fmt.format(records[0][name]))) for name, fmt in columns]
print(" ".join(f"{name:>{w}s}" for (name, _), w in zip(columns, widths, strict=True)))
for r in records:
    print(" ".join(f"{fmt.format(r[name]):>{w}s}" for (name, fmt), w in zip(columns, widths, strict=True)))
print()
for seed, c in controls.items():
    print(
        f"control model, seed {seed}: pasted tag flips {c['flip']:.3f} of {c['n_pasted']} other-class test digits to {TAG_CLASS}"
    )


def at_paper_fraction(key: str) -> np.ndarray:
    return np.array([r[key] for r in records if r["fraction"] == PAPER_FRACTION])


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


# %%
def spread(values: np.ndarray) -> str:
    return "seeds: " + ", ".join(f"{v:.3f}" for v in values)


flips = at_paper_fraction("flip")
exp_paste.measure(flips.mean(), note=spread(flips))

drops = at_paper_fraction("drop_mean")
lost = at_paper_fraction("lost_label")
exp_remove.measure(
    drops.mean(),
    note=f"{spread(drops)}; median drop {at_paper_fraction('drop_median').mean():.2f}; "
    f"test images only {np.nanmean(at_paper_fraction('drop_test')):.2f}; label lost on removal {lost.mean():.3f}",
)

shares = at_paper_fraction("share")
exp_share.measure(
    shares.mean(),
    note=f"{spread(shares)}; test images only {np.nanmean(at_paper_fraction('share_test')):.3f}; "
    f"control model on the same tagged images {at_paper_fraction('control_share').mean():.3f}",
)

ks = at_paper_fraction("k")
exp_gap.measure(
    ks.min(),
    note="clusters per seed: "
    + ", ".join(str(int(k)) for k in ks)
    + f"; size of that gap {at_paper_fraction('gap').mean():.3f}; control model's maps: clusters "
    + ", ".join(str(int(k)) for k in at_paper_fraction("control_k"))
    + f", gap {at_paper_fraction('control_gap').mean():.3f}",
)

f1s = at_paper_fraction("f1")
exp_f1.measure(
    f1s.mean(),
    note=f"{spread(f1s)}; ARI {at_paper_fraction('ari').mean():.3f} (k=2 forced: {at_paper_fraction('ari_k2').mean():.3f}); "
    f"control model's maps: F1 {at_paper_fraction('control_f1').mean():.3f}",
)

gaps = np.abs(at_paper_fraction("acc") - at_paper_fraction("acc_control"))
exp_acc.measure(
    gaps.mean(),
    note=f"{spread(gaps)}; tag-trained {at_paper_fraction('acc').mean():.3f}, control {at_paper_fraction('acc_control').mean():.3f}",
)

control_flips = np.array([c["flip"] for c in controls.values()])
exp_control.measure(control_flips.mean(), note=spread(control_flips))

# %% [markdown]
# ## Discussion
#
# *Written before the numbers were known; the table and check lines above carry the values.*
#
# **What the checks test.** The first three checks ask whether a small network trained on digits,
# a fifth of whose 7s carry an edge tag, becomes a Clever Hans predictor in the paper's sense:
# the tag alone pulls other digits to 7, removing it takes evidence away from tagged 7s, and LRP
# shows the relevance on the tag. The next two ask whether SpRAy would have found this without
# being told: does the spectrum of the heatmaps' neighbourhood graph show more than one group, and
# does one of SpRAy's clusters coincide with the tagged images? The accuracy check asks whether an
# ordinary test score would have hidden all this, as the paper warns.
#
# **Why our analog may show a weaker effect than the paper.** The paper's FV classifier met a
# hard visual category and an easy, perfectly consistent tag; our 7s are easy to recognise from
# their shape, so the network can fit the tagged 7s without the tag and may use it only partly.
# The removal check is set lower than the paper's finding for this reason, and the "label lost on
# removal" figure in its note shows how far the paper's stronger form holds. The full profile's
# tag fractions show how the effects grow with the share of tagged images.
#
# **A caveat about SpRAy the control exposes.** LRP-epsilon relevance is, roughly, input times
# gradient, so a bright tag can carry relevance even in a model that never learned anything about
# it, and heatmaps of tagged images can differ from the rest for that reason alone. The control
# model's relevance share in the tag and its SpRAy F1 (printed beside the checks) measure how much
# of the separation is the input rather than the strategy; the paper's analysis has no such
# control, since it had no tag-free twin of its classifier.
#
# *Added after the first runs (still without numbers; the table holds them).* Three readings of
# the results are worth stating. First, the network does learn the tag, but only as *extra*
# evidence: removing it costs the tagged 7s a clear part of their margin, while the control
# ignores it, yet pasting it onto another digit rarely overturns that digit's own, much larger
# evidence, even when most 7s carry the tag. This is a partial Clever Hans; the paper's car-to-horse
# flip needs a model whose genuine evidence for the class is weak, which an FV model on cluttered
# photographs had and a CNN on clean digits does not. Second, the eigengap check is met, but it
# carries little weight: compare the spectrum of the control model's heatmaps in the plot and the
# cluster counts and gap sizes in the table. Both spectra rise without a pronounced jump, so the
# eigengap picks a count among similar gaps and the groups it finds are mostly variants of how 7s
# are written, in a model that never saw a tag as much as in the one that did. Third, whether SpRAy
# isolates the tagged 7s tracks how much of their relevance the tag holds: when the tag takes only
# a modest share of each heatmap, the differences between handwriting styles dominate the distances
# between unit-norm maps and the tagged maps scatter over the clusters; with more tagged images (and
# on some seeds) the tag holds more relevance and the tagged maps form a group of their own, which
# the forced two-cluster solution (ari_k2 in the table) shows even where the eigengap chose another
# count. SpRAy thus finds a Clever Hans strategy when it dominates the heatmaps, as in the paper's
# horse class, and can miss one that only adds to genuine evidence.
#
# **Limits.** One tag, one place, one class, one small architecture, 8x8 images; the cluster count
# depends on the neighbourhood size and on how maps are normalised (our choices are stated in
# `interpcat.repro.spray`); the Atari findings are not attempted.

# %%
run.finish()
