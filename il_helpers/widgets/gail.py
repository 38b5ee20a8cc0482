"""Notebook 05's widget: GAIL on CartPole with the knobs that decide whether it works. Choose the
generator's reward form, the absorbing state, the entropy bonus, the discriminator's steps per
round and its gradient penalty, press Train, and watch the true return, the discriminator's D on
expert and policy pairs and the policy's entropy being drawn live; the summary then reports the
deterministic policy's evaluated return and how often it falls.

Try ``log D`` with the absorbing state off: the reward is always negative, so the policy learns to
end the episode (the termination bias); the absorbing state removes it.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
from tqdm.auto import tqdm

from ..algorithms.adversarial import REWARD_FORMS, AdversarialHistory
from ..algorithms.gail import train_gail
from ..algorithms.ppo import PPOConfig
from ..core.checks import check_int, check_number
from ..core.config import budget
from ..core.demonstrations import Demonstrations, collect_demonstrations
from ..core.evaluation import evaluate
from ..core.seeding import DEMO_SEED_OFFSET, EVAL_SEED_OFFSET
from ..envs.registry import make_batched
from ..plots.gail_airl import plot_adversarial
from .common import CourseBox, pressed, seed_box, show_figure, train_button

ENV_ID = "CartPole-v1"
#: what each reward form does to an agent whose episodes can end early
REWARD_NOTES = {
    "-log(1-D)": "always > 0: a survival bonus",
    "log D": "always < 0: a living cost",
    "logit": "both signs: log D - log(1 - D)",
}


def settings_text(s) -> str:
    """One line naming a run's settings: the widget's controls (a dict), or a run's
    :class:`~il_helpers.algorithms.adversarial.AdversarialHistory` (its ``config`` and ``seed``; the
    entropy coefficient is the generator's, ``config.ppo.ent_coef``)."""
    if isinstance(s, AdversarialHistory):
        c = s.config
        s = dict(reward=c.reward, absorbing=c.absorbing, ent_coef=c.ppo.ent_coef, d_steps=c.d_steps,
                 grad_penalty=c.grad_penalty, iterations=c.iterations, seed=s.seed)
    ent_coef = s["ent_coef"]
    return (f"reward {s['reward']}, absorbing state {'on' if s['absorbing'] else 'off'}, entropy coefficient "
            f"{ent_coef:g}, {s['d_steps']} discriminator steps per iteration, gradient penalty "
            f"{s['grad_penalty']:g}, {s['iterations']} iterations, seed {s['seed']}")


def describe(history: AdversarialHistory, evaluation, wall_s: float, horizon: int, expert_return: float) -> str:
    """The widget's text summary of a run (its ``history``): the deterministic policy's evaluated
    return (next to the demonstrations' mean return), its falls (episodes that ended before
    ``horizon`` steps), the training cost and the settings."""
    h = history
    falls = int((evaluation.lengths < horizon).sum())
    n = len(evaluation.lengths)
    return (f"GAIL from {h.demo_episodes} expert episodes: the deterministic policy (the most likely action "
            f"in every state) returns {evaluation.return_mean:.1f} ± {evaluation.return_std:.1f} over {n} test "
            f"episodes (demonstrations: {expert_return:.1f}); falls: {falls} of {n} episodes ended before {horizon} "
            f"steps. The plotted return is another measurement: the sampled (stochastic) policy's training "
            f"episodes, {h.episode_return[-1]:.1f} in the last iteration. "
            f"Training: {h.env_steps[-1]:,} environment steps, {wall_s:.1f} s wall time (live plots included); "
            f"final mean D: {h.d_expert[-1]:.2f} on expert pairs, {h.d_policy[-1]:.2f} on policy pairs. "
            f"Settings: {settings_text(h)}.")


#: a run expected to take longer than this (seconds) gets a warning before the click
SLOW_WORK = 20.0
#: seconds per GAIL iteration at the widget's defaults (5 discriminator steps), live plots included,
#: measured on a 2-core CPU (3.3 s for 15 iterations; 60 iterations with 20 discriminator steps and
#: the gradient penalty took 27 s, 0.45 s each, at a load average of 1.7)
SECONDS_PER_ITERATION = 0.2
#: the extra cost of one more discriminator step, as a share of an iteration at 5 steps
PER_D_STEP = 0.08


def seconds_per_iteration(d_steps: int, measured: float | None = None, measured_d_steps: int | None = None) -> float:
    """The expected wall time of one iteration with ``d_steps`` discriminator steps: the last run's
    figure (``measured`` seconds per iteration with ``measured_d_steps``) when there is one, else
    :data:`SECONDS_PER_ITERATION` (at 5 steps), scaled by :data:`PER_D_STEP` per step."""
    base, ref = (measured, measured_d_steps) if measured is not None else (SECONDS_PER_ITERATION, 5)
    return base * (1 + PER_D_STEP * d_steps) / (1 + PER_D_STEP * ref)


def gail_widget(demos=None, reward: str = "logit", absorbing: bool = True, ent_coef: float = 0.0, d_steps: int = 5,
                grad_penalty: float = 0.0, iterations: int | None = None, seed: int = 0,
                ppo: PPOConfig | None = None, eval_episodes: int = 50, redraw_every: int = 2) -> widgets.VBox:
    """GAIL (:func:`il_helpers.algorithms.gail.train_gail`, PPO generator) on CartPole from ``demos`` (by
    default 10 expert episodes, ``collect_demonstrations("CartPole-v1", 10, seed=DEMO_SEED_OFFSET)``,
    about 0.1 s).

    The box has attributes ``reward`` (Dropdown over :data:`~il_helpers.algorithms.adversarial.REWARD_FORMS`),
    ``absorbing`` (Checkbox), ``ent_coef`` (FloatSlider), ``d_steps`` (IntSlider), ``grad_penalty``
    (FloatSlider, 0 = off), ``iterations`` (IntSlider; 15 by default, 4 in fast mode), ``seed``
    (BoundedIntText), ``train`` (Button), ``progress`` (Output holding a tqdm bar while training),
    ``summary`` (HTML), ``plot`` (Output, redrawn every ``redraw_every`` iterations during
    training), ``figure`` (the figure last drawn), ``redraws`` (how many times training redrew it before
    the final drawing),
    ``policy`` and ``history`` (the last run's, from :func:`~il_helpers.algorithms.gail.train_gail`; None
    before the first Train), ``evaluation`` (the policy's :class:`~il_helpers.core.evaluation.EvalResult`
    on ``eval_episodes`` test episodes), ``wall_s`` and ``run()`` (what the button does). ``ppo`` is the generator's
    :class:`~il_helpers.algorithms.ppo.PPOConfig` (the default one if None; the entropy slider overrides its
    ``ent_coef``). On creation it draws empty axes (cheap); training happens only when Train is
    pressed.
    """
    if reward not in REWARD_FORMS:
        raise ValueError(f"reward must be one of {list(REWARD_FORMS)}, got {reward!r}")
    iterations = budget(15, 4) if iterations is None else iterations
    for name, value, low, high in (("iterations", iterations, 1, None), ("d_steps", d_steps, 1, 20),
                                   ("eval_episodes", eval_episodes, 1, None), ("redraw_every", redraw_every, 1, None)):
        check_int(name, value, low, high, where="gail_widget")
    for name, value, high in (("ent_coef", ent_coef, 0.05), ("grad_penalty", grad_penalty, 10.0)):
        check_number(name, value, 0.0, high, where="gail_widget (the slider's range)")
    if ppo is not None and not isinstance(ppo, PPOConfig):
        raise TypeError(f"gail_widget: ppo must be a PPOConfig (or None for the default one), got {type(ppo).__name__}")
    if demos is None:
        demos = collect_demonstrations(ENV_ID, 10, seed=DEMO_SEED_OFFSET)
    elif not isinstance(demos, Demonstrations):
        raise TypeError(f"demos must be il_helpers.Demonstrations (or None for 10 CartPole expert episodes), "
                        f"got {type(demos).__name__}")
    env_id = demos.env_id
    expert_return = float(demos.episode_returns.mean())
    horizon = make_batched(env_id, 1).horizon
    style = {"description_width": "initial"}
    labels = [(f"{k}  ({REWARD_NOTES[k]})" if k in REWARD_NOTES else k, k) for k in REWARD_FORMS]
    rew = widgets.Dropdown(options=labels, value=reward, description="Generator reward", style=style,
                           layout=widgets.Layout(width="380px"))
    absb = widgets.Checkbox(value=bool(absorbing), description="absorbing state after a termination", style=style,
                            layout=widgets.Layout(width="300px"))
    ent = widgets.FloatSlider(value=ent_coef, min=0.0, max=0.05, step=0.005, description="Entropy coefficient",
                              readout_format=".3f", continuous_update=False, style=style)
    dst = widgets.IntSlider(value=d_steps, min=1, max=20, description="D steps / iteration", continuous_update=False,
                            style=style)
    gp = widgets.FloatSlider(value=grad_penalty, min=0.0, max=10.0, step=0.5, description="Gradient penalty (0 = off)",
                             readout_format=".1f", continuous_update=False, style=style)
    its = widgets.IntSlider(value=iterations, min=1, max=max(60, iterations), description="Iterations",
                            continuous_update=False, style=style)
    sd, train = seed_box(seed, style, "gail_widget"), train_button()
    progress = widgets.Output()
    summary = widgets.HTML()
    plot = widgets.Output()
    box = CourseBox([widgets.HBox([rew, absb]), widgets.HBox([ent, dst, gp]), widgets.HBox([its, sd, train]),
                        progress, summary, plot], "gail_widget")
    box.policy, box.history, box.evaluation, box.wall_s, box.figure, box.redraws = None, None, None, None, None, 0

    def settings() -> dict:
        return dict(reward=rew.value, absorbing=bool(absb.value), ent_coef=round(float(ent.value), 6),
                    d_steps=int(dst.value), grad_penalty=round(float(gp.value), 6), iterations=int(its.value),
                    seed=int(sd.value))

    def draw(history: AdversarialHistory, title: str) -> None:
        # a fixed layout and a modest dpi: the figure is rendered up to 8 times per press (constrained
        # layout and dpi 100 cost about 3 times as much per frame)
        fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.0), dpi=80)
        plot_adversarial(history, axes=axes, expert_return=expert_return)
        for ax in axes:                   # a curve of one point is a line of length 0: show it as a dot
            for line in ax.get_lines():
                if len(line.get_xdata()) == 1:
                    line.set_marker("o")
        returns = [*history.episode_return, expert_return, 0.0]
        span = max(returns) - min(returns) or 1.0
        axes[0].set_ylim(min(returns) - 0.05 * span, max(returns) + 0.08 * span)  # 0 and the expert in view
        if not history.env_steps:                                                  # the placeholder
            for ax in axes:
                ax.set_xlim(0, 1)
            axes[2].set_ylim(0, 1)
        else:
            axes[0].set_xlim(left=0)
        fig.suptitle(title, fontsize=9)
        fig.subplots_adjust(left=0.06, right=0.99, bottom=0.16, top=0.82, wspace=0.28)
        box.figure = fig
        show_figure(plot, fig)

    def cost(s) -> str:
        last = box.history
        per = seconds_per_iteration(s["d_steps"], None if last is None else box.wall_s / len(last.env_steps),
                                    None if last is None else last.config.d_steps)
        seconds = per * s["iterations"]
        note = f" Expect about {seconds:.0f} s of training ({per:.2f} s per iteration"
        note += ", measured on the last run)." if last is not None else " on a 2-core CPU)."
        return note + (" That is long: fewer iterations give a first look sooner." if seconds > SLOW_WORK else "")

    def preview(*_):
        s = settings()
        if box.history is None:
            summary.value = html.escape(f"Press Train to run GAIL on {env_id} from {demos.num_episodes} expert "
                                        f"episodes (mean return {expert_return:.1f}) with "
                                        f"{settings_text(s)}." + cost(s))
        elif not train.disabled:
            summary.value = html.escape(describe(box.history, box.evaluation, box.wall_s, horizon, expert_return)
                                        + " Next press:" + cost(s))

    def run(*_):
        with pressed(train, summary):
            s = settings()
            n = s["iterations"]
            box.redraws = 0
            with progress:
                progress.clear_output(wait=True)
                bar = tqdm(total=n, desc="GAIL iterations", leave=False)

                live = AdversarialHistory()   # the curves so far, from what the trainer reports

                def step(done, total, info):
                    for key in AdversarialHistory.CURVES:
                        getattr(live, key).append(info[key])
                    bar.set_postfix_str(f"return {info['episode_return']:.0f}, D(expert) "
                                        f"{info['d_expert']:.2f}, D(policy) {info['d_policy']:.2f}")
                    bar.update(1)
                    if done % redraw_every == 0 and done < total:   # the last one is drawn after evaluation
                        draw(live, f"training: iteration {done} of {total}")
                        box.redraws += 1

                t0 = time.perf_counter()
                policy, history = train_gail(demos, seed=s["seed"], progress=step, reward=s["reward"],
                                             absorbing=s["absorbing"], ent_coef=s["ent_coef"], d_steps=s["d_steps"],
                                             grad_penalty=s["grad_penalty"], iterations=n,
                                             ppo=PPOConfig() if ppo is None else ppo)
                wall = time.perf_counter() - t0
                bar.set_postfix_str(f"evaluating the deterministic policy on {eval_episodes} episodes")
                ev = evaluate(policy, env_id, eval_episodes, seed=EVAL_SEED_OFFSET + s["seed"])
                bar.close()
            box.policy, box.history, box.evaluation, box.wall_s = policy, history, ev, wall
            draw(history, f"GAIL, {settings_text(s)}")
            summary.value = html.escape(describe(history, ev, wall, horizon, expert_return))

    for w in (rew, absb, ent, dst, gp, its, sd):
        w.observe(preview, names="value")
    train.on_click(run)
    box.reward, box.absorbing, box.ent_coef, box.d_steps, box.grad_penalty = rew, absb, ent, dst, gp
    box.iterations, box.seed, box.train, box.progress, box.summary, box.plot = its, sd, train, progress, summary, plot
    box.run, box.demos, box.horizon = run, demos, horizon
    draw(AdversarialHistory(), "press Train: the curves are drawn live while GAIL trains")
    preview()
    return box


__all__ = ["gail_widget", "describe", "settings_text", "seconds_per_iteration", "REWARD_NOTES", "SLOW_WORK"]
