"""il_helpers: the code behind the imitation-learning course.

The names below are the course's table of contents; each notebook imports what it needs.

The package is a house with rooms named for what they hold; arrows point down:

* ``core/``: the policy interface, nets, argument checks, demonstrations, rollouts and
  evaluation, seeding, fast mode;
* ``envs/``: the registry and one module per environment with its dynamics and its expert;
* ``tabular/``: the exact MDP model and solvers of the gridworlds;
* ``algorithms/``: one module per method (uses core, envs, tabular);
* ``lessons/``: the experiments each notebook runs (uses algorithms);
* ``plots/``, ``widgets/``, ``exercises/``: what the notebooks draw, drive and ask;
* ``bench/``: the command line and its one table of method adapters.

**The trainer contract.** Every trainer reads

    policy, history = train_X(demos, *, env_id=None, seed=0, progress=None, config=None, **settings)

* ``demos``: the expert's :class:`Demonstrations` (``env_id`` defaults to ``demos.env_id``);
* ``config``: the method's configuration dataclass (``BCConfig``, ``DAggerConfig``, ...,
  at the top of its module); keyword ``settings`` replace its fields, so
  ``train_bc(demos, epochs=20)`` is ``train_bc(demos, config=BCConfig(epochs=20))``;
* ``seed``: every random number of the run comes from it; no trainer touches the global RNGs;
* ``progress(done, total, info)``: called after each unit of work with the units done (from 1),
  the units planned and a dict of the latest figures;
* it returns a :class:`Policy` that :func:`evaluate` accepts as it is, and a history (per-unit
  records; a recovered reward, a discriminator or the aggregated data live on it).

Units: ``epochs`` are passes over a fixed data set, ``steps`` are gradient steps on a fixed
objective, ``iterations`` are rounds that gather new data from the environment; a count of
episodes is ``n_episodes`` (or ``<what>_episodes``).
"""

from .core.config import FAST, budget
from .core.claims import ClaimFailed, claim, claims_table
from .core.tables import Table, table
from .core.seeding import seed_everything
from .core.policies import Expert, FunctionPolicy, ModulePolicy, Policy, RandomPolicy, TorchPolicy, as_policy
from .envs.base import BatchedEnv
from .envs import (ENV_IDS, EXPERTS, LANE_KEEPING, LANE_KEEPING_DISCRETE, OBSTACLE_FORK, check_env_id, env_spaces,
                   get_expert, make_batched, make_env)
from .envs import lane_keeping, obstacle_fork, gridworlds
from . import plots  # the figures; registers the environments' renderers
from .core.evaluation import EvalResult, evaluate, normalized_score, reference_returns, summarize
from .core.rollout import Rollout, perturb, rollout
from .core.demonstrations import (
    HO_ERMON_SUBSAMPLE,
    DemonstrationError,
    Demonstrations,
    collect_demonstrations,
    load_demonstrations,
)
from .core.data import load_expert_demos
from .core import data  # il.data.load_expert_demos, as the README writes it

# notebook 01: distribution shift
from .lessons.distribution_shift import (CostCurve, SlopeFit, action_error_rate, compounding_experiment, cost_curve,
                                         expected_cost_bound, fit_loglog_slope, measure_cost_curve, mistake_rate)
from .plots.distribution_shift import plot_compounding
# notebook 02: behavioral cloning
from .algorithms.bc import BCConfig, BCHistory, MLPPolicy, bc_loss, train_bc
from .algorithms.ensemble import EnsembleConfig, EnsembleHistory, EnsemblePolicy, train_bc_ensemble
from .lessons.behavioral_cloning import (Demonstrator, LaneKeepingDriver, MixedQuality, degraded_demonstrators,
                                         mixed_quality_demos, return_weights, top_k, top_k_episodes)
# notebook 03: DAgger
from .algorithms.dagger import DAggerConfig, DAggerHistory, InteractiveConfig, MixturePolicy, train_dagger
from .algorithms.schedules import BetaSchedule, make_schedule
from .algorithms.dagger_variants import (BandGate, GatedPolicy, HGDAggerConfig, SafeDAggerConfig, SafeDAggerPolicy,
                                         SelectiveDAggerConfig, train_hg_dagger, train_safe_dagger,
                                         train_selective_dagger)
# notebook 04: MaxEnt IRL (the exact tabular library; the gridworlds' pictures register their renderer)
from . import tabular
from .algorithms import maxent_irl
from .algorithms.maxent_irl import MaxEntConfig, MaxEntHistory, train_maxent_irl
# notebook 05: PPO, the RL engine; GAIL and AIRL
from .algorithms.ppo import ActorCritic, PPOConfig, PPOHistory, train_ppo
from .algorithms.adversarial import (REWARD_FORMS, AdversarialConfig, AdversarialHistory, discriminator_loss,
                                     gail_reward)
from .algorithms.gail import GAILConfig, train_gail
from .algorithms.airl import AIRLConfig, train_airl
from .algorithms import airl_tabular
from .lessons import gail_airl
# notebook 06: multimodal policies
from .algorithms.mode_holding import ModeHoldingConfig, ModeHoldingPolicy
from .algorithms.mdn import MDNConfig, MDNPolicy, mdn_nll, train_mdn
from .algorithms.discretized import DiscretizedConfig, DiscretizedPolicy, train_discretized
from .algorithms.cvae import CVAEConfig, CVAEPolicy, train_cvae
from .algorithms.diffusion import DiffusionConfig, DiffusionPolicy, train_diffusion
from .algorithms.chunking import ChunkConfig, ChunkPolicy, chunk_targets, train_chunked
from .lessons.multimodal import evaluate_fork, fork_stats, side_switches
from .plots.multimodal import draw_arena, plot_paths  # (and registers ObstacleFork's renderer)
# notebook 07: every method on shared tasks and budgets; imitation then improvement
from .lessons import choosing_a_method
# notebook 08: imperfect demonstrations (learning to rank, self-improvement, robust losses)
from .algorithms.trex import DREXConfig, RewardNet, TREXConfig, TREXHistory, return_correlation, train_drex, train_trex
from .algorithms.self_improve import SelfImproveConfig, SelfImproveHistory, train_self_improve
from .algorithms.preferences import PreferencesConfig, PreferencesHistory, oracle_labels, train_preferences
from .lessons import imperfect_demonstrations

__version__ = "0.1.0"
# notebook 09 (VAIL, the stabilizers measured): GAIL with a variational discriminator bottleneck
from .algorithms.vail import VAILConfig, train_vail
# notebook 09: InfoGAIL, a latent code that chooses the behaviour's mode
from .algorithms.infogail import InfoGAILConfig, InfoGAILPolicy, train_infogail
# notebook 09: learning from observation (BCO, GAIfO) and SQIL
from .algorithms.bco import BCOConfig, BCOHistory, train_bco
from .algorithms.gaifo import GAIfOConfig, train_gaifo
from .algorithms.sqil import SQILConfig, SQILHistory, train_sqil
