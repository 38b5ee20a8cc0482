"""The course's environments. Importing this package registers every one of them (each module
registers its own ids, batched twin, gymnasium entry point and expert in :mod:`.registry`)."""

from .registry import (ENV_IDS, EXPERTS, LANE_KEEPING, LANE_KEEPING_DISCRETE, OBSTACLE_FORK, check_env_id, env_spaces,
                       get_expert, make_batched, make_env, register_env, register_expert)
# gymnasium's classic-control ids (our batched twins and experts), then the course's own environments
from . import cartpole, acrobot, mountain_car, pendulum
from . import lane_keeping
from . import obstacle_fork
from . import gridworlds
