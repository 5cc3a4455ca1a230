"""The playground's library: data, network specs, training, gradient descent, digits, figures.

Never imports streamlit, so everything here runs in tests, benchmarks and the command line.
TensorFlow is imported only through ``nncore.keras_runtime``, and only by modules that need it.
"""
