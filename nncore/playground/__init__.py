"""The 2D Playground: points on a plane, features of them, a small Dense network learning them.

- ``datasets``: the generators (two classes, three or four, regression) and the train/test split;
- ``features``: what the network is fed (x1, x2, x1², …), each a function of the point;
- ``points_csv``: reading a visitor's CSV file of points (refusing bad ones with a sentence);
- ``settings``: the page's settings, declared once, and the ``PlaygroundSpec`` they make;
- ``snapshot``: what a training worker streams back (plain numpy data);
- ``engine``: the Keras model and its compiled epoch (TensorFlow: worker processes only);
- ``colours``: the answer, values and classes as colours, sent as small PNG images;
- ``figures``: the plane (the decision boundary and the points: a clickable chart, or one
  picture while the network plays) and the loss curves;
- ``network_figure``: every feature's and neuron's heatmap laid out as the network;
- ``explain``: a clicked neuron's numbers and the sentence under the picture;
- ``codegen``: the runnable Keras script that reproduces the page.
"""
