"""The graded assignments (nbgrader): the student release, nbval on it, and the autograder's marks.

One release is built per test module (tools/assignments.py, as `make assignments` runs it) into a
temporary course directory. The autograder then grades, in one `nbgrader autograde` call, three
submissions per assignment: the reference solution (full marks), the unanswered release (0) and one
planted wrong answer per assignment (partial marks, the failing test named). Submissions are the
assignment's graded section alone (its cells run on their own: tools.assignments.graded_section), so
that six gradings fit in `make test`; the whole release notebooks run through nbval, in the background
while the autograder grades. In `make test` that nbval run stands for the assignment notebooks of notebooks/
(conftest.py runs each once: the release is the notebook outside its solutions and hidden tests).

Measured (AMD EPYC, 2 cores, shared with other jobs): with the five assignments of notebooks 02 to 06, this
file 255 s at a load average of 2.5-4.1 (the grading fixture, 15 submissions, 208 s; the background nbval of the
five release notebooks then needed 35 s more; the release 5 s). With 02 and 03 only: 132 s at a load average
of 2.7-3.7 (the grading fixture 102 s, the release 14 s); 159 s at a load average of 0.0-1.2 before nbval ran
in the background and nbgrader ran once instead of once per assignment.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import assignments as A  # noqa: E402  (tools/assignments.py)

from il_helpers.exercises import grading  # noqa: E402

POINTS = {"02_behavioral_cloning": {"bc_loss_test": 2, "bc_loop_test": 3, "bc_normalization_test": 1},
          "03_dagger": {"dagger_data_test": 2, "dagger_outcome_test": 3},
          "04_maxent_irl": {"maxent_fd_test": 2, "maxent_evd_test": 3},
          "05_gail_airl": {"gail_reward_test": 2, "gail_return_test": 3},
          "06_multimodal_mdn": {"fork_nll_test": 2, "fork_outcome_test": 3}}
# one planted wrong answer per assignment: (a line of the solution, what replaces it, the test that must fail)
PLANTED = {
    # 02: the loop forgets to normalize the states; it still drives well on LaneKeeping (the loop's test
    # passes, measured 1.0 on seeds 0-4), so only the normalization test fails
    "02_behavioral_cloning": ("    policy.set_normalization(mean=obs.mean(0), std=obs.std(0).clamp_min(1e-6))",
                              "    pass", "bc_normalization_test"),
    # 03: the expert always drives (beta = 1): the data is right (the expert's labels, aggregated), but it is
    # BC on 2400 labels, which leaves the road more often than the threshold allows on seeds 0 and 1
    "03_dagger": ("beta(i), seed=[seed, i, 7])", "1.0, seed=[seed, i, 7])", "dagger_outcome_test"),
    # 04: the gradient is divided by the horizon (a mean over time): Adam's steps do not depend on the gradient's
    # scale, so the recovered reward is the reference's (the EVD test passes, the same EVD on seeds 0-4), but it is
    # not the objective's gradient: the finite-difference test fails and names the constant factor
    "04_maxent_irl": ("    return mu_E - phi.T @ D.sum(0)                           # mu_E - mu_theta",
                      "    return (mu_E - phi.T @ D.sum(0)) / horizon", "maxent_fd_test"),
    # 05: the discriminator's labels are swapped (D = P(policy)): the reward is right, but GAIL then pays the policy
    # for being unlike the expert and it learns to drop the pole (mean test return 8.5-9.4 on seeds 0-4, bar 350)
    "05_gail_airl": ("softplus(-logit_expert)                   # -log D(s, a): expert pairs, label 1\n"
                     "    loss_policy = softplus(logit_policy)",
                     "softplus(logit_expert)                   # -log D(s, a): expert pairs, label 1\n"
                     "    loss_policy = softplus(-logit_policy)", "gail_return_test"),
    # 06: the action takes the most likely component, ignoring the episode's u: the MDN passes the obstacle, but on
    # one side only (100% of its passes on one side on seeds 0-4), so the outcome test fails on "both sides"
    "06_multimodal_mdn": ("k = (cum < u[:, None]).sum(dim=1).clamp_max(logits.shape[1] - 1)",
                          "k = logits.argmax(dim=1)", "fork_outcome_test"),
}


def env():
    e = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
         "IL_FAST": "1", "MPLBACKEND": "Agg"}
    e["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), e.get("PATH", "")])
    return e


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The course directory and the student release, built once."""
    tmp = tmp_path_factory.mktemp("assignments")
    course, out = tmp / "course", tmp / "release"
    released = A.release(course, out)
    return course, out, released


def source(name):
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def solutions(name):
    return {c.metadata.nbgrader.grade_id: c.source for c in source(name).cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}


def test_every_assignment_is_released(built):
    _, out, released = built
    assert sorted(p.stem for p in released) == sorted(POINTS)
    # the whole course is in the release, so the notebooks' links resolve there
    assert sorted(p.name for p in out.glob("*.ipynb")) == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("name", sorted(POINTS))
def test_release_has_stubs_and_no_solution_or_hidden_test(built, name):
    _, out, _ = built
    text = (out / f"{name}.ipynb").read_text()
    nb = nbformat.reads(text, as_version=4)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "seed=1, verbose=False"):
        assert marker not in text, f"{name}: the release still holds {marker!r}"
    answers = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    assert answers and all("raise NotImplementedError()" in c.source for c in answers)
    # no line of a solution region is left (the code around it, the function's signature, stays)
    for grade_id, src in solutions(name).items():
        body = src.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
        for line in (x.strip() for x in body.splitlines()):
            if len(line) > 12:
                assert line not in text, f"{name}: solution line {line!r} of {grade_id} is in the release"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "the release carries no outputs"
    tests = {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points for c in nb.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    assert tests == POINTS[name]


HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)


def test_release_is_the_lesson_outside_the_assignment(built):
    """Cell for cell, a released notebook is its source except the solution regions and the hidden tests: so the
    release's nbval run (below) runs the lesson, and `make test` runs it instead of the source (conftest.py)."""
    _, out, _ = built
    for name in POINTS:
        src, rel = source(name).cells, nbformat.read(out / f"{name}.ipynb", as_version=4).cells
        assert len(src) == len(rel), name
        for a, b in zip(src, rel):
            if a.get("metadata", {}).get("nbgrader", {}).get("solution"):
                continue
            # a test cell loses its hidden tests and nothing else
            lesson = HIDDEN.sub("", a.source).rstrip()
            assert lesson == b.source.rstrip(), f"{name}: the release changed a cell of the lesson: {a.source[:200]!r}"


def checked_release(built, folder):
    """A copy of the release in ``folder`` whose NBVAL_CHECK_OUTPUT cells carry the source's saved outputs
    (the release has none), so nbval compares them there as it would in notebooks/."""
    _, out, _ = built
    shutil.copytree(out, folder)
    for name in POINTS:
        nb, src = nbformat.read(folder / f"{name}.ipynb", as_version=4), source(name)
        for a, b in zip(src.cells, nb.cells):
            if a.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in a.source:
                b.outputs, b.execution_count = a.outputs, a.execution_count
        nbformat.write(nb, folder / f"{name}.ipynb")
    return [folder / f"{n}.ipynb" for n in sorted(POINTS)]


@pytest.fixture(scope="module")
def nbval_job(built, tmp_path_factory):
    """nbval (the options of pyproject.toml, IL_CLAIMS=strict as conftest.py sets it) on every released
    assignment notebook (with the checked outputs of :func:`checked_release`), in one pytest run started in
    the background: it runs while the autograder grades (the root conftest.py loaded as a plugin puts its
    kernels on IPC sockets, as the autograder's, so no two kernel launches race for a TCP port)."""
    notebooks = checked_release(built, tmp_path_factory.mktemp("nbval") / "release")
    job = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "--rootdir", str(ROOT),
                            "-c", str(ROOT / "pyproject.toml"), *map(str, notebooks)],
                           cwd=ROOT, env={**env(), "IL_CLAIMS": "strict"}, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    yield job
    if job.poll() is None:
        job.kill()
        job.communicate()


def submission(built, name, kind):
    """The release notebook's graded section as a student hands it in: unanswered, the reference, or planted."""
    _, out, _ = built
    nb = A.graded_section(nbformat.read(out / f"{name}.ipynb", as_version=4))
    answers = solutions(name)
    for c in nb.cells:
        grade_id = c.metadata.nbgrader.grade_id
        if kind != "stub" and grade_id in answers:
            c.source = answers[grade_id]
            if kind == "planted":
                old, new, _ = PLANTED[name]
                if old in c.source:
                    c.source = c.source.replace(old, new)
    if kind == "planted":
        assert any(PLANTED[name][1] in c.source for c in nb.cells), "the planted change did not apply"
    return nb


@pytest.fixture(scope="module")
def graded(built, nbval_job, tmp_path_factory):
    """Autograde the three submissions of each assignment (one nbgrader call per assignment) and read the CSV
    and the autograded notebooks back: {(student, assignment): {grade_id: (score, output text)}}, total scores."""
    course, _, _ = built
    subs = tmp_path_factory.mktemp("submissions")
    for name in POINTS:
        for kind in ("reference", "stub", "planted"):
            folder = subs / kind / name
            folder.mkdir(parents=True)
            nbformat.write(submission(built, name, kind), folder / f"{name}.ipynb")
    # the autograder's kernels talk over IPC sockets (an absolute path: nbgrader's process and the kernel run in
    # different folders), so that they never race the background nbval kernel for a TCP port
    sockets = tmp_path_factory.mktemp("ipc") / "kernel-ipc"
    table = A.autograde(subs, course, subs / "grades.csv", env=env(),
                        options=("--KernelManager.transport=ipc", f"--KernelManager.ip={sockets}"))
    with open(table) as f:
        totals = {(r["student_id"], r["assignment"]): (float(r["score"]), float(r["max_score"]))
                  for r in csv.DictReader(f)}
    cells = {}
    for name in POINTS:
        for kind in ("reference", "stub", "planted"):
            nb = json.loads((course / "autograded" / kind / name / f"{name}.ipynb").read_text())
            out = {}
            for c in nb["cells"]:
                meta = c.get("metadata", {}).get("nbgrader", {})
                if meta.get("grade"):
                    text = "".join("".join(o.get("text", "")) + " ".join(o.get("traceback", []))
                                   for o in c.get("outputs", []))
                    out[meta["grade_id"]] = ("error" in {o["output_type"] for o in c.get("outputs", [])}, text)
            cells[(kind, name)] = out
    return totals, cells


@pytest.mark.parametrize("name", sorted(POINTS))
def test_reference_solution_gets_full_marks(graded, name):
    totals, cells = graded
    full = sum(POINTS[name].values())
    assert totals[("reference", name)] == (full, full), cells[("reference", name)]
    assert all(not failed and "[CORRECT]" in text for failed, text in cells[("reference", name)].values())


@pytest.mark.parametrize("name", sorted(POINTS))
def test_unanswered_stubs_get_zero(graded, name):
    totals, cells = graded
    assert totals[("stub", name)] == (0, sum(POINTS[name].values()))
    for grade_id, (failed, text) in cells[("stub", name)].items():
        assert failed and "not done yet" in text, f"{grade_id}: {text[-500:]}"


@pytest.mark.parametrize("name", sorted(POINTS))
def test_planted_wrong_answer_gets_partial_marks_naming_the_test(graded, name):
    totals, cells = graded
    wrong = PLANTED[name][2]
    full = sum(POINTS[name].values())
    assert totals[("planted", name)] == (full - POINTS[name][wrong], full)
    failed = [g for g, (f, _) in cells[("planted", name)].items() if f]
    assert failed == [wrong]
    text = cells[("planted", name)][wrong][1]
    assert re.search(rf"\[WRONG\] {wrong.removesuffix('_test')}:", text)
    assert "AssertionError" in text


def test_release_runs_all_with_every_stub_unanswered(nbval_job):
    """The unanswered tests say "not done yet" and the lesson goes on with the reference (nbval, above)."""
    output, _ = nbval_job.communicate(timeout=900)
    assert nbval_job.returncode == 0, output[-5000:]
    cells = sum(c.cell_type == "code" for n in POINTS for c in source(n).cells)   # one nbval test per code cell
    assert re.search(rf"\b{cells} passed\b", output) and " failed" not in output, output[-2000:]


# -- the grading helpers themselves ----------------------------------------------------------------


def test_award_fails_only_under_nbgrader(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert grading.award("todo", "[TO DO] x: not done yet.") is None
    for mode in ("autograde", "validate"):
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        with pytest.raises(AssertionError, match="not done yet"):
            grading.award("todo", "[TO DO] x: not done yet.")
        grading.award("correct", "fine")
    with pytest.raises(ValueError, match="unknown status"):
        grading.award("passed")


def test_attempt_classifies_and_falls_back_to_the_reference(capsys):
    def todo():
        raise NotImplementedError

    r = grading.attempt("t", todo, (), lambda v: None, reference=lambda: "ref")
    assert (r.status, r.use) == ("todo", "ref") and "not done yet" in r.message
    r = grading.attempt("t", lambda: 1 / 0, (), lambda v: None, reference=lambda: "ref")
    assert r.status == "error" and "ZeroDivisionError" in r.message and r.use == "ref"
    r = grading.attempt("t", lambda: 3, (), lambda v: None if v == 4 else f"got {v}, want 4")
    assert r.status == "wrong" and "got 3, want 4" in r.message
    r = grading.attempt("t", lambda: 4, (), lambda v: None if v == 4 else "no", praise=lambda v: f"{v} it is")
    assert r.passed and r.use == 4 and "4 it is" in r.message
    r = grading.attempt("t", lambda: None, (), lambda v: v.missing)   # the judge cannot use the value
    assert r.status == "wrong" and "cannot use" in r.message
    r = grading.attempt("t", lambda: [x for x in iter(int, 1)], (), lambda v: None, time_limit=0.3)
    assert r.status == "error" and "stopped" in r.message
    assert "[TO DO] t" in capsys.readouterr().out
    with pytest.raises(TypeError, match="callable"):
        grading.attempt("t", 3, (), lambda v: None)


# -- the assignments' tests in il_helpers.exercises, driven directly ----------------------------------


def test_bc_loss_check_names_the_mean_over_dimensions(capsys):
    from il_helpers.exercises import behavioral_cloning as B
    from il_helpers.exercises import check

    check("bc_mse_loss", lambda p, t: ((p - t) ** 2).mean(dim=1))
    assert check.last_status == "wrong" and "shape (5, 2)" in check.last_message
    check("bc_mse_loss", B.bc_mse_loss)
    assert check.last_status == "correct"


def test_bc_loop_grades_the_outcome_and_the_normalization():
    import torch

    from il_helpers.exercises import behavioral_cloning as B

    def untrained(demos, new_policy, *rest):
        return new_policy()

    def unnormalized(demos, new_policy, epochs, batch_size, lr, seed):
        policy = B.reference_bc_loop(demos, new_policy, epochs, batch_size, lr, seed)
        policy.set_normalization(mean=torch.zeros(demos.obs.shape[1]), std=torch.ones(demos.obs.shape[1]))
        return policy

    good = B.bc_loop(B.reference_bc_loop, seed=0, verbose=False)
    assert good.passed and good.score >= B.BC_ASSIGNMENT.threshold
    assert B.bc_normalization(good, verbose=False).passed
    bad = B.bc_loop(untrained, seed=0, verbose=False)
    assert bad.status == "wrong" and bad.score < 0.5 and "it needs 0.9" in bad.message
    assert B.bc_normalization(bad, verbose=False).status == "wrong"
    assert B.bc_normalization(B.bc_loop(unnormalized, seed=0, verbose=False), verbose=False).status == "wrong"
    odd = B.bc_loop(lambda *a: "a policy", seed=0, verbose=False)
    assert odd.status == "wrong" and "not the policy" in odd.message and odd.use is not None

    def todo(*a):
        raise NotImplementedError

    stub = B.bc_loop(todo, seed=0, verbose=False)
    assert stub.status == "todo" and B.bc_normalization(stub, verbose=False).status == "todo"
    assert isinstance(stub.use, torch.nn.Module)   # the reference's policy, for the cells below


def test_dagger_data_says_what_is_wrong():
    from il_helpers.algorithms.dagger import MixturePolicy, labelled_steps
    from il_helpers.core.demonstrations import Demonstrations
    from il_helpers.core.rollout import rollout
    from il_helpers.exercises import dagger as D

    assert D.dagger_data(D.reference_dagger, verbose=False).passed

    def replaces(demos, expert, fit, iterations, episodes, beta, seed):
        policy, data = fit(demos), demos
        for i in range(1, iterations + 1):
            r = rollout(MixturePolicy(expert, policy, beta(i), seed=i), demos.env_id, n_episodes=episodes, seed=i,
                        label_policy=expert)
            data = labelled_steps(r)
        return policy, data

    def executed_labels(demos, expert, fit, iterations, episodes, beta, seed):
        policy, data = D.reference_dagger(demos, expert, fit, iterations, episodes, beta, seed)
        n = len(demos)
        actions = data.actions.copy()
        actions[n:] = data.taken[n:]
        return policy, Demonstrations(obs=data.obs, actions=actions, taken=data.taken, rewards=data.rewards,
                                      next_obs=data.next_obs, terminated=data.terminated,
                                      episode_lengths=data.episode_lengths, env_id=data.env_id)

    r = D.dagger_data(replaces, verbose=False)
    assert r.status == "wrong" and "kept" in r.message
    r = D.dagger_data(executed_labels, verbose=False)
    assert r.status == "wrong" and "not the expert's" in r.message
    r = D.dagger_data(lambda *a: None, verbose=False)
    assert r.status == "wrong" and "return policy, data" in r.message
