"""Backpropagation by the numbers: a tiny network (1–3 inputs, 1–3 hidden, 1–3 outputs) whose
forward pass, chain-rule partials and gradient-descent update are computed with numpy, so the
/backprop page can write every number a teacher would work out by hand, without TensorFlow.

``network`` holds the values, ``passes`` computes with them, ``explain`` writes them out for a
student, ``figures`` draws them, ``keras_code`` says the same in ``tf.GradientTape``, and
``settings`` declares the page's link parameters (with ``preset``, the textbook example).
"""
