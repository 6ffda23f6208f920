"""Evaluation metrics for explanations, one module per metric, each citing its defining paper.

Every notebook measures a criterion through these functions, so the same criterion is measured the
same way everywhere. Each metric records the catalog criterion it measures (``CRITERION``) and
whether higher scores are better (``HIGHER_IS_BETTER``).
"""

from .completeness import completeness_gap
from .deletion import deletion_curve, insertion_curve, normalized_auc, perturbation_curve
from .lipschitz import explanation_sensitivity, local_lipschitz
from .rank_correlation import spearman_rank_correlation
from .region_perturbation import aopc, morf_curve
from .sparsity import gini
from .topk import precision_at_k

__all__ = [
    "aopc",
    "completeness_gap",
    "deletion_curve",
    "explanation_sensitivity",
    "gini",
    "insertion_curve",
    "local_lipschitz",
    "morf_curve",
    "normalized_auc",
    "perturbation_curve",
    "precision_at_k",
    "spearman_rank_correlation",
]
