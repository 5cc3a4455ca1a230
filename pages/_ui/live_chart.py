"""A plotly chart redrawn again and again while a script runs (the live training curves),
that shows its last drawing until the next one is drawn, never an empty area.

Streamlit gives a plotly chart a new element id whenever its figure changes, and the browser
then mounts a new chart, which stays empty (hidden, then undrawn) until plotly has drawn it:
a few frames each time, often enough that one screenshot in three caught an empty chart.

So a live chart has two places stacked on one spot (``LIVE_CHART_STYLE``, in the app's
stylesheet) and draws into them in turn: the new drawing lies on top of the last one, which
shows through until the new one is drawn and covers it. Which place is on top comes from the
charts' keys: each carries a phase (0, 1, 2) that goes on by one with every drawing, across
reruns too (the count is kept in the session), so the newer of the two is the one whose phase
follows the other's. Both places survive a rerun: the last drawing stays up while the page is
drawn again.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

# The two places share one grid cell; the drawing whose phase follows the other's is on top.
# Streamlit keeps a replaced element hidden in the page for a while (``data-retained``): it
# does not count.
_NEWER = ":not([data-retained])"
LIVE_CHART_STYLE = (
    '.stVerticalBlock[class*="st-key-livechart_"] '
    "{ display: grid; grid-template-columns: minmax(0, 1fr); }"
    '.stVerticalBlock[class*="st-key-livechart_"] > * { grid-area: 1 / 1; }'
    + ",".join(
        f'.stVerticalBlock[class*="st-key-livechart_"]'
        f':has([class*="-livephase{before}-"]{_NEWER})'
        f' > :has([class*="-livephase{(before + 1) % 3}-"]{_NEWER})'
        for before in range(3)
    )
    + " { z-index: 1; }"
)


class LiveChart:
    """A chart's place on the page, for a figure drawn many times in one run."""

    def __init__(self, name: str, container: Any = st) -> None:
        self.name = name
        box = container.container(key=f"livechart_{name}")
        self.places = [box.container(key=f"liveplace_{name}_{index}") for index in (0, 1)]
        self.slots: dict[int, Any] = {}  # each place's one element, made when first drawn

    def plotly_chart(self, figure: Any, **kwargs: Any) -> None:
        """Draw ``figure`` over the last drawing (``kwargs`` go to ``st.plotly_chart``)."""
        counter = f"_livechart_{self.name}"
        count = st.session_state.get(counter, 0) + 1
        st.session_state[counter] = count
        place = count % 2
        if place not in self.slots:
            self.slots[place] = self.places[place].empty()
        key = f"{self.name}-livephase{count % 3}-{count}"  # curves-livephase2-5
        self.slots[place].plotly_chart(figure, key=key, **kwargs)
