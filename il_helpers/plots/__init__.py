"""Plots and animations the notebooks share. Every function draws what it is given (computed
rollouts, demonstrations) and returns the matplotlib objects, so a notebook can restyle them."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation

from ..core.demonstrations import Demonstrations
from ..envs.registry import make_env
from ..core.evaluation import Rollout
from ..envs.lane_keeping import HALF_WIDTH, frenet_to_world, road_geometry
from ..core.policies import as_policy

COLORS = {"expert": "#1f77b4", "learner": "#d62728", "bc": "#d62728", "dagger": "#2ca02c", "random": "#7f7f7f"}


def draw_road(ax, curvature: np.ndarray, length: float | None = None):
    """Draw one LaneKeeping road (grey band with white edges) in world coordinates."""
    geo = road_geometry(curvature)
    s = np.arange(0.0, length if length is not None else len(curvature) - 1, 0.5)
    left = frenet_to_world(geo, s, np.full_like(s, HALF_WIDTH))
    right = frenet_to_world(geo, s, np.full_like(s, -HALF_WIDTH))
    ax.set_facecolor("#dfeccf")
    ax.fill(np.concatenate([left[0], right[0][::-1]]), np.concatenate([left[1], right[1][::-1]]),
            color="#8c8c8c", zorder=1, label="road")
    ax.plot(*left, color="white", lw=1.5, zorder=2)
    ax.plot(*right, color="white", lw=1.5, zorder=2)
    ax.set_aspect("equal")
    return geo


def plot_lane_trajectories(rollouts: dict[str, Rollout], episode: int = 0, ax=None, steps: int | None = None):
    """Trajectories of several policies on the same LaneKeeping road, drawn over the road.

    ``rollouts`` maps a label to a rollout; all must come from the same seed so that episode
    ``episode`` is the same road for each. Off-road stretches are marked with crosses.
    """
    first = next(iter(rollouts.values()))
    if first.roads is None:
        raise ValueError("plot_lane_trajectories needs LaneKeeping rollouts (they carry the road)")
    for label, r in rollouts.items():
        if r.roads is None or not np.array_equal(r.roads[episode], first.roads[episode]):
            raise ValueError(f"rollout {label!r} drove on another road: use the same env and seed for every rollout")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    T = steps or first.horizon
    s_max = max(float(r.infos["s"][episode, :T].max()) for r in rollouts.values())
    geo = draw_road(ax, first.roads[episode], length=s_max + 5)
    for i, (label, r) in enumerate(rollouts.items()):
        s, e = r.infos["s"][episode, :T], r.next_obs[episode, :T, 0]
        x, y = frenet_to_world(geo, s, e)
        color = COLORS.get(label.lower().split()[0], f"C{i}")
        ax.plot(x, y, color=color, lw=2, label=label, zorder=3)
        off = r.infos["off_road"][episode, :T]
        if off.any():
            ax.plot(x[off], y[off], "x", color=color, ms=4, zorder=4)
    ax.legend(loc="best", fontsize=9)
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m]")
    return ax


def plot_demonstrations(demos: Demonstrations, max_episodes: int = 10, axes=None, names=None):
    """Each observation dimension over time (one line per episode), and the expert's actions."""
    d = demos.first(min(max_episodes, demos.num_episodes))
    obs_dim = d.obs.shape[1]
    if axes is None:
        fig, axes = plt.subplots(1, obs_dim + 1, figsize=(2.1 * (obs_dim + 1), 2.2))
    names = names or [f"obs[{j}]" for j in range(obs_dim)]
    starts, lengths = d.episode_starts, d.episode_lengths
    for j in range(obs_dim):
        for s, n in zip(starts, lengths):
            axes[j].plot(d.obs[s: s + n, j], lw=0.8, alpha=0.7)
        axes[j].set_title(names[j], fontsize=9)
        axes[j].set_xlabel("t")
    ax = axes[obs_dim]
    if d.discrete:
        counts = np.bincount(d.actions, minlength=int(d.actions.max()) + 1)
        ax.bar(np.arange(len(counts)), counts / counts.sum(), color="C0")
        ax.set_xticks(np.arange(len(counts)))
        ax.set_title("expert actions (share)", fontsize=9)
    else:
        ax.hist(d.actions[:, 0], bins=30, color="C0", density=True)
        ax.set_title("expert actions (density)", fontsize=9)
    plt.tight_layout()
    return axes


# matplotlib's player draws its buttons with Font Awesome icons fetched from a CDN; the course
# runs offline, so the icons are replaced by Unicode symbols and the stylesheet link is dropped.
_ICONS = {"fa-minus": "−", "fa-fast-backward": "⏮", "fa-step-backward": "⏴︎|", "fa-play fa-flip-horizontal": "◀",
          "fa-pause": "⏸", "fa-play": "▶", "fa-step-forward": "|⏵︎", "fa-fast-forward": "⏭", "fa-plus": "+"}


def animation_html(anim: animation.Animation) -> str:
    """``anim.to_jshtml()`` made self-contained: no stylesheet from the internet."""
    html = anim.to_jshtml()
    html = re.sub(r'<link rel="stylesheet"\s*href="https://[^"]*font-awesome[^"]*">', "", html)
    for cls, symbol in _ICONS.items():
        html = html.replace(f'<i class="fa {cls}"></i>', symbol)
    return html


def animate_policy(env_id: str, policy, seed: int = 0, steps: int = 200, every: int = 4, width: float = 3.2,
                   env_kwargs: dict | None = None) -> animation.FuncAnimation:
    """An animation of one episode of ``policy`` from the env's own renderer.

    Shows every ``every``-th frame, so it stays small enough for a notebook; turn it into HTML
    with :func:`animation_html` (``to_jshtml`` without the internet; no ffmpeg needed).
    """
    env = make_env(env_id, render_mode="rgb_array", **(env_kwargs or {}))
    policy = as_policy(policy, env.action_space)
    obs, _ = env.reset(seed=seed)
    frames, total = [env.render()], 0.0
    for t in range(steps):
        obs, reward, terminated, truncated, _ = env.step(policy(obs))
        total += reward
        if (t + 1) % every == 0:
            frames.append(env.render())
        if terminated or truncated:
            break
    env.close()
    h, w = frames[0].shape[:2]
    fig, ax = plt.subplots(figsize=(width, width * h / w), dpi=72)  # small frames keep notebooks light
    image = ax.imshow(frames[0])
    ax.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)

    def show(i):
        image.set_data(frames[i])
        return [image]

    anim = animation.FuncAnimation(fig, show, frames=len(frames), interval=every * 50, blit=True)
    plt.close(fig)
    anim.total_reward = total
    return anim
