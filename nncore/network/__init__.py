"""The description of a network and everything derived from it without training.

``spec`` says what a network is (``NetworkSpec``, presets); ``layers`` declares each layer type
once with its behaviour (shape, parameters, Keras options, diagram); ``plan`` walks a spec as
Keras will build it; ``settings`` turns a spec into URL parameters and widgets and back;
``codegen`` writes the equivalent Keras script; ``figures`` draws the network. ``model`` builds
the real Keras model and is imported only in worker processes (it loads TensorFlow).
"""
