"""Widget builders, one module per notebook. Each returns an ``ipywidgets`` box whose controls
tests can drive directly (``box.env.value = ...``, ``box.train.click()``); expensive callbacks
sit behind a button, and a box renders with its defaults when a notebook runs unattended."""

from .tour import OBS_LABELS, tour_widget
from .distribution_shift import distribution_shift_widget
from .behavioral_cloning import behavioral_cloning_widget  # noqa: E402,F401 (notebook 02)
from .dagger import dagger_widget
from .maxent_irl import maxent_irl_widget
from .multimodal import multimodal_widget  # noqa: E402,F401 (notebook 06)
from .gail import gail_widget  # noqa: E402,F401 (notebook 05)
from .imperfect_demonstrations import preferences_widget, trex_widget  # noqa: E402,F401 (notebook 08)
from .beyond_gail import body_widget  # noqa: E402,F401 (notebook 09)
