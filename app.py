"""Sequential Playground: the frame around the pages (navigation and the shared sidebar)."""

import streamlit as st

st.set_page_config(page_title="Sequential Playground", page_icon="🧠", layout="wide")

pages = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/build.py", title="Build & Train", icon="🧱", url_path="build"),
    st.Page("pages/descent.py", title="Gradient Descent", icon="⛰️", url_path="descent"),
    st.Page("pages/draw.py", title="Draw a Digit", icon="✏️", url_path="draw"),
]
page = st.navigation(pages)
st.sidebar.caption(
    "Real Keras models, trained in your browser session. Every page's settings live in its "
    "address: copy the link to share the exact setup."
)
page.run()
