"""The browser's address bar and history: a setting change rewrites the page's link in place.

Every page writes its settings into its address (``publish_settings``). Streamlit's browser
side records each such change as a new history entry, so after moving a slider the first Back
only brought the previous settings of the same page back (and the page, which keeps them,
wrote them again): Back seemed to do nothing. Here the browser is told, once per visit, that
a new entry whose path is the current one (only the query changed) replaces the current
entry; moving to another page (another path) still adds one, so Back leaves the page.
"""

from __future__ import annotations

import streamlit as st

KEY = "address_history"

# Runs in the page itself (a components-v2 module is not sandboxed), once per page load.
_REPLACE_SAME_PAGE_ENTRIES = """
export default function () {
  if (window.__settingsReplaceHistory) return;
  window.__settingsReplaceHistory = true;
  const history = window.history;
  const push = history.pushState.bind(history);
  history.pushState = function (state, unused, url) {
    let target = null;
    try {
      target = url == null ? null : new URL(url, window.location.href);
    } catch (error) {
      target = null;
    }
    if (target !== null && target.pathname === window.location.pathname) {
      return history.replaceState(state, unused, url);
    }
    return push(state, unused, url);
  };
}
"""

_history_component = st.components.v2.component("address_history", js=_REPLACE_SAME_PAGE_ENTRIES)

# The component draws nothing; its empty block must not take a gap in the sidebar.
HIDE_STYLE = f".st-key-{KEY} {{ display: none; }}"


def replace_history_on_setting_changes() -> None:
    """Mount the script above (in the sidebar, hidden): call once per run from the frame."""
    with st.sidebar:
        _history_component(key=KEY)
