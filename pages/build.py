"""build page: the page body lives in ``pages/_ui/build.py``."""

from pages._ui.build import render

render()
