"""GAIL: generative adversarial imitation learning (Ho & Ermon 2016), notebook 05.

A discriminator ``l(s, a)`` (an MLP on ``[s, a, absorbing]``, ``D = sigmoid(l)`` the probability
that a pair is the expert's) is trained to tell the expert's pairs from the policy's, and the
policy is trained by PPO on a reward that is a function of the logit (``reward=``, see
:data:`~il_helpers.algorithms.adversarial.REWARD_FORMS`). The label convention, the termination
bias and the absorbing state are explained in :mod:`il_helpers.algorithms.adversarial`, which runs
the loop.

GAIL's own stabilizer: a zero-centred gradient penalty on interpolates of expert and policy
inputs (``grad_penalty``, Mescheder et al. 2018). ``train_gail(None, env_id=...)`` trains with no
demonstrations at all (``D = 1/2`` everywhere): the control of the termination-bias experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ..core.checks import check, check_number, make_config
from ..core.demonstrations import Demonstrations
from .adversarial import (
    REWARD_FORMS,
    AdversarialConfig,
    AdversarialHistory,
    Discriminator,
    Inputs,
    adversarial_loop,
    discriminator_net,
)
from .ppo import ActorCritic


@dataclass
class GAILConfig(AdversarialConfig):
    """GAIL's configuration: the shared knobs (:class:`~il_helpers.algorithms.adversarial.AdversarialConfig`),
    the generator's reward form and the gradient penalty's weight (0 = off)."""

    reward: str = "logit"
    grad_penalty: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        check(self.reward in REWARD_FORMS, "reward", f"one of {list(REWARD_FORMS)}", self.reward, where="GAILConfig")
        check_number("grad_penalty", self.grad_penalty, 0.0, where="GAILConfig")


def gradient_penalty(disc: "GAILDiscriminator", x_expert: torch.Tensor, x_policy: torch.Tensor,
                     gen: torch.Generator) -> torch.Tensor:
    """Zero-centred penalty ``E ||grad_x l(x)||^2`` on random interpolates of expert and policy inputs
    (Mescheder et al. 2018)."""
    n = min(len(x_expert), len(x_policy))
    eps = torch.rand(n, 1, generator=gen)
    x = (eps * x_expert[:n] + (1 - eps) * x_policy[:n]).requires_grad_(True)
    grad, = torch.autograd.grad(disc.logit_features(x).sum(), x, create_graph=True)
    return grad.pow(2).sum(1).mean()


class GAILDiscriminator(Discriminator):
    """``l(s, a)``: an MLP on ``[s, a, absorbing]``; ``grad_penalty`` weighs :func:`gradient_penalty`."""

    def __init__(self, inputs: Inputs, hidden=(64, 64), spectral: bool = False, grad_penalty: float = 0.0):
        super().__init__(inputs)
        self.net = discriminator_net([inputs.dim, *hidden, 1], spectral)
        self.grad_penalty = float(grad_penalty)

    def logit(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        return self.net(self.inputs(obs, actions)).squeeze(-1)

    def logits(self, obs, actions, next_obs=None, terminated=None, absorbing: bool = True) -> torch.Tensor:
        return self.logit(obs, actions)

    def logit_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)

    def absorbing_logit(self) -> torch.Tensor:
        return self.logit_features(self.inputs.absorbing())[0]

    def penalty(self, expert: tuple, policy: tuple, gen: torch.Generator) -> torch.Tensor | None:
        if self.grad_penalty <= 0:
            return None
        return self.grad_penalty * gradient_penalty(self, self.inputs(*expert), self.inputs(*policy), gen)


def train_gail(demos: Demonstrations | None, *, env_id: str | None = None, seed: int = 0,
               progress: Callable[[int, int, dict], None] | None = None,
               checkpoint: Callable[[ActorCritic, dict], None] | None = None, config: GAILConfig | None = None,
               d_loss: Callable | None = None, reward_fn: Callable | None = None,
               **settings) -> tuple[ActorCritic, AdversarialHistory]:
    """GAIL from demonstrations, with PPO as the generator: ``(policy, history)``.

    ``settings`` override the fields of ``config`` (:class:`GAILConfig`); ``history.discriminator``
    is the trained discriminator, ``history.config`` the configuration. ``demos=None`` (with
    ``env_id``) is the no-demonstration control of the termination-bias experiment.
    ``progress(done, total, info)`` is called after every iteration with its figures, then
    ``checkpoint(policy, info)`` (its time is not counted in ``history.wall_s``).
    ``d_loss(l_e, l_p, w_e, w_p) -> scalar`` replaces the discriminator's loss (logits of expert and policy pairs,
    each side's weights: the absorbing state is the last entry of each when it has weight), ``reward_fn(logits,
    l_abs) -> rewards`` the generator's reward form and its absorbing-state shift (``l_abs`` the absorbing state's
    logit, None with ``absorbing=False``): notebook 05's graded assignment. None (the default): the library's.
    """
    cfg = make_config(GAILConfig, config, where="train_gail", **settings)
    return adversarial_loop(
        demos, cfg, lambda inputs: GAILDiscriminator(inputs, cfg.d_hidden, cfg.spectral_norm, cfg.grad_penalty),
        env_id=env_id, seed=seed, progress=progress, reward=cfg.reward, name="GAIL", checkpoint=checkpoint,
        d_loss=d_loss, reward_fn=reward_fn)


__all__ = ["GAILConfig", "GAILDiscriminator", "gradient_penalty", "train_gail"]
