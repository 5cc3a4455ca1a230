"""descent page: the page body lives in ``pages/_ui/descent.py``."""

from pages._ui.descent import render

render()
