"""Serving the app to a whole school: container image, compose file, HAProxy in front."""
