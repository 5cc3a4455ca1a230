"""board page: the page body lives in ``pages/_ui/class_board.py``."""

from pages._ui.class_board import render

render()
