"""Sequential Playground: the frame around the pages (navigation and the shared sidebar)."""

import os
import sys

import streamlit as st

from nncore.training.store import StoreProblem, check_store_directory
from nncore.workers.client import start_workers
from pages._ui.live_chart import LIVE_CHART_STYLE
from pages._ui.process import freeze_long_lived_objects
from pages._ui.site import HOME, SITE, SitePage
from pages._ui.widgets import PRESENT, presenter_mode

st.set_page_config(
    page_title="Sequential Playground", page_icon=":material/neurology:", layout="wide"
)
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


def navigation_page(site: SitePage) -> st.Page:
    script = f"pages/{site.script}"
    if site is HOME:
        return st.Page(script, title=site.title, icon=site.icon, default=True)
    return st.Page(script, title=site.title, icon=site.icon, url_path=site.url_path)


pages = [navigation_page(site) for site in SITE]
page = st.navigation(pages)
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
    f"button {{ display: none; }} {LIVE_CHART_STYLE}</style>"
)
if presenter_mode():
    # Everything Streamlit sizes in rem grows with the root font: readable from the back row.
    st.html("<style>html { font-size: 26px; } .stApp p, .stApp li { line-height: 1.45; }</style>")
if replica := os.environ.get("PLAYGROUND_REPLICA"):  # set by `make cluster` and compose
    st.sidebar.caption(f"Served by replica {replica}")
page.run()
freeze_long_lived_objects()  # after the page's imports: later reruns collect less
