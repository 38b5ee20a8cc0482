"""The course's benchmark: ``python -m il_helpers.bench METHOD --env ENV`` (see :mod:`.cli`).

:mod:`.methods` holds the one table of method adapters, :mod:`.cli` the command line,
:mod:`.timing` how benchmarks name the machine and time a call.
"""

from .methods import (ENV_CHECKS, METHODS, RESULT_TABLES, TABLES, TAUGHT_FAILURES, bench_args, expert_demos, method,
                      train_method)
from . import methods_variants  # noqa: F401  (registers notebook 09's adversarial variants)
from .cli import main, parse_args, run
from .timing import machine, timed
