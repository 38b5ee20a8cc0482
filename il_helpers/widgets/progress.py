"""A Train button's progress bar: one tqdm stage per message a long computation reports."""

from __future__ import annotations

from tqdm.auto import tqdm


class StagedProgress:
    """Call it with each stage's name as the work reaches it (a trainer's ``progress=``
    callback); the bar advances one step per new stage and shows the current one.
    ``close()`` completes the last stage."""

    def __init__(self, stages: list[str], desc: str = "Train"):
        self.first = stages[0]
        self.bar = tqdm(total=len(stages), desc=desc, leave=False)

    def __call__(self, message: str) -> None:
        if message != self.first:
            self.bar.update(1)
        self.bar.set_postfix_str(message)

    def close(self) -> None:
        self.bar.update(1)
        self.bar.close()
