"""Every figure of the course. Each function draws what it is given (computed rollouts,
demonstrations, histories) and returns the matplotlib objects, so a notebook can restyle them.
One palette and label table (:mod:`.style`); the road is drawn once (:mod:`.lane`). Importing
this package also registers the environments' renderers (``render_mode="rgb_array"``)."""

from .style import COLORS, LABELS, MARKERS, color, label
from .lane import LaneKeepingRenderer, draw_road, plot_lane_trajectories, road_edges
from .demonstrations import plot_demonstrations
from .animation import animate_policy, animation_html
from .distribution_shift import animate_drift, plot_compounding, plot_state_distributions, plot_survival
from .dagger import plot_coverage, plot_history, plot_label_efficiency, plot_schedules
from .gridworlds import heatmap, plot_airl_rewards, plot_maxent_history, plot_transfer, render_world
from .gail_airl import plot_adversarial, plot_lane_reward
from .multimodal import (ObstacleForkRenderer, draw_arena, fork_comparison_table, plot_demo_paths, plot_fork_mixture,
                         plot_noise_outcomes, plot_paths)
from .choosing_a_method import comparison_table, plot_comparison, plot_finetune
from .imperfect_demonstrations import (plot_headline, plot_preference_curve, plot_reward_profile,
                                       plot_reward_scatter, plot_robust, plot_self_improvement)
from .beyond_gail import plot_seed_scores, plot_stability
