"""il_helpers: the code behind the imitation-learning course.

The names below are the course's table of contents; each notebook imports what it needs.
"""

import warnings

from .core.config import FAST, budget
from .core.seeding import seed_everything
from .envs.base import BatchedEnv
from .envs.registry import ENV_IDS, LANE_KEEPING, LANE_KEEPING_DISCRETE, check_env_id, env_spaces, make_batched, make_env
from .core.policies import FunctionPolicy, ModulePolicy, Policy, RandomPolicy, as_policy
from .envs.experts import EXPERTS, Expert, get_expert
from .envs import lane_keeping  # registers the LaneKeeping experts
from .core.evaluation import (EvalResult, Rollout, evaluate, normalized_score, perturb, reference_returns, rollout,
                         summarize)
from .core.demonstrations import DemonstrationError, Demonstrations, collect_demonstrations, load_demonstrations
from .algorithms.bc import BCHistory, MLPPolicy, bc_loss, train_bc

# notebook 04: gridworld envs and experts; MaxEnt IRL, bench method maxent_irl
from .envs import gridworlds
from .algorithms import maxent_irl
# notebook 01
from .lessons.distribution_shift import (CostCurve, SlopeFit, action_error_rate, compounding_experiment, cost_curve,
                          expected_cost_bound, fit_loglog_slope, measure_cost_curve, mistake_rate, plot_compounding)
# notebook 02
from .algorithms.ensemble import EnsembleHistory, EnsemblePolicy, train_bc_ensemble
from .lessons.behavioral_cloning import (Demonstrator, LaneKeepingDriver, MixedQuality, degraded_demonstrators, mixed_quality_demos,
                            return_weights, top_k, top_k_episodes)
# notebook 03 (registers the bench method dagger)
from .algorithms.dagger import (BandGate, BetaSchedule, DAggerHistory, DAggerResult, GatedPolicy, MixturePolicy, SafeDAggerPolicy,
                     make_schedule, train_dagger, train_hg_dagger, train_safe_dagger, train_selective_dagger)
# notebook 06 (registers the ObstacleFork expert and the bench methods mdn, discretized, cvae)
from .algorithms.multimodal import OBSTACLE_FORK, CVAEPolicy, DiscretizedPolicy, MDNPolicy, evaluate_fork, fork_stats
# notebook 05: PPO, the RL engine; GAIL and AIRL (registers the bench methods gail, airl)
from .algorithms.ppo import ActorCritic, PPOConfig, PPOHistory, train_ppo
from .algorithms.gail import (REWARD_FORMS, AdversarialHistory, AdversarialResult, discriminator_loss, gail_reward, train_airl,
                   train_gail)
from .algorithms import airl_tabular

__version__ = "0.1.0"

# notebook 07: every method on shared tasks and budgets; imitation then improvement
from .lessons import choosing_a_method  # noqa: E402
