"""The tour's widget (notebook 00): pick an environment and a number of demonstrations, see the data."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..core.checks import check_choice
from ..core.data import SHIPPED, load_expert_demos
from ..envs.lane_keeping import OBS_NAMES
from ..envs.registry import ENV_IDS
from .common import CourseBox, in_range, show_figure

OBS_LABELS = {
    "CartPole-v1": ["cart x", "cart velocity", "pole angle", "pole ang. velocity"],
    "Acrobot-v1": ["cos θ1", "sin θ1", "cos θ2", "sin θ2", "dθ1", "dθ2"],
    "MountainCar-v0": ["position", "velocity"],
    "MountainCarContinuous-v0": ["position", "velocity"],
    "Pendulum-v1": ["cos θ", "sin θ", "θ dot"],
    "il_helpers/LaneKeeping-v0": list(OBS_NAMES),
    "il_helpers/LaneKeepingDiscrete-v0": list(OBS_NAMES),
}


def tour_widget(env_id: str = "CartPole-v1", n_episodes: int = 10) -> widgets.VBox:
    """Pick an environment and a number of shipped demonstrations; see the data.

    The box has attributes ``env`` (Dropdown), ``demos`` (IntSlider), ``summary`` (HTML, a line
    starting with "Showing ...") and ``plot`` (Output), and ``refresh()`` redraws.
    """
    from ..plots import plot_demonstrations

    check_choice("env_id", env_id, ENV_IDS, where="tour_widget")
    in_range("tour_widget", "n_episodes", n_episodes, 1, min(s["episodes"] for s in SHIPPED.values()), integer=True)

    env = widgets.Dropdown(options=list(ENV_IDS), value=env_id, description="Environment",
                           style={"description_width": "initial"}, layout=widgets.Layout(width="360px"))
    demos = widgets.IntSlider(value=n_episodes, min=1, max=min(s["episodes"] for s in SHIPPED.values()),
                              description="Demos", continuous_update=False)
    summary = widgets.HTML()
    plot = widgets.Output()

    def refresh(*_):
        d = load_expert_demos(env.value, demos.value)
        returns = d.episode_returns
        summary.value = html.escape(
            f"Showing {d.num_episodes} episodes of {env.value}: {len(d)} steps, "
            f"mean return {returns.mean():.1f} (min {returns.min():.1f}, max {returns.max():.1f}), "
            f"{'discrete' if d.discrete else 'continuous'} actions, expert: {d.expert}")
        axes = plot_demonstrations(d, max_episodes=demos.value, names=OBS_LABELS.get(env.value))
        show_figure(plot, axes[0].figure)

    env.observe(refresh, names="value")
    demos.observe(refresh, names="value")
    box = CourseBox([widgets.HBox([env, demos]), summary, plot], "tour_widget")
    box.env, box.demos, box.summary, box.plot, box.refresh = env, demos, summary, plot, refresh
    refresh()
    return box
