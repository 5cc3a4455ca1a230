"""A simulated class: students that speak Streamlit's websocket protocol, driven by Locust.

- ``protocol``: one browser tab (``StreamlitSession``), without a browser.
- ``drawing``: Draw a Digit's canvas value as the browser sends it.
- ``behaviours``: what students do, one Locust task set each, with their pauses.
- ``locustfile``: the Locust users and options (``locust -f benchmarks/class_load/locustfile.py``).
- ``cpu``: the server's CPU time and the machine's load, from ``/proc``.
- ``runner``: ``python -m benchmarks.class_load`` (``make load``) starts a fresh app, measures
  each interaction's server CPU, runs the class headless and prints the report.

Only ``behaviours`` and ``locustfile`` import Locust (which monkey-patches with gevent); the
runner and the tests use the rest in plain threads.
"""
