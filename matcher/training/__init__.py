"""Adapting the dense encoder to Dutch and to lcmatch's domain, and checking it honestly.

`data` builds training pairs (ESCO parallel text, benchmark corpora, dev judgements) and the
query folds; `trainer` fine-tunes a sentence-transformers model on them, seeded, on a CPU;
`crossval` trains one model per fold and scores each query with the model that never saw it.
"""
