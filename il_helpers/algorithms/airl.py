"""Deep AIRL: adversarial inverse reinforcement learning (Fu, Luo & Levine 2018), notebook 05.

The discriminator has the structure ::

    D(s, a, s') = exp f(s, a, s') / (exp f(s, a, s') + pi(a|s)),  f = g(s) + gamma h(s') - h(s)

so its logit is ``f(s, a, s') - log pi(a|s)``, the generator's reward is that logit, and the
learned ``g`` (state-only, or ``g(s, a)`` with ``state_only=False``) is the recovered reward,
``h`` a shaping potential. The loop, the absorbing state and the other options are those of
:mod:`il_helpers.algorithms.adversarial`; the tabular version, solved exactly, is
:mod:`il_helpers.algorithms.airl_tabular`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ..core.checks import check, make_config
from ..core.demonstrations import Demonstrations
from . import adversarial
from .ppo import ActorCritic


@dataclass
class AIRLConfig(adversarial.AdversarialConfig):
    """AIRL's configuration: the shared knobs (:class:`~il_helpers.algorithms.adversarial.AdversarialConfig`)
    and whether the recovered reward is state-only, ``g(s)`` (the default), or ``g(s, a)``. The
    generator's reward is always the logit ``f - log pi``."""

    state_only: bool = True


class AIRLDiscriminator(adversarial.Discriminator):
    """``l(s, a, s') = f(s, a, s') - log pi(a|s)`` with ``f = g(s) + gamma h(s') - h(s)``
    (``g(s, a)`` when ``state_only=False``)."""

    def __init__(self, inputs: adversarial.Inputs, gamma: float, hidden=(64, 64), state_only: bool = True,
                 spectral: bool = False):
        super().__init__(inputs)
        self.gamma, self.state_only = gamma, state_only
        s_dim = inputs.obs_dim + 1
        self.g = adversarial.discriminator_net([s_dim if state_only else inputs.dim, *hidden, 1], spectral)
        self.h = adversarial.discriminator_net([s_dim, *hidden, 1], spectral)

    def reward(self, obs: torch.Tensor, actions: torch.Tensor | None = None) -> torch.Tensor:
        """The recovered reward ``g(s)`` (or ``g(s, a)``)."""
        x = self.inputs.state(obs) if self.state_only else self.inputs(obs, actions)
        return self.g(x).squeeze(-1)

    def f(self, obs, actions, next_obs, next_absorbing: torch.Tensor | None = None) -> torch.Tensor:
        s, s2 = self.inputs.state(obs), self.inputs.state(next_obs)
        if next_absorbing is not None:   # s' is the absorbing state after a termination
            s2 = torch.where(next_absorbing[:, None], self.inputs.absorbing_state(), s2)
        g = self.g(s if self.state_only else self.inputs(obs, actions)).squeeze(-1)
        return g + self.gamma * self.h(s2).squeeze(-1) - self.h(s).squeeze(-1)

    def logit(self, obs, actions, next_obs, log_pi, next_absorbing=None) -> torch.Tensor:
        return self.f(obs, actions, next_obs, next_absorbing) - log_pi

    def logits(self, obs, actions, next_obs, terminated, absorbing: bool) -> torch.Tensor:
        """The logit with the generator's current ``log pi(a|s)`` (held constant)."""
        ac = self.inputs.ac
        log_pi = ac.log_prob(obs, actions if ac.discrete else actions.float()).detach()
        return self.logit(obs, actions, next_obs, log_pi, terminated if absorbing else None)

    def absorbing_logit(self) -> torch.Tensor:
        """The absorbing state loops on itself whatever the action: ``f = g(abs) + (gamma - 1) h(abs)``
        (no action, so no ``log pi`` term)."""
        x = self.inputs.absorbing_state()
        g = self.g(x if self.state_only else self.inputs.absorbing())
        return (g + (self.gamma - 1.0) * self.h(x)).squeeze()


def train_airl(demos: Demonstrations, *, env_id: str | None = None, seed: int = 0,
               progress: Callable[[int, int, dict], None] | None = None,
               checkpoint: Callable[[ActorCritic, dict], None] | None = None, config: AIRLConfig | None = None,
               **settings) -> tuple[ActorCritic, adversarial.AdversarialHistory]:
    """AIRL from demonstrations, with PPO as the generator: ``(policy, history)``.

    ``settings`` override the fields of ``config`` (:class:`AIRLConfig`); ``history.reward`` is
    the recovered reward ``g`` (:meth:`AIRLDiscriminator.reward`), ``history.discriminator`` the
    discriminator. ``progress(done, total, info)`` is called after every iteration, then
    ``checkpoint(policy, info)`` (its time is not counted in ``history.wall_s``).
    """
    cfg = make_config(AIRLConfig, config, where="train_airl", **settings)
    check(demos is not None, "demos", "given for AIRL (demos=None is GAIL's no-demonstration control)", demos,
          where="train_airl")
    policy, hist = adversarial.adversarial_loop(
        demos, cfg, lambda inputs: AIRLDiscriminator(inputs, cfg.ppo.gamma, cfg.d_hidden, cfg.state_only,
                                                     cfg.spectral_norm),
        env_id=env_id, seed=seed, progress=progress, reward="logit", name="AIRL", checkpoint=checkpoint)
    hist.reward = hist.discriminator.reward
    return policy, hist


__all__ = ["AIRLConfig", "AIRLDiscriminator", "train_airl"]
