"""Generate a synthetic but valid catalog of N papers (for benchmarks and scale tests)."""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = [
    "attribution",
    "saliency",
    "gradient",
    "faithfulness",
    "stability",
    "concept",
    "circuit",
    "neuron",
    "feature",
    "model",
    "explanation",
    "input",
    "relevance",
    "perturbation",
    "baseline",
    "network",
    "layer",
    "training",
    "decoy",
    "shortcut",
    "robustness",
    "evaluation",
    "heatmap",
    "prototype",
    "sparsity",
    "completeness",
    "modularity",
]

METHODS = ["saliency", "integrated-gradients", "occlusion"]
CRITERIA = ["faithfulness", "stability"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def paper_yaml(i: int, n: int, rng: random.Random) -> str:
    related = f"\nrelated:\n  - paper: synthetic-{(i + 1) % n:05d}\n    relation: extends" if n > 1 else ""
    claims = "".join(
        f"""
  - id: claim-{k}
    statement: "{_sentence(rng, 18)}"
    source: Table {k + 1}
    reported:
      value: {rng.random():.3f}
      metric: test accuracy
      dataset: Synthetic digits
      setting: "baseline model {k}"
    methods: [{METHODS[k % 3]}]
    criteria: [{CRITERIA[k % 2]}]
    reproduction:
      status: not-attempted
      reason: "synthetic record for benchmarks"
"""
        for k in range(2)
    )
    return f"""id: synthetic-{i:05d}
title: "{_sentence(rng, 9)[:-1]}"
authors: [Ada Lovelace, Alan Turing, Grace Hopper]
year: {2015 + i % 10}
venue: NeurIPS {2015 + i % 10}
venue_type: conference
links:
  arxiv: "17{(i % 12) + 1:02d}.{i % 100000:05d}"
  code: https://github.com/example/synthetic-{i}
summary: >-
  {_sentence(rng, 40)} {_sentence(rng, 30)}
contribution: method
areas: [attribution]
modalities: [image]
tags: [{rng.choice(_WORDS)}, {rng.choice(_WORDS)}-{i % 50}]
methods: [{", ".join(METHODS)}]
criteria: [{", ".join(CRITERIA)}]
claims:{claims}{related}
"""


_METHOD = """id: {id}
name: {name}
family: gradient
access: [gradients]
stage: post-hoc
scope: local
captum: Saliency
description: A synthetic method record used by benchmarks.
"""
_CRITERION = """id: {id}
name: {name}
definition: A synthetic criterion record used by benchmarks.
measurement: By a synthetic procedure.
"""


def write_catalog(root: Path, n: int, seed: int = 0) -> Path:
    """Write n papers plus the methods and criteria they cite under root/catalog; return it."""
    rng = random.Random(seed)
    catalog = root / "catalog"
    for sub in ("papers", "methods", "criteria"):
        (catalog / sub).mkdir(parents=True, exist_ok=True)
    for m in METHODS:
        (catalog / "methods" / f"{m}.yaml").write_text(_METHOD.format(id=m, name=m.title()))
    for c in CRITERIA:
        (catalog / "criteria" / f"{c}.yaml").write_text(_CRITERION.format(id=c, name=c.title()))
    for i in range(n):
        (catalog / "papers" / f"synthetic-{i:05d}.yaml").write_text(paper_yaml(i, n, rng))
    return catalog
