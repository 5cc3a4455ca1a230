"""Gradient descent for the /descent page: loss functions, optimizer paths, step-size theory,
the sentences that explain them, the page's settings and its plotly figures.

The optimizers themselves (update rules, colours, Keras names) live in ``nncore.optimizers``;
this package only runs them. Nothing here imports Streamlit or TensorFlow, so the page redraws
in milliseconds and the maths is tested without a browser.
"""
