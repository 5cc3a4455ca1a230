"""The site's pages, declared once: the navigation (app.py) and the home page's links read this;
and what the frame adds to every page (a mistyped address, the look on a touch screen).

Icons are Material Symbols, which Streamlit serves itself: they draw the same on every machine,
where an emoji needs a colour-emoji font the classroom's computers may not have."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


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


def unknown_page(url: str | None, base_path: str = "") -> str | None:
    """The path of an address that names no page of the site, else None.

    Streamlit runs the home page for an address it does not know (a mistyped or outdated
    link), and the browser's address is then rewritten to the home page's: without a word on
    the page, a teacher would not know the link was wrong. ``url`` is the address the browser
    asked for (scheme, host and path, no query); ``base_path`` is the server's own prefix
    (``server.baseUrlPath``), which is no page's name.
    """
    if not url:
        return None
    path = urlsplit(url).path.strip("/")
    base = base_path.strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :].strip("/")
    known = {page.url_path for page in SITE}
    return None if path in known else "/" + path


# Every page, on a phone or any touch screen: a finger needs about 44 px to hit what it aims
# at. The controls a lesson is about (buttons such as Train and Play, the sliders, the
# switches) get that much; a slider's thumb grows a little, with an invisible ring around it
# that takes the touch. (A help icon's ring would reach past a metric's label, which then
# counts as cut.) Plotly's toolbar, which covers the top of every chart on a narrow screen
# and offers nothing a lesson needs there, is not shown.
TOUCH_TARGET_PX = 44
PHONE_WIDTH_PX = 640  # Streamlit stacks columns below this width
TOUCH_STYLE = f"""
@media (max-width: {PHONE_WIDTH_PX}px), (pointer: coarse) {{
  .stApp [data-testid^="stBaseButton"] {{ min-height: {TOUCH_TARGET_PX}px; }}
  .stApp [data-testid="stCheckbox"] > label {{ min-height: {TOUCH_TARGET_PX}px; align-items: center; }}
  .stApp [data-testid="stSlider"] div:has(> div > input[type="range"]) {{
    width: 1.5rem; height: 1.5rem;
  }}
  .stApp [data-testid="stSlider"] div:has(> div > input[type="range"])::after {{
    content: ""; position: absolute; left: 50%; top: 50%;
    width: {TOUCH_TARGET_PX}px; height: {TOUCH_TARGET_PX}px; transform: translate(-50%, -50%);
  }}
  /* Plotly's Play and Pause: their boxes taller (the text kept in the middle), not wider,
     so the row still fits beside each other. */
  .stApp .js-plotly-plot .updatemenu-button rect {{
    transform-box: fill-box; transform-origin: 0 0; scale: 1 1.4;
  }}
  .stApp .js-plotly-plot .updatemenu-button text {{ translate: 0 6.5px; }}
}}
@media (max-width: {PHONE_WIDTH_PX}px) {{
  .stApp .modebar-container {{ display: none !important; }}
}}
"""
