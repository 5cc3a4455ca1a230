"""Backpropagation page: the page body lives in ``pages/_ui/backprop.py``."""

from pages._ui.backprop import render

render()
