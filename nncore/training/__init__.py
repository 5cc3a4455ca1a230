"""Training a network: the epoch engine, a run's record and state, diagnosis, evaluation.

``engine`` runs epochs inside TensorFlow and is imported only by worker processes (and the
command line, ``python -m nncore.training``). ``run`` keeps what a page shows of a training
(history, state, the trained weights) as plain data; ``diagnosis`` says in words why a training
went wrong, before and after; ``evaluation`` and ``figures`` turn results into pictures.
"""
