"""The exact tabular MDP library: the model (:mod:`.mdp`), the solvers (:mod:`.solvers`), table
policies on a grid (:mod:`.policies`) and the exact measures (:mod:`.metrics`). It imports only
:mod:`il_helpers.core`; the gridworlds (``envs``), MaxEnt IRL and tabular AIRL build on it."""

from .mdp import Transitions, as_tensor, as_transitions, reward_table, state_action_reward
from .solvers import (DEFAULT_GAMMA, Plan, check_gamma, discounted_occupancy, log_likelihood, occupancy_sas,
                      policy_matrix, policy_return, policy_value, soft_policy, soft_value_iteration, state_visitation,
                      value_iteration)
from .policies import GRID_ACTIONS, TabularPolicy, optimal_policy, policy_table, states_from_obs
from .metrics import (EVD, empirical_visitation, expected_value_difference, feature_count_error, feature_expectations,
                      reward_correlation)
