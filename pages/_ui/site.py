"""The site's pages, declared once: the navigation (app.py) and the home page's links read this.

Icons are Material Symbols, which Streamlit serves itself: they draw the same on every machine,
where an emoji needs a colour-emoji font the classroom's computers may not have."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SitePage:
    script: str  # under pages/
    title: str
    icon: str
    url_path: str  # "" for the home page
    invitation: str  # the home page's link to it (Markdown)


HOME = SitePage("home.py", "Home", ":material/home:", "", "")
SITE: tuple[SitePage, ...] = (
    HOME,
    SitePage(
        "build.py",
        "Build & Train",
        ":material/layers:",
        "build",
        "**Build & Train** a network, live",
    ),
    SitePage(
        "descent.py",
        "Gradient Descent",
        ":material/landscape:",
        "descent",
        "**Gradient descent**, step by step",
    ),
    SitePage(
        "backprop.py",
        "Backpropagation",
        ":material/account_tree:",
        "backprop",
        "**Backpropagation**, by the numbers",
    ),
    SitePage(
        "draw.py",
        "Draw a Digit",
        ":material/draw:",
        "draw",
        "**Draw a digit** for a network to read",
    ),
    SitePage(
        "playground.py",
        "2D Playground",
        ":material/scatter_plot:",
        "playground",
        "**2D Playground**: watch a boundary take shape",
    ),
    SitePage(
        "board.py",
        "Class board",
        ":material/leaderboard:",
        "board",
        "**Class board**: your class's runs, side by side",
    ),
)
