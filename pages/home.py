"""home page: the page body lives in ``pages/_ui/home.py``."""

from pages._ui.home import render

render()
