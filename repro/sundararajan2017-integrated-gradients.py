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
# # Integrated gradients add up: completeness and the number of steps
#
# Reproduction, scaled down, of Sundararajan, Taly & Yan (2017), *Axiomatic Attribution for Deep
# Networks* (ICML 2017, arXiv:1703.01365).
#
# ## The claims
#
# Our catalog (`catalog/papers/sundararajan2017-integrated-gradients.yaml`) states the claims this
# notebook tests; every check, its role and its expectation, with the reason for the threshold, is
# stated there, and the summary at the top of the executed notebook shows them.
#
# 1. **Completeness (Section 3, Proposition 1).** For a network that is differentiable almost
#    everywhere, the integrated-gradients attributions add up exactly to `F(x) - F(x')`, the change
#    in the output between the baseline `x'` and the input `x`. In practice the path integral is
#    approximated by a sum over `m` points, so the gap between the sum of the attributions and
#    `F(x) - F(x')` is a numerical error that should vanish as `m` grows.
# 2. **How many steps (Section 5).** "Somewhere between 20 and 300 steps" of the Riemann sum (the
#    paper's Eq. 3, a right Riemann sum over `k = 1..m`) approximate the integral to within 5%;
#    developers should check that the attributions add up and raise `m` if they do not.
# 3. **Gradients break Sensitivity(a) (Section 2.1, Remark 2).** For `f(x) = 1 - ReLU(1 - x)`,
#    baseline 0 and input 2, the output changes by 1 but the gradient at the input, hence gradient
#    times input, is 0. This is an existence claim, checked on the paper's own counterexample. How
#    far gradient times input misses on trained networks is reported beside it as a control, not
#    as the claim: the paper gives no figure for real networks.
#
# **What the completeness checks on tiny networks do and do not test.** On 64-pixel MLPs and a
# small CNN each straight-line path crosses few ReLU kinks, so a few dozen steps are likely to be
# enough. The checks confirm that Proposition 1 and Eq. 3 behave as stated (the gap is
# discretisation error that vanishes with `m`, in Captum's implementation); they do not test the
# paper's practical advice that 20 to 300 steps suffice on GoogleNet-scale networks.
#
# ## Paper and analog
#
# | | paper | here |
# | --- | --- | --- |
# | networks | GoogleNet on ImageNet, and text, retinopathy, chemistry and translation networks | two-hidden-layer ReLU MLPs (several seeds), a softplus MLP, in the full profile a small ReLU/max-pool CNN; a linear model for contrast |
# | data | 224x224 images and others | scikit-learn's 8x8 digits (1,797 images in [0, 1]), stratified 75/25 train/test split; attributions on test images |
# | output `F` | softmax score | logit of the predicted class (Proposition 1 holds for any real-valued `F`); the softmax score as an aside |
# | baseline | black image | black image (all zeros) |
# | integration | right Riemann sum (Eq. 3), the authors' code | Captum `IntegratedGradients`, the paper's `riemann_right` and Captum's four other rules, over a grid of step counts |
# | precision | float32 | float64 copies of the trained models for every attribution and `F` |
# | counterexample | `1 - ReLU(1 - x)`, input 2, baseline 0 | the same, with Captum `Saliency`, `InputXGradient` and `IntegratedGradients` |
#
# * **Gap**: `interpcat.metrics.completeness_gap`, the relative gap
#   `|sum(attributions) - (F(x) - F(x'))| / |F(x) - F(x')|`. Where `|F(x) - F(x')|` is tiny, a
#   relative gap is meaningless, so examples with `|F(x) - F(x')| < 0.5` logits are excluded and
#   counted.
# * **Precision**: float32 rounding (relative error near 1e-7) would pose as discretisation error
#   when a rule is already very accurate. Captum still rounds its step weights and positions to
#   float32, so gaps cannot fall much below about 1e-8.

# %%
import copy

import matplotlib.pyplot as plt
import torch
from captum.attr import InputXGradient, IntegratedGradients, Saliency
from torch import nn

from interpcat.metrics import completeness_gap
from interpcat.repro import Reproduction
from interpcat.repro.data import digit_images, split_indices, to_split
from interpcat.repro.nets import MLP, SmallCNN
from interpcat.repro.plots import heatmap_grid, line_plot
from interpcat.repro.training import accuracy, fit, predict

run = Reproduction(paper="sundararajan2017-integrated-gradients", seed=0)
run.data("scikit-learn digits", size=1797, resolution="8x8")
cfg = run.pick(
    smoke=dict(
        epochs=60,
        n_examples=150,
        n_examples_cnn=0,
        steps=[2, 5, 10, 20, 50, 100, 300],
        models=[("relu-mlp", 0), ("softplus-mlp", 0)],
    ),
    full=dict(
        epochs=60,
        n_examples=300,
        n_examples_cnn=100,
        steps=[2, 3, 5, 10, 20, 50, 100, 200, 300],
        models=[("relu-mlp", 0), ("relu-mlp", 1), ("relu-mlp", 2), ("softplus-mlp", 0), ("relu-cnn", 0)],
    ),
)
device = run.device
RULES = ["riemann_right", "riemann_left", "riemann_middle", "riemann_trapezoid", "gausslegendre"]
PAPER_RULE = "riemann_right"  # Eq. 3 of the paper: gradients at k/m for k = 1..m
TOLERANCE = 0.05  # "within 5%" (Section 5)
PAPER_MAX_STEPS = 300  # top of "between 20 and 300 steps" (Section 5)
FEW_STEPS = 5  # a deliberately coarse approximation, well below the paper's range
SHRINK = 10  # "falls at least tenfold from 5 to 300 steps" (the record's ig-gap-shrinks-with-steps)
MOST = 0.95  # "at least 95% of the examples" (the record's ig-complete-300-steps)
MIN_DELTA = 0.5  # logits; smaller |F(x) - F(x')| makes a relative gap meaningless
assert PAPER_MAX_STEPS in cfg.steps and FEW_STEPS in cfg.steps

# %% [markdown]
# ## The paper's counterexample
#
# `f(x) = 1 - ReLU(1 - x)` with baseline 0 and input 2: the output rises from 0 to 1, but `f` is
# flat at the input, so the gradient there, and gradient times input, give x no credit.
# Integrated gradients (the paper's right Riemann sum, 300 steps) integrates the gradient along the
# path and recovers the change.


# %%
class Toy(nn.Module):
    """The paper's Section 2.1 network, f(x) = 1 - ReLU(1 - x)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1 - torch.relu(1 - x)


toy = Toy()
x_toy = torch.tensor([[2.0]], dtype=torch.float64)
base_toy = torch.zeros_like(x_toy)
with torch.no_grad():
    toy_delta = float(toy(x_toy) - toy(base_toy))
toy_grad = float(Saliency(toy).attribute(x_toy.clone(), target=0, abs=False).detach().sum())
toy_gxi = float(InputXGradient(toy).attribute(x_toy.clone(), target=0).detach().sum())
toy_ig = float(
    IntegratedGradients(toy)
    .attribute(x_toy, baselines=base_toy, target=0, n_steps=PAPER_MAX_STEPS, method=PAPER_RULE)
    .detach()
    .sum()
)
print(
    f"f(2) - f(0) = {toy_delta:g}; gradient at the input {toy_grad:g}; gradient x input {toy_gxi:g}; "
    f"integrated gradients ({PAPER_MAX_STEPS} steps) {toy_ig:.4f}"
)

# %% [markdown]
# ## Run
#
# Train the networks, then for each one compute integrated gradients on test images for every
# integration rule and step count, and gradient times input.

# %%
images, labels = digit_images()
train_idx, test_idx = split_indices(labels, (0.75, 0.25), seed=run.seed)
train = to_split(images[train_idx], labels[train_idx])
test = to_split(images[test_idx], labels[test_idx])
print(f"train {len(train)} images, test {len(test)} images")


def make_model(kind: str) -> nn.Module:
    if kind == "relu-mlp":
        return MLP(64, 10, hidden=64, depth=2, activation=nn.ReLU)
    if kind == "softplus-mlp":
        return MLP(64, 10, hidden=64, depth=2, activation=nn.Softplus)
    if kind == "relu-cnn":
        return SmallCNN(n_classes=10, width=8)
    if kind == "linear":
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    raise ValueError(kind)


def train_model(kind: str, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    model = make_model(kind)
    fit(model, train, epochs=cfg.epochs, lr=1e-3, seed=seed, device=device, desc=f"{kind} seed {seed}")
    model.cpu().eval()
    return model


def as_float64(model: nn.Module) -> nn.Module:
    """A float64 copy for attribution, so rounding does not masquerade as discretisation error."""
    return copy.deepcopy(model).double().eval()


def target_scores(model: nn.Module, X: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """F(x) and F(baseline) for the target logit, baseline = black image."""
    with torch.no_grad():
        fx = model(X).gather(1, target[:, None])[:, 0]
        f0 = model(torch.zeros_like(X)).gather(1, target[:, None])[:, 0]
    return fx, f0


def ig_gaps(model: nn.Module, X: torch.Tensor, target: torch.Tensor, fx, f0, internal_batch: int):
    """Relative completeness gaps, shape (rules, steps, examples), and the worst disagreement with Captum's delta."""
    ig = IntegratedGradients(model)
    baseline = torch.zeros_like(X)
    gaps = torch.zeros(len(RULES), len(cfg.steps), len(X))
    worst_delta_mismatch = 0.0
    for r, rule in enumerate(RULES):
        for s, m in enumerate(cfg.steps):
            attr, delta = ig.attribute(
                X,
                baselines=baseline,
                target=target,
                n_steps=m,
                method=rule,
                internal_batch_size=internal_batch,
                return_convergence_delta=True,
            )
            gaps[r, s] = completeness_gap(attr.detach(), fx, f0)
            captum_rel = delta.detach().abs() / (fx - f0).abs()
            worst_delta_mismatch = max(worst_delta_mismatch, float((captum_rel - gaps[r, s]).abs().max()))
    return gaps, worst_delta_mismatch


results = {}
for kind, seed in cfg.models:
    name = f"{kind} (seed {seed})"
    model = train_model(kind, seed)
    acc = accuracy(model, test)
    n = cfg.n_examples_cnn if kind == "relu-cnn" else cfg.n_examples
    target = predict(model, test.X[:n]).argmax(1)
    model = as_float64(model)
    X = test.X[:n].double()
    fx, f0 = target_scores(model, X, target)
    keep = (fx - f0).abs() >= MIN_DELTA
    Xk, tk, fxk, f0k = X[keep], target[keep], fx[keep], f0[keep]
    gaps, mismatch = ig_gaps(model, Xk, tk, fxk, f0k, internal_batch=4096 if kind == "relu-cnn" else 60000)
    gxi = InputXGradient(model).attribute(Xk, target=tk).detach()
    gxi_gap = completeness_gap(gxi, fxk, f0k)
    results[name] = dict(
        kind=kind, model=model, acc=acc, X=Xk, target=tk, gaps=gaps, gxi_gap=gxi_gap, mismatch=mismatch
    )
    print(
        f"{name}: test accuracy {acc:.3f}; {int(keep.sum())} of {n} examples kept "
        f"(|F(x) - F(0)| >= {MIN_DELTA}); median F(x) - F(0) = {float((fxk - f0k).median()):.2f}; "
        f"Captum delta vs our gap: max difference {mismatch:.2e}"
    )

linear = train_model("linear", 0)
linear_acc = accuracy(linear, test)
t_lin = predict(linear, test.X[: cfg.n_examples]).argmax(1)
linear = as_float64(linear)
X_lin = test.X[: cfg.n_examples].double()
fx_lin, f0_lin = target_scores(linear, X_lin, t_lin)
keep_lin = (fx_lin - f0_lin).abs() >= MIN_DELTA
gxi_lin = InputXGradient(linear).attribute(X_lin[keep_lin], target=t_lin[keep_lin]).detach()
gxi_lin_gap = completeness_gap(gxi_lin, fx_lin[keep_lin], f0_lin[keep_lin])
print(f"linear: test accuracy {linear_acc:.3f}; {int(keep_lin.sum())} of {len(X_lin)} examples kept")

# %% [markdown]
# Summary per network: the fraction of examples within 5% at the paper's 20 and 300 steps, the
# median relative gap at 5 and 300 steps for every rule, the smallest step count (on our grid) at
# which 95% of examples are within 5%, and gradient times input.

# %%
i_few, i_top = cfg.steps.index(FEW_STEPS), cfg.steps.index(PAPER_MAX_STEPS)
i_20 = cfg.steps.index(20)
r_paper = RULES.index(PAPER_RULE)
frac_300, ratios, gxi_medians = {}, {}, {}
for name, res in results.items():
    g = res["gaps"]
    within = (g <= TOLERANCE).float().mean(-1)  # (rules, steps)
    medians = g.median(-1).values  # (rules, steps)
    frac_300[name] = float(within[r_paper, i_top])
    gxi_medians[name] = float(res["gxi_gap"].median())
    print(f"\n{name}")
    print(
        f"  paper rule ({PAPER_RULE}): within 5% at 20 steps {float(within[r_paper, i_20]):.3f}, "
        f"at 300 steps {frac_300[name]:.3f}"
    )
    for r, rule in enumerate(RULES):
        ratio = float(medians[r, i_few] / medians[r, i_top].clamp_min(1e-12))
        ratios[(name, rule)] = ratio
        enough = [m for s, m in enumerate(cfg.steps) if within[r, s] >= MOST]
        print(
            f"  {rule:18s} median gap @5 {float(medians[r, i_few]):.2e}  @300 {float(medians[r, i_top]):.2e}  "
            f"ratio {ratio:8.1f}  within-5% @300 {float(within[r, i_top]):.3f}  "
            f"95% within 5% from {enough[0] if enough else 'never'} steps"
        )
    print(
        f"  gradient x input: median gap {gxi_medians[name]:.3f}, "
        f"fraction within 5% {float((res['gxi_gap'] <= TOLERANCE).float().mean()):.3f}"
    )
print(f"\nlinear model, gradient x input: largest gap {float(gxi_lin_gap.max()):.2e}")

# %% [markdown]
# Aside, closer to the paper's `F` (a softmax score in [0, 1]): the same check at 300 steps on the
# first ReLU MLP's predicted-class probability, excluding examples whose probability changes by
# less than 0.05 from the baseline. Reported, not checked.

# %%
first = next(iter(results.values()))
prob_model = nn.Sequential(first["model"], nn.Softmax(dim=1)).eval()
fx_p, f0_p = target_scores(prob_model, first["X"], first["target"])
keep_p = (fx_p - f0_p).abs() >= 0.05
attr_p = (
    IntegratedGradients(prob_model)
    .attribute(
        first["X"][keep_p],
        baselines=torch.zeros_like(first["X"][keep_p]),
        target=first["target"][keep_p],
        n_steps=PAPER_MAX_STEPS,
        method=PAPER_RULE,
    )
    .detach()
)
gap_p = completeness_gap(attr_p, fx_p[keep_p], f0_p[keep_p])
print(
    f"softmax output: {int(keep_p.sum())} examples; within 5% at 300 steps: {float((gap_p <= TOLERANCE).float().mean()):.3f}; "
    f"median gap {float(gap_p.median()):.2e}"
)

# %% [markdown]
# ## Plots
#
# Median relative completeness gap against the number of steps (log-log), one line per
# integration rule, for the first network of each kind; the dashed line is the paper's 5%.

# %%
seen_kinds = set()
for name, res in results.items():
    if res["kind"] in seen_kinds:
        continue
    seen_kinds.add(res["kind"])
    medians = res["gaps"].median(-1).values
    fig = line_plot(
        cfg.steps,
        {rule: medians[r].clamp_min(1e-9).tolist() for r, rule in enumerate(RULES)},
        xlabel="number of steps m",
        ylabel="median relative gap",
        title=f"IG completeness gap, {name}",
        logx=True,
        logy=True,
    )
    ax = fig.axes[0]
    ax.axhline(TOLERANCE, color="k", ls="--", lw=1)
    ax.axhline(float(res["gxi_gap"].median()), color="grey", ls=":", lw=1.5, label="gradient x input")
    ax.legend(fontsize=7)
    fig.set_dpi(80)
    plt.show()

# %% [markdown]
# A few attribution maps on the first ReLU MLP: the input, integrated gradients (300 steps, right
# Riemann sum, black baseline) and gradient times input, for the predicted class.

# %%
first_model = first["model"]
Xs, ts = first["X"][:6], first["target"][:6]
ig_maps = (
    IntegratedGradients(first_model)
    .attribute(Xs, baselines=torch.zeros_like(Xs), target=ts, n_steps=PAPER_MAX_STEPS, method=PAPER_RULE)
    .detach()
)
gxi_maps = InputXGradient(first_model).attribute(Xs, target=ts).detach()
fig = heatmap_grid(
    [list(Xs), list(ig_maps), list(gxi_maps)],
    ["input", "IG", "grad x input"],
    [f"pred {int(t)}" for t in ts],
    signed=True,
)
fig.set_dpi(80)
plt.show()

# %% [markdown]
# ## Checks
#
# The expectations are in the record. Completeness: one value per integration rule and network
# (tenfold fall of the median gap from 5 to 300 steps) and one per network (95% of the examples
# within 5% at 300 steps). Gradients: the toy counterexample, and, as controls, the magnitude of
# gradient times input's gap on the trained networks and on the linear model.

# %%
run.measure(
    "ig-gap-shrinks-with-steps", {f"{rule} on {name}": ratio >= SHRINK for (name, rule), ratio in ratios.items()}
)
run.measure("captum-delta-agrees", {name: res["mismatch"] for name, res in results.items()})
run.measure(
    "ig-complete-300-steps",
    {name: frac >= MOST for name, frac in frac_300.items()},
    note="fraction within 5% per network: " + ", ".join(f"{k} {v:.3f}" for k, v in frac_300.items()),
)
run.measure(
    "gradients-break-sensitivity-toy",
    {"1 - ReLU(1 - x), x = 2, baseline 0": toy_delta == 1.0 and toy_grad == 0.0 and toy_gxi == 0.0},
)
run.measure("ig-toy-complete", abs(toy_ig - toy_delta) / abs(toy_delta))
run.measure("gxi-incomplete-nonlinear", gxi_medians)
run.measure("gxi-complete-linear", float(gxi_lin_gap.max()), note=f"{int(keep_lin.sum())} examples")

# %% [markdown]
# ## Discussion
#
# * **Completeness in the limit.** Proposition 1 is a theorem, so what can fail in practice is only
#   the discretisation of the path integral. The log-log plots show whether the gap falls steadily
#   with the number of steps and at what rate. On the piecewise-linear ReLU networks the integrand
#   is piecewise constant along the path, so every rule, Gauss-Legendre included, converges at
#   roughly first order; on the smooth softplus network Gauss-Legendre and the trapezoid and
#   midpoint rules are expected to pull far ahead of the left and right sums.
# * **How many steps.** The paper's "20 to 300 steps" is advice from large image and text networks;
#   the summary table prints, per rule and network, the smallest step count on our grid at which
#   95% of the examples are within 5%, to compare with that range. Small networks on 8x8 inputs
#   have few kinks along each path, so they may need fewer steps than GoogleNet.
# * **Captum's trapezoid rule.** Captum's `riemann_trapezoid` places `n` points at spacing
#   `1/(n-1)` but weights them with `1/n` (halved at the ends), so its weights sum to `(n-1)/n`, not 1.
#   Its estimate therefore carries a systematic relative bias of about `1/n`; it still converges at
#   first order, but it is the least accurate rule here, unlike a textbook trapezoid rule.
# * **Gradient times input.** The toy network settles the paper's claim: one counterexample is
#   enough to break Sensitivity(a). On trained networks its gap is a property of the network, not
#   a numerical error, and does not shrink with anything. On a piecewise-linear (ReLU) network
#   with the zero baseline, gradient times input equals `F(x) - b(x)`, where `b(x)` is the offset
#   of the linear piece that contains `x`; its gap is `|b(x) - F(0)|`, which is small whenever the
#   network's effective offsets change little between the black image and the input. So the gap
#   can be mild on a ReLU MLP and large on a smooth (softplus) network or a CNN; the control
#   reports it per network and is not evidence for or against the paper. On the linear model the
#   gap vanishes up to rounding (an identity, hence a control), the contrast the paper draws
#   between linear models, where coefficient times value is the accepted attribution, and deep
#   networks.
# * **Changes after the first runs.** The first run of this notebook computed attributions in
#   float32. Gauss-Legendre on the smooth softplus network was then already at float32 rounding
#   level with 5 steps, so the 5-to-300-step ratio measured rounding noise, not discretisation
#   error, and fell short of the factor 10; attributions are now computed in float64. In the
#   verdict redesign (issue 11), after earlier results had been seen, the claim about gradients
#   moved from a magnitude on real networks to the paper's counterexample (the magnitude stays, as
#   a control) and the Captum-delta agreement became a recorded control. The thresholds are
#   unchanged (see the record).
# * **Caveats.** Our `F` is a logit rather than the paper's softmax score (the aside reports the
#   softmax version for one network); examples whose output barely changes from the black image
#   are excluded from relative gaps and counted in the printout; Captum's `riemann_right` is the
#   paper's Eq. 3, while its default (`gausslegendre`) is not what the paper used.

# %%
run.finish()
