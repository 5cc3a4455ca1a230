"""The pages' bodies as ``render()`` functions, and the widgets and session state they share."""
