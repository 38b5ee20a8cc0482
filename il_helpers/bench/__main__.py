"""``python -m il_helpers.bench METHOD --env ENV ...``: see il_helpers.bench."""

import sys

from .cli import main

sys.exit(main())
