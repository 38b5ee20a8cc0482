"""il_helpers: the code behind the imitation-learning course.

The names below are the course's table of contents; each notebook imports what it needs.
"""

import warnings

from .config import FAST, budget
from .seeding import seed_everything
from .batched import BatchedEnv
from .envs import ENV_IDS, LANE_KEEPING, LANE_KEEPING_DISCRETE, check_env_id, env_spaces, make_batched, make_env
from .policies import FunctionPolicy, ModulePolicy, Policy, RandomPolicy, as_policy
from .experts import EXPERTS, Expert, get_expert
from . import lane_keeping  # registers the LaneKeeping experts
from .evaluation import (EvalResult, Rollout, evaluate, normalized_score, perturb, reference_returns, rollout,
                         summarize)
from .demonstrations import DemonstrationError, Demonstrations, collect_demonstrations, load_demonstrations
from .bc import BCHistory, MLPPolicy, bc_loss, train_bc

# notebook 04: gridworld envs and experts; MaxEnt IRL, bench method maxent_irl
from . import gridworlds, maxent_irl
# notebook 01
from .compounding import (CostCurve, SlopeFit, action_error_rate, compounding_experiment, cost_curve,
                          expected_cost_bound, fit_loglog_slope, measure_cost_curve, mistake_rate, plot_compounding)
# notebook 02
from .ensemble import EnsembleHistory, EnsemblePolicy, train_bc_ensemble
from .mixed_quality import (Demonstrator, LaneKeepingDriver, MixedQuality, degraded_demonstrators, mixed_quality_demos,
                            return_weights, top_k, top_k_episodes)
# notebook 03 (registers the bench method dagger)
from .dagger import (BandGate, BetaSchedule, DAggerHistory, DAggerResult, GatedPolicy, MixturePolicy, SafeDAggerPolicy,
                     make_schedule, train_dagger, train_hg_dagger, train_safe_dagger, train_selective_dagger)
# notebook 06 (registers the ObstacleFork expert and the bench methods mdn, discretized, cvae)
from .multimodal import OBSTACLE_FORK, CVAEPolicy, DiscretizedPolicy, MDNPolicy, evaluate_fork, fork_stats
# notebook 05: PPO, the RL engine; GAIL and AIRL (registers the bench methods gail, airl)
from .ppo import ActorCritic, PPOConfig, PPOHistory, train_ppo
from .gail import (REWARD_FORMS, AdversarialHistory, AdversarialResult, discriminator_loss, gail_reward, train_airl,
                   train_gail)
from . import airl_tabular

__version__ = "0.1.0"

# The algorithm modules register their bench methods, so importing the package imports
# il_helpers.bench; `python -m il_helpers.bench` then makes runpy warn that the module it runs was
# imported already. bench's __main__ block runs the package's copy on purpose (it holds the
# registered methods), so that one message is noise.
warnings.filterwarnings("ignore", message=r"'il_helpers\.bench' found in sys\.modules", category=RuntimeWarning)
# notebook 07: every method on shared tasks and budgets; imitation then improvement
from . import comparison  # noqa: E402
