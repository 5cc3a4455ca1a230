"""Sequential Playground: the frame around the pages (navigation and the shared sidebar)."""

import os
import sys
from pathlib import Path

import streamlit as st

from nncore.training.store import StoreProblem, check_store_directory
from nncore.workers.client import start_workers
from pages._ui.address import HIDE_STYLE, replace_history_on_setting_changes
from pages._ui.live_chart import LIVE_CHART_STYLE
from pages._ui.process import freeze_long_lived_objects
from pages._ui.site import HOME, SITE, TOUCH_STYLE, SitePage, unknown_page
from pages._ui.widgets import PRESENT, plain_text, presenter_mode

# The tab's icon is shipped with the app (a Material Symbol there is fetched from a font
# server, which a classroom offline cannot reach).
ICON = Path(__file__).resolve().parent / "assets" / "favicon.svg"
st.set_page_config(page_title="Sequential Playground", page_icon=str(ICON), layout="wide")
start_workers()  # TensorFlow loads in the worker processes, in the background, never here


@st.cache_resource
def store_problem() -> str | None:
    """Checked once per server: kept trainings must go to a private folder. The sentence names
    a folder of the server, so it goes to the server's log; visitors get one without it."""
    try:
        check_store_directory()
    except StoreProblem as problem:
        print(problem, file=sys.stderr)
        return str(problem)
    return None


if store_problem():
    st.error(
        "This server cannot keep trainings safely: its store folder is not private. Tell "
        "whoever runs it; the reason is in the server's log.",
        icon=":material/lock:",
    )
    st.stop()


BASE_PATH = str(st.get_option("server.baseUrlPath") or "")


def navigation_page(site: SitePage) -> st.Page:
    script = f"pages/{site.script}"
    if site is HOME:
        return st.Page(script, title=site.title, icon=site.icon, default=True)
    return st.Page(script, title=site.title, icon=site.icon, url_path=site.url_path)


pages = [navigation_page(site) for site in SITE]
page = st.navigation(pages)
if page.url_path == HOME.url_path and (missing := unknown_page(st.context.url, BASE_PATH)):
    # Streamlit opens the home page for an address it does not know: say so on the page.
    st.warning(
        f"There is no page at {plain_text(missing, 80)}: this is the home page. The pages are "
        "listed in the sidebar (on a phone, behind the menu button at the top left).",
        icon=":material/link_off:",
    )
st.sidebar.caption(
    "Real Keras models, trained in your browser session. Every page's settings live in its "
    "address: copy the link to share the exact setup."
)
if PRESENT.key not in st.session_state:  # a link with present=1 opens on the projector
    try:
        st.session_state[PRESENT.key] = PRESENT.parse(st.query_params.get(PRESENT.key, "0"))
    except ValueError:
        st.session_state[PRESENT.key] = False
st.sidebar.toggle(PRESENT.label, key=PRESENT.key, help=PRESENT.help)
# Streamlit's own "Stop", beside the running figure at the top while a script runs, would end
# the page's script and leave a training going on behind a frozen page: each page's own Pause
# and Stop are the way to stop. Live charts keep their last drawing up (pages/_ui/live_chart).
st.html(
    '<style>[data-testid="stStatusWidget"]:has([data-testid="stStatusWidgetRunningIcon"]) '
    f"button {{ display: none; }} {LIVE_CHART_STYLE} {HIDE_STYLE} {TOUCH_STYLE}</style>"
)
replace_history_on_setting_changes()
if presenter_mode():
    # Everything Streamlit sizes in rem grows with the root font: readable from the back row.
    st.html("<style>html { font-size: 26px; } .stApp p, .stApp li { line-height: 1.45; }</style>")
if replica := os.environ.get("PLAYGROUND_REPLICA"):  # set by `make cluster` and compose
    st.sidebar.caption(f"Served by replica {replica}")
page.run()
freeze_long_lived_objects()  # after the page's imports: later reruns collect less
