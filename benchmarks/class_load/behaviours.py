"""Students as in a lesson: one Locust task set per thing a student does, with the pauses of a
person reading, thinking and moving a mouse (all multiplied by ``--think-scale``).

Each task set opens its page when the student arrives and keeps that tab for the lesson; a
failed interaction is reported by the session (a failed request) and the student carries on,
opening the page again if the tab was lost. Live views cost what they cost with a browser:
a playing playground's fragments rerun on their timers in the session, and Build's live curves
stream while the training script follows the training.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any, ClassVar

from locust import TaskSet, task

from benchmarks.class_load.drawing import canvas_value, random_digit
from benchmarks.class_load.protocol import InteractionFailed, Run, StreamlitSession
from pages._ui.widgets import widget_key

if TYPE_CHECKING:
    from benchmarks.class_load.locustfile import Student

PAGES = ("", "build", "descent", "draw", "backprop", "playground")
MAX_TRAINING_WAIT = 150.0  # s a student waits for a training before pressing Stop
CURVES = "curves-"  # the key of every redraw of Build's live curves: curves-0, curves-1, ...
LIVE_CURVES = "build: live curves, time between redraws"


class Behaviour(TaskSet):
    """What every behaviour shares: its page's tab, pauses, and carrying on after a failure."""

    page: ClassVar[str] = ""
    think: ClassVar[tuple[float, float]] = (2.0, 4.0)  # s between two tasks
    session: StreamlitSession

    @property
    def student(self) -> Student:
        return self.user  # type: ignore[return-value]

    @property
    def rng(self) -> random.Random:
        return self.student.rng

    def wait_time(self) -> float:
        return self.rng.uniform(*self.think) * self.student.think_scale

    def pause(self, low: float, high: float) -> None:
        """A person reading, thinking or drawing for a while."""
        time.sleep(self.rng.uniform(low, high) * self.student.think_scale)

    def on_start(self) -> None:
        self.open()

    def on_stop(self) -> None:
        self.session.close()

    def open(self) -> Run:
        """(Re)open this behaviour's page in a fresh tab."""
        old = getattr(self, "session", None)
        if old is not None:
            old.close()
        self.session = self.student.tab(self.page)
        return self.session.open()

    def execute_task(self, task: Any) -> None:
        try:
            super().execute_task(task)
        except (InteractionFailed, KeyError) as problem:
            # The student reloads the page: a lost tab, a traceback, a page that did not answer
            # or one without the control it always has leaves nothing else to do.
            self.pause(1, 3)
            try:
                self.open()
            except InteractionFailed:
                self.pause(2, 5)
            if isinstance(problem, KeyError):
                raise  # not a request that failed: Locust lists it among the errors

    def control(self, setting: str) -> str:
        """The key of this page's control for ``setting`` (each page keys its own)."""
        return widget_key(self.page, setting)

    def click(self, name: str, key: str, **options: Any) -> Run | None:
        """Press the button keyed ``key`` if the page shows it enabled; None if it does not."""
        if not self.session.has(key):
            return None
        return self.session.interact(name, {key: True}, **options)

    def flag(self, key: str) -> bool:
        """A checkbox or toggle's value as the page last drew it."""
        proto = self.session.widget(key).proto
        return bool(proto.value if proto.set_value else proto.default)

    def neighbour(self, key: str, current: str | None = None) -> str:
        """One step left or right on a select slider (a learning rate), from ``current``."""
        options = self.session.widget(key).options
        index = options.index(current) if current in options else len(options) // 2
        index = min(max(index + self.rng.choice((-1, 1)), 0), len(options) - 1)
        return options[index]


class GradientDescent(Behaviour):
    """Steps through Gradient Descent: η on its slider and its buttons, the steps, the worked
    step, now and then another function or optimizer. ▶ Play animates the figure in the
    browser (plotly frames, no rerun), so watching it costs the server nothing."""

    page = "descent"
    eta: str | None = None

    @task(4)
    def move_eta(self) -> None:
        self.eta = self.neighbour(self.control("eta"), self.eta)
        self.session.interact("descent: η slider", {self.control("eta"): self.eta})

    @task(3)
    def step_worked_example(self) -> None:
        if not self.session.has(self.control("t")):
            return
        slider = self.session.widget(self.control("t")).proto
        current = int(slider.value[0]) if slider.value else 0
        following = current + 1 if current < slider.max else 0
        self.session.interact("descent: step slider", {self.control("t"): following})

    @task(2)
    def change_steps(self) -> None:
        self.session.interact(
            "descent: steps slider", {self.control("steps"): self.rng.randrange(10, 201)}
        )

    @task(1)
    def press_eta_button(self) -> None:
        key = self.rng.choice(("descent_eta_best", "descent_eta_edge", "descent_eta_over"))
        if self.click("descent: η button", key) is not None:
            self.eta = None  # the slider moved to a value of the button's

    @task(1)
    def choose_function(self) -> None:
        options = self.session.widget(self.control("fn")).options
        self.session.interact("descent: function", {self.control("fn"): self.rng.choice(options)})

    @task(1)
    def toggle_optimizer(self) -> None:
        key = self.control(self.rng.choice(("momentum", "nesterov", "adagrad", "rmsprop", "adam")))
        self.session.interact("descent: optimizer toggle", {key: not self.flag(key)})

    @task(1)
    def watch_play(self) -> None:
        self.pause(3, 6)  # ▶ Play runs in the browser


class DrawDigit(Behaviour):
    """Draws digits stroke by stroke (the page answers after each one), looks at what the
    network saw and thinks, sometimes labels the drawing and adds it, then clears."""

    page = "draw"
    think = (1.0, 3.0)

    @task
    def draw_a_digit(self) -> None:
        digit, strokes = random_digit(self.rng)
        for count in range(1, len(strokes) + 1):
            self.session.interact(
                "draw: stroke",
                {"digit_canvas": canvas_value(strokes[:count])},
                expect=prediction_shown,
            )
            self.pause(0.8, 2.0)  # the next stroke
        self.pause(2, 5)  # the answer, the 28 × 28 picture, the layers' tabs
        if self.rng.random() < 0.2 and self.session.has("draw_label", enabled=False):
            self.session.interact("draw: pick the right digit", {"draw_label": str(digit)})
            self.pause(0.5, 1.5)
            self.click("draw: add the drawing", "draw_add")
            self.pause(1, 2)
        self.session.interact("draw: clear", {"digit_canvas": canvas_value([])})


def prediction_shown(run: Run) -> str | None:
    """A stroke's answer must name a digit: the drawing was prepared and the worker answered."""
    if "Prediction" in run.metrics:
        return None
    said = "; ".join(run.errors) or "no error shown"
    return f"no prediction after a stroke ({said})"


class BuildTrain(Behaviour):
    """Trains on Build & Train: sometimes changes the network first, presses Train, follows the
    live curves to the end, and now and then pauses and resumes or stops half-way."""

    page = "build"
    think = (2.0, 5.0)
    lr: str | None = None

    @task
    def train_once(self) -> None:
        if self.rng.random() < 0.4:
            self.change_the_network()
            self.pause(2, 5)
        if not self.session.has("train"):  # refused as too long for a shared trainer
            epochs = self.rng.randrange(5, 31)
            self.session.interact("build: epochs slider", {self.control("epochs"): epochs})
            return
        pressed = self.session.interact("build: Train", {"train": True}, until_key="stop")
        self.session.listen(CURVES, LIVE_CURVES)
        try:
            self.follow(pressed)
        finally:
            self.session.unlisten(CURVES)
        self.pause(5, 12)  # the accuracy, the confusion matrix, the mistakes

    def follow(self, pressed: Run) -> None:
        choice = self.rng.random()
        if choice < 0.25:
            self.pause(5, 15)
            if self.click("build: Pause", "pause") is not None:
                self.pause(3, 8)
                if self.click("build: Resume", "resume", until_key="pause") is not None:
                    self.session.listen(CURVES, LIVE_CURVES)  # no redraws while it was paused
        elif choice < 0.45:
            self.pause(5, 20)
            if self.click("build: Stop", "stop") is not None:
                return
        waited = self.session.wait_idle(
            "build: a training, Train to its results", pressed, MAX_TRAINING_WAIT
        )
        if not waited:
            self.click("build: Stop", "stop")

    def change_the_network(self) -> None:
        choice = self.rng.randrange(5)
        if choice == 0:
            units = self.rng.choice((16, 32, 64, 128, 256))
            self.session.interact("build: neurons slider", {self.control("l1_units"): units})
        elif choice == 1:
            epochs = self.rng.randrange(10, 61)
            self.session.interact("build: epochs slider", {self.control("epochs"): epochs})
        elif choice == 2:
            self.lr = self.neighbour(self.control("lr"), self.lr)
            self.session.interact("build: η slider", {self.control("lr"): self.lr})
        elif choice == 3:
            batch = self.rng.choice((32, 64, 128))
            self.session.interact("build: batch slider", {self.control("batch"): batch})
        else:
            key = self.rng.choice(("preset-Seed notebook", "preset-Small CNN"))
            self.click("build: preset", key)


class Playground(Behaviour):
    """Plays the 2D Playground: Play, watch the boundary take shape (three fragments rerun on
    their timers meanwhile), Pause, change a feature, the layers, the data, play again."""

    page = "playground"
    think = (2.0, 4.0)
    extra_features = ("f_x1sq", "f_x2sq", "f_x1x2", "f_sin1", "f_sin2")

    @task
    def play_and_change(self) -> None:
        if self.click("playground: Play", "pg_play") is not None:
            self.pause(10, 25)  # the boundary taking shape
            self.click("playground: Pause", "pg_pause")
        self.pause(2, 5)
        self.change_something()

    def change_something(self) -> None:
        choice = self.rng.randrange(7)
        key = self.control(self.rng.choice(self.extra_features))
        if choice <= 1 and self.session.has(key):
            self.session.interact("playground: feature toggle", {key: not self.flag(key)})
        elif choice == 2:
            key = self.rng.choice(("pg_layers_plus", "pg_layers_minus", "pg_l1_plus"))
            self.click("playground: layers and neurons", key)
        elif choice == 3 and self.session.has(self.control("data")):
            options = self.session.widget(self.control("data")).options
            dataset = self.rng.choice(options)
            self.session.interact("playground: dataset", {self.control("data"): dataset})
        elif choice == 4 and self.session.has(self.control("noise")):
            noise = self.rng.randrange(0, 55, 5)
            self.session.interact("playground: noise slider", {self.control("noise"): noise})
        elif choice == 5:
            self.click("playground: Regenerate", "pg_regenerate")
        else:
            self.click("playground: Reset", "pg_reset")


class Backprop(Behaviour):
    """Works through Backpropagation: Forward, Backward and Update with time to read the
    numbers, then keeps the weights, picks another weight, or trains many steps."""

    page = "backprop"
    think = (2.0, 5.0)

    @task
    def one_step_by_hand(self) -> None:
        for key, label, reading in (
            ("forward", "Forward", (3, 8)),
            ("backward", "Backward", (4, 10)),
            ("update", "Update", (3, 8)),
        ):
            self.click(f"backprop: {label}", key)
            self.pause(*reading)
        choice = self.rng.randrange(5)
        if choice == 0:
            self.click("backprop: keep the new weights", "keep")
        elif choice == 1:
            options = self.session.widget(self.control("explain")).options
            weight = self.rng.choice(options)
            self.session.interact("backprop: weight to explain", {self.control("explain"): weight})
        elif choice == 2:
            self.click("backprop: Train many steps", "train")
        elif choice == 3:
            rate = self.neighbour(self.control("learning_rate"))
            self.session.interact("backprop: η slider", {self.control("learning_rate"): rate})
        else:
            self.click("backprop: textbook example", "preset")


class Latecomer(Behaviour):
    """Arrives late and looks around: opens one page after another, each in a new tab."""

    page = ""
    think = (5.0, 15.0)

    @task
    def open_a_page(self) -> None:
        self.session.close()
        self.session = self.student.tab(self.rng.choice(PAGES))
        self.session.open()
