"""The playground's stop rule: play until N epochs, or until the test loss is this low.

The worker applies it between epochs (so "stop at 50" stops at exactly 50, however fast the
epochs come), then pauses as a Pause would and forgets the rule: Play goes on from there. The
page hands a rule over only while it is still to come (``StopRule.met`` is false where the
network is), so a rule already passed does not stop a network one epoch after every Play.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STOP_KINDS = ("none", "epochs", "loss")


@dataclass(frozen=True)
class StopRule:
    """``kind`` "epochs" stops at epoch ``epochs``; "loss" once the test loss is ≤ ``loss``."""

    kind: str = "none"
    epochs: int = 100
    loss: float = 0.1

    @property
    def active(self) -> bool:
        return self.kind != "none"

    def met(self, epoch: int, test_loss: float | None) -> bool:
        """Whether the network after ``epoch`` epochs, at this test loss, is where it stops."""
        if self.kind == "epochs":
            return epoch >= self.epochs
        if self.kind == "loss":
            return test_loss is not None and math.isfinite(test_loss) and test_loss <= self.loss
        return False

    def note(self, epoch: int) -> str:
        """The sentence the page shows once the rule has stopped the network."""
        if self.kind == "epochs":
            return f"Stopped at epoch {epoch:,}, as the stop rule asks. Play goes on from here."
        return (
            f"Stopped at epoch {epoch:,}: the test loss reached {self.loss:g}, as the stop rule "
            "asks. Play goes on from here."
        )
