"""playground page: the page body lives in ``pages/_ui/playground.py``."""

from pages._ui.playground import render

render()
