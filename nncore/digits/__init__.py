"""Drawings as MNIST digits, and the networks that read them.

``preprocess`` turns canvas pixels into the 28×28 picture MNIST would have made (numpy and
Pillow only, run in the web server); ``answers`` reads the probabilities a worker sends back;
``inference`` and ``teaching`` run a Keras model on a drawing and fine-tune a private copy
(TensorFlow: worker processes only); ``bundled`` trains the shipped CNN
(``python -m nncore.digits.bundled``); ``settings`` and ``figures`` serve the Draw page.
"""
