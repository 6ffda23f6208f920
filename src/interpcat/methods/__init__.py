"""Methods and test protocols from papers that no library we use ships, one module per paper.

Each module cites its paper in its docstring and has its unit tests in ``tests/methods/``. Where a
library implements a method (Captum, ``shap``, ``lime``, zennit), notebooks call the library; what
lives here is what those libraries lack, written from the paper's description:

* :mod:`.rrr`: the right-for-the-right-reasons input-gradient penalty (Ross et al. 2017).
* :mod:`.senn`: self-explaining neural networks and their stability penalty (Alvarez-Melis & Jaakkola 2018).
* :mod:`.spray`: spectral relevance analysis, SpRAy (Lapuschkin et al. 2019).
* :mod:`.rise`: randomized input sampling for explanation, RISE (Petsiuk et al. 2018).
* :mod:`.saliency_guided`: saliency-guided training (Ismail et al. 2021).
* :mod:`.shapley`: exact Shapley values by enumeration, and the kernels and estimators of
  Lundberg & Lee 2017 (through ``shap``, ``lime`` and Captum) measured against them.
* :mod:`.randomization`: the model- and data-randomization sanity checks (Adebayo et al. 2018).
* :mod:`.clusterability`: weight-graph n-cut, layer-wise shuffles and magnitude pruning (Filan et al. 2020, 2021).
* :mod:`.modularity`: coactivation partitions, lesion and feature-visualisation tests of neuron
  clusters against random same-size sets, Fisher-combined (Hod et al. 2021).
* :mod:`.grokking`: the Fourier basis of Z_p, key frequencies and the restricted and excluded losses
  (Nanda et al. 2023).
* :mod:`.induction`: repeated random tokens, prefix-matching and copying scores, the
  in-context-learning score, phase-change windows and smeared keys (Olsson et al. 2022), and a
  random baseline for composition scores (Elhage et al. 2021).
* :mod:`.concept_bottleneck`: concept bottleneck models, their independent, sequential and joint
  training and test-time intervention (Koh et al. 2020).
* :mod:`.protopnet`: prototypical part networks, their prototype layer, cluster and separation
  costs and prototype projection (Chen et al. 2019).
* :mod:`.superposition`: batched toy models of superposition, feature dimensionality and the
  two-feature phase reference (Elhage et al. 2022).
* :mod:`.negative_xil`: attribution penalties (input gradients, gradient x input, Integrated Gradients,
  SmoothGrad, region occlusion) for the catalog's negative-XIL evaluation (Pope 2022).
"""
