"""Notebook 06's widget, driven without a browser: renders with defaults, trains on the button,
re-evaluates the trained network when the mode choice changes, and trains a diffusion policy over
chunks when asked (saying before the click that it takes longer)."""

import numpy as np
import pytest

from il_helpers.widgets import multimodal_widget


@pytest.fixture(scope="module")
def trained():
    box = multimodal_widget(n_components=3, n_demos=60, episodes=40, fast=True)
    box.train.click()
    return box


def test_renders_with_defaults_without_training():
    box = multimodal_widget()
    assert box.policy is None and box.stats is None
    assert box.k.value == 5 and box.select.value == "sample" and box.hold.value is True
    assert box.k.continuous_update is False
    assert box.summary.value.startswith("Press Train to fit an MDN with K=5 components to 50 expert episodes "
                                        "(left: the expert")
    assert box.kind.value == "mdn" and box.chunk.value == 1 and not box.k.disabled
    assert box.figure.axes[0].get_title() == "expert demonstrations"
    box.k.value = 2
    assert "K=2" in box.summary.value and box.policy is None


def test_train_button_trains_and_reports(trained):
    box = trained
    assert box.policy is not None and box.policy.n_components == 3 and box.trained_k == 3
    s = box.stats
    assert box.summary.value.startswith("MDN (K=3), mode sampled once per episode: success ")
    assert f"success {100 * s['success_rate']:.0f}%" in box.summary.value
    assert f"collisions {100 * s['collision_rate']:.0f}%" in box.summary.value
    assert "of 40 episodes" in box.summary.value
    assert s["success_rate"] > 0.7  # a small, fast budget still learns to pass
    paths, mixture = box.figure.axes
    assert paths.get_title() == "MDN (K=3), mode sampled once per episode" and len(mixture.patches) == 3
    assert not box.train.disabled


def test_mode_choice_re_evaluates_the_same_network(trained):
    box = trained
    policy = box.policy
    box.select.value = "most_likely"
    assert box.policy is policy and box.policy.select == "most_likely"
    assert box.summary.value.startswith("MDN (K=3), most likely mode: ")
    # the most likely mode is deterministic: the component of largest weight in each state, so the
    # actions do not depend on the random numbers a sampled mode would draw (its side may still
    # depend on where an episode starts: 65 % left on this budget)
    obs = np.random.default_rng(0).normal(size=(16, policy.obs_dim)).astype(np.float32)
    policy.reset(16, seed=1)
    first = policy.act(obs)
    policy.reset(16, seed=2)
    assert np.array_equal(first, policy.act(obs))
    box.select.value = "sample"
    box.hold.value = False
    assert box.summary.value.startswith("MDN (K=3), mode sampled every step: ")
    box.hold.value = True
    assert box.summary.value.startswith("MDN (K=3), mode sampled once per episode: ")
    box.k.value = 4
    assert box.summary.value == ("The policy shown is an MDN with K=3 components; press Train to train an MDN with "
                                 "K=4 components.")
    assert np.isfinite(box.stats["success_rate"])


def test_diffusion_over_chunks_says_it_is_slower_then_trains():
    box = multimodal_widget(n_demos=30, episodes=20, fast=True)
    box.kind.value = "diffusion"
    assert box.k.disabled  # K belongs to the MDN
    box.chunk.value = 3
    assert box.summary.value.startswith("Press Train to fit a diffusion policy over chunks of 3 actions to 30 expert "
                                        "episodes (a longer Train: about 1.3x the time of the MDN; chunks of 3: "
                                        "about 1.2-1.5x")
    box.train.click()
    p = box.policy
    assert p.k == 3 and p.base == "diffusion" and box.trained == ("diffusion", None, 3) and box.trained_k is None
    assert box.summary.value.startswith("diffusion, chunks of 3 (open loop), mode sampled once per episode: success ")
    paths, draws = box.figure.axes
    assert draws.get_title() == "the policy's draws at the fork state" and len(draws.patches) == 20
    assert sum(bar.get_height() for bar in draws.patches) == pytest.approx(1.0)
    box.chunk.value = 1
    assert "press Train to train a diffusion policy (a longer Train" in box.summary.value


@pytest.mark.parametrize("kwargs, name", [({"chunk": 0}, "chunk"), ({"chunk": 9}, "chunk"),
                                          ({"policy": "gan"}, "policy")])
def test_a_setting_it_cannot_run_is_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        multimodal_widget(**kwargs)
