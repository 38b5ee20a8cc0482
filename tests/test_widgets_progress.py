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


def test_show_figure_remember_and_the_controls():
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from il_helpers.widgets.progress import remember, seed_and_train, show_figure

    out = widgets.Output()
    fig, _ = plt.subplots()
    show_figure(out, fig)
    assert not plt.fignum_exists(fig.number)  # closed: the notebook will not draw it twice
    box, summary = widgets.VBox(), widgets.HTML()
    box.result, box.history = None, []
    remember(box, 1, summary, "<a & b>")
    remember(box, 2, summary, "second")
    assert box.result == 2 and box.history == [1, 2] and summary.value == "second"
    sd, train = seed_and_train(7, {})
    assert sd.value == 7 and sd.max == 999 and train.description == "Train"
