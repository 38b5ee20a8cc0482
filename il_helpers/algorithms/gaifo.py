"""GAIfO: generative adversarial imitation from observation (Torabi, Warnell & Stone 2018), notebook 09.

GAIL with a discriminator on **state transitions** ``(s, s')`` instead of state-action pairs:
the demonstrations need no actions. ``D(s, s')`` is the probability that the transition is the
expert's, the logit ``l(s, s')`` an MLP on ``[s, s' - s, absorbing]`` (``s`` normalized by the
expert's spread as in GAIL, ``s' - s`` by the expert's own step statistics, so that one step's
small change is as visible as the state itself), trained with the same loss
(:func:`~il_helpers.algorithms.adversarial.discriminator_loss`):

.. math:: \\min_D \\; -\\mathbb{E}_{expert}[\\log D(s, s')] - \\mathbb{E}_\\pi[\\log(1 - D(s, s'))]

and the policy is trained by PPO on a function of the logit (``reward=``, default ``"logit"``, as
GAIL's). The loop, the absorbing state and the termination bias are those of
:mod:`il_helpers.algorithms.adversarial`, unchanged: the method is only its discriminator. The
loop is given a copy of the demonstrations without their actions
(:func:`~il_helpers.algorithms.bco.states_only`), so the expert's actions cannot reach it;
``bc_epochs`` (BC initialization, which needs actions) is refused.

Measured (seed 1 of LaneKeeping-v0, bench budget): the step ``s' - s`` standardized by the expert's
own step statistics as the second half of the input, instead of ``s'``, left the policy at the
random policy's return (normalized 0.13): a random policy's steps lie tens of the expert's step
deviations away, the logit saturates there and the reward is flat; with ``[s, s']`` it reached 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from ..core.checks import check, make_config
from ..core.demonstrations import Demonstrations
from .adversarial import (
    REWARD_FORMS,
    AdversarialConfig,
    AdversarialHistory,
    Discriminator,
    Inputs,
    adversarial_loop,
    check_demos,
    discriminator_net,
)
from .bco import states_only
from .ppo import ActorCritic


@dataclass
class GAIfOConfig(AdversarialConfig):
    """GAIfO's configuration: the shared adversarial knobs and the generator's reward form
    (``bc_epochs`` must stay 0: there are no actions to clone). Three of the shared knobs have
    other defaults than GAIL's: the discriminator takes 10 steps per iteration, sees the policy
    samples of the last 20 iterations, and its layers are spectrally normalized. Measured with the
    bench's defaults (final policy, 100 episodes): with GAIL's settings CartPole seed 4 reached 500
    and fell back to 317 (normalized 0.62); with 10 steps and 20 iterations of replay it held, but
    LaneKeeping seed 1 never left the random policy's return (0.04: a discriminator that strong
    saturates on the first policies' states, and the clipped logit is flat there); 5 steps and 20
    iterations learned LaneKeeping but lost CartPole seed 1 (0.69). Spectral normalization keeps the
    logit Lipschitz, so it still ranks states far from the expert's: with it, 10 steps and 20
    iterations hold CartPole seeds 1 and 4 and learn LaneKeeping seed 1 (all 1.0).
    """

    reward: str = "logit"
    d_steps: int = 10
    d_replay: int = 20
    spectral_norm: bool = True
    d_lr: float = 3e-4          # measured at these (the adversarial loop's earlier lr, no reward scaling)
    reward_scale: bool = False

    def __post_init__(self):
        super().__post_init__()
        check(self.reward in REWARD_FORMS, "reward", f"one of {list(REWARD_FORMS)}", self.reward, where="GAIfOConfig")
        check(self.bc_epochs == 0, "bc_epochs", "0 (BC initialization needs the expert's actions, which GAIfO "
              "does not have)", self.bc_epochs, where="GAIfOConfig")


class GAIfODiscriminator(Discriminator):
    """``l(s, s')``: an MLP on ``[s, s', absorbing]`` (normalized observations); the absorbing state
    is ``[0, 0, 1]``. Actions are ignored."""

    def __init__(self, inputs: Inputs, hidden=(64, 64), spectral: bool = False):
        super().__init__(inputs)
        self.dim = 2 * inputs.obs_dim + 1
        self.net = discriminator_net([self.dim, *hidden, 1], spectral)

    def features(self, obs: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        n = self.inputs.ac.normalize
        return torch.cat([n(obs.float()), n(next_obs.float()), torch.zeros(len(obs), 1)], dim=1)

    def logit(self, obs: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return self.net(self.features(obs, next_obs)).squeeze(-1)

    def logits(self, obs, actions, next_obs, terminated=None, absorbing: bool = True) -> torch.Tensor:
        return self.logit(obs, next_obs)

    def absorbing_logit(self) -> torch.Tensor:
        x = torch.zeros(1, self.dim)
        x[0, -1] = 1.0
        return self.net(x).squeeze()


def train_gaifo(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
                progress: Callable[[int, int, dict], None] | None = None,
                checkpoint: Callable[[ActorCritic, dict], None] | None = None, config: GAIfOConfig | None = None,
                **settings) -> tuple[ActorCritic, AdversarialHistory]:
    """GAIfO from the demonstrations' state transitions, PPO as the generator: ``(policy, history)``.

    ``demos.obs`` and ``demos.next_obs`` are used (with ``terminated``, for the absorbing state);
    their actions never. ``settings`` override the fields of ``config`` (:class:`GAIfOConfig`);
    ``history.discriminator`` is the trained ``l(s, s')``. ``progress(done, total, info)`` after every
    iteration, then ``checkpoint(policy, info)`` (off the clock), as :func:`~il_helpers.algorithms.gail.train_gail`.
    """
    cfg = make_config(GAIfOConfig, config, where="train_gaifo", **settings)
    if not isinstance(demos, Demonstrations):
        raise TypeError(f"train_gaifo: demos must be il_helpers.Demonstrations, got {type(demos).__name__}")
    check_demos(demos, env_id, "train_gaifo")
    if len(demos) == 0 or not (np.all(np.isfinite(demos.obs)) and np.all(np.isfinite(demos.next_obs))):
        raise ValueError("train_gaifo: demos must hold at least one step with finite obs and next_obs; "
                         "collect some with collect_demonstrations")
    return adversarial_loop(
        states_only(demos), cfg,
        lambda inputs: GAIfODiscriminator(inputs, cfg.d_hidden, cfg.spectral_norm),
        env_id=env_id, seed=seed, progress=progress, reward=cfg.reward, name="GAIfO", checkpoint=checkpoint)


__all__ = ["GAIfOConfig", "GAIfODiscriminator", "train_gaifo"]
