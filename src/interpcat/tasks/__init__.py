"""Tasks that papers define to test explanations: planted shortcuts, decoys and tags.

Each module builds a paper's data-generating process (or its stated analog) and cites the paper;
the loaders of ordinary data sets live in :mod:`interpcat.repro.data`.

* :mod:`.decoys`: Decoy MNIST's swatches (Ross et al. 2017), a source tag (Lapuschkin et al. 2019).
* :mod:`.shortcuts`: planted lexical shortcuts in token sequences (Bastings et al. 2022).
"""
