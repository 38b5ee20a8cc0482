"""``python -m il_helpers.bench METHOD --env ENV ...``: see il_helpers.bench."""

import sys

from . import main

sys.exit(main())
