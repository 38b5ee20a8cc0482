"""il_helpers.plots.animation: a policy animated, as self-contained HTML."""

import il_helpers as il
from il_helpers.plots import animate_policy, animation_html


def test_animation_has_one_frame_every_k_steps():
    anim = animate_policy(il.LANE_KEEPING, il.get_expert(il.LANE_KEEPING), seed=0, steps=12, every=4)
    assert len(list(anim.new_frame_seq())) == 4  # the reset frame + one every 4 of 12 steps
    assert anim.total_reward == 12.0
    html = animation_html(anim)
    assert html.count("data:image/png;base64") == 4 + 1   # 4 frames, and the first again as the <img>'s picture
    assert "http" not in html and "font-awesome" not in html  # works offline: no stylesheet from a CDN
    assert html.count("<button") == 9 and "▶" in html
    # no media-control emoji (U+23E9..U+23FA): they need an emoji font, else they show as boxes
    assert not any(0x23E9 <= ord(ch) <= 0x23FA for ch in html)


def test_the_image_shows_the_first_frame_with_its_size_before_any_script_runs():
    """JupyterLab lays an output out before its script runs: without a src and a size the <img> is 0x0."""
    import re

    from il_helpers.plots.animation import first_frame
    anim = animate_policy(il.LANE_KEEPING, il.get_expert(il.LANE_KEEPING), seed=0, steps=8, every=4, width=3.0)
    html = animation_html(anim)
    img = re.search(r"<img [^>]*>", html).group(0)
    uri, width, height = first_frame(html)
    assert f'src="{uri}"' in img and f'width="{width}"' in img and f'height="{height}"' in img
    assert width == round(3.0 * 72) and height > 0                # the figure's size at 72 dpi
    frames = re.findall(r'frames\[\d+\] = "(data:image/png;base64,[^"]*)"', html)
    assert uri == frames[0].replace("\\\n", "") != frames[-1].replace("\\\n", "")
