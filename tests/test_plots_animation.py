"""il_helpers.plots.animation: a policy animated, as self-contained HTML."""

import il_helpers as il
from il_helpers.plots import animate_policy, animation_html


def test_animation_has_one_frame_every_k_steps():
    anim = animate_policy(il.LANE_KEEPING, il.get_expert(il.LANE_KEEPING), seed=0, steps=12, every=4)
    assert len(list(anim.new_frame_seq())) == 4  # the reset frame + one every 4 of 12 steps
    assert anim.total_reward == 12.0
    html = animation_html(anim)
    assert html.count("data:image/png;base64") == 4
    assert "http" not in html and "font-awesome" not in html  # works offline: no stylesheet from a CDN
    assert html.count("<button") == 9 and "▶" in html
