"""One full-batch training step of the grokking model: the HookedTransformer's forward vs the factored one.

The paper's model (one layer, d_model 128, 4 heads, d_mlp 512, p = 113, 30% of the pairs) trained
as in repro/nanda2023-grokking-progress-measures.py. Prints seconds per step for both forward
passes and their ratio; the logits are checked to agree first.

python benchmarks/grokking_step_bench.py --threads 1 --steps 30
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F
from transformer_lens import HookedTransformer, HookedTransformerConfig

from interpcat.methods.grokking import all_pairs, last_position_logits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--p", type=int, default=113)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    p = args.p
    config = HookedTransformerConfig(
        n_layers=1, d_model=128, d_head=32, n_heads=4, d_mlp=512, d_vocab=p + 1, d_vocab_out=p, n_ctx=3,
        act_fn="relu", normalization_type=None, seed=0, device="cpu",
    )  # fmt: skip
    model = HookedTransformer(config)
    a, b = all_pairs(p)
    order = torch.randperm(p * p, generator=torch.Generator().manual_seed(0))[: int(0.3 * p * p)]
    x = torch.stack([a, b, torch.full_like(a, p)], dim=1)[order]
    y = ((a + b) % p)[order]
    with torch.no_grad():
        gap = float((last_position_logits(model, x) - model(x)[:, -1]).abs().max())
    print(f"{len(y)} training pairs; largest logit difference between the two forward passes: {gap:.1e}")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98))

    def per_step(forward) -> float:
        def step() -> None:
            F.cross_entropy(forward(x).double(), y).backward()
            opt.step()
            opt.zero_grad(set_to_none=True)

        for _ in range(3):
            step()
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        return (time.perf_counter() - start) / args.steps

    hooked = per_step(lambda t: model(t)[:, -1])
    factored = per_step(lambda t: last_position_logits(model, t))
    print(f"HookedTransformer forward: {hooked * 1e3:.1f} ms/step ({args.threads} thread(s))")
    print(f"factored forward:          {factored * 1e3:.1f} ms/step")
    print(
        f"ratio: {hooked / factored:.2f}x; 40k steps: {40_000 * factored / 60:.0f} min instead of {40_000 * hooked / 60:.0f}"
    )


if __name__ == "__main__":
    main()
