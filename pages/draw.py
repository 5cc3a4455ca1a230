"""draw page: the page body lives in ``pages/_ui/draw.py``."""

from pages._ui.draw import render

render()
