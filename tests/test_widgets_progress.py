"""widgets.progress: StagedProgress (one bar step per new stage, completed by close()), show_figure,
remember and the seed / Train controls."""

from il_helpers.widgets.progress import StagedProgress


def test_advances_one_step_per_stage_after_the_first():
    step = StagedProgress(["collect", "train", "draw"])
    step("collect")
    assert step.bar.n == 0 and "collect" in step.bar.postfix
    step("train")
    step("draw")
    assert step.bar.n == 2 and "draw" in step.bar.postfix
    step.close()
    assert step.bar.n == 3 == step.bar.total
