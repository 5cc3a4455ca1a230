"""The 2D Playground: points on a plane, features of them, a small Dense network learning them.

- ``datasets``: the generators (two classes, three or four, regression) and the train/test split;
- ``features``: what the network is fed (x1, x2, x1², …), each a function of the point;
- ``points_csv``: reading a visitor's CSV file of points (refusing bad ones with a sentence);
- ``settings``: the page's settings, declared once, and the ``PlaygroundSpec`` they make;
- ``snapshot``: what a training worker streams back (plain numpy data);
- ``engine``: the Keras model and its compiled epoch (TensorFlow: worker processes only);
- ``figures``: the decision boundary, the neuron heatmaps laid out as a network, the losses;
- ``codegen``: the runnable Keras script that reproduces the page.
"""
