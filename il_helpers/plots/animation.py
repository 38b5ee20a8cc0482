"""Rollouts as animations in a notebook: ``matplotlib.animation`` to self-contained HTML (no
ffmpeg, nothing fetched from the internet)."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
from matplotlib import animation
from PIL import Image

from ..core.policies import as_policy
from ..envs.registry import make_env

# matplotlib's player draws its buttons with Font Awesome icons fetched from a CDN; the course
# runs offline, so the icons are replaced by symbols of the Geometric Shapes block (in every common
# font, unlike the media-control emoji, which show as boxes without an emoji font) and the
# stylesheet link is dropped. Each button keeps its tooltip ("First frame", ...).
_ICONS = {"fa-minus": "−", "fa-fast-backward": "|◀◀", "fa-step-backward": "|◀", "fa-play fa-flip-horizontal": "◀",
          "fa-pause": "||", "fa-play": "▶", "fa-step-forward": "▶|", "fa-fast-forward": "▶▶|", "fa-plus": "+"}


def first_frame(html: str) -> tuple[str, int, int]:
    """The first frame of a ``to_jshtml`` page: its ``data:`` URI and its size in pixels."""
    found = re.search(r'frames\[0\] = "(data:image/[a-z]+;base64,[^"]*)"', html, flags=re.S)
    if found is None:
        raise ValueError("animation_html: no embedded first frame in the page (matplotlib's to_jshtml changed?)")
    uri = found.group(1).replace("\\\n", "")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
        return uri, *image.size


def animation_html(anim: animation.Animation) -> str:
    """``anim.to_jshtml()`` made self-contained (no stylesheet from the internet) and visible before
    its script runs: the ``<img>`` starts as the first frame, with its width and height, so a
    notebook front end that lays the output out before running its script (JupyterLab's default
    windowing) shows the picture instead of a 0x0 image, and the buttons stay where they are."""
    html = anim.to_jshtml()
    html = re.sub(r'<link rel="stylesheet"\s*href="https://[^"]*font-awesome[^"]*">', "", html)
    for cls, symbol in _ICONS.items():
        html = html.replace(f'<i class="fa {cls}"></i>', symbol)
    uri, width, height = first_frame(html)
    return re.sub(r'<img id="(_anim_img\w+)">',
                  lambda m: f'<img id="{m.group(1)}" src="{uri}" width="{width}" height="{height}">', html, count=1)


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
