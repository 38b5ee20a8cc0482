"""The course index: what each notebook teaches and which earlier notebooks it builds on.

Read by tools/run_notebooks.py (the README's notebook table) and tools/notebook_header.py (each
notebook's links). Keyed by notebook number: the file is notebooks/NN_*.ipynb. A notebook listed here
whose file does not exist yet shows in the README as "in preparation".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    title: str                   # short title: "00 · Tour"
    teaches: str                 # what the notebook teaches (markdown, one table cell)
    builds_on: tuple[str, ...]   # the earlier notebooks it builds on, by number (the tour, 00, is assumed)


COURSE = {
    "00": Entry("00 · Tour", "the toolbox: environments and their batched twins, queryable experts, demonstrations, "
                "evaluation, a first BC", ()),
    "01": Entry("01 · Distribution shift", "why copying an expert is harder than supervised learning: a cloned "
                "driver drifts off the road, and its cost $J(T)$ grows superlinearly (measured log-log slope 1.6 to "
                "2.6 over 5 seeds, 1.35 to 2.1 on $T \\ge 200$; the bound is $\\epsilon T^2$); noise injection "
                "and DART", ()),
    "02": Entry("02 · Behavioral cloning", "BC done well: cross-entropy, MSE and Gaussian NLL (and β-NLL), "
                "normalization, early stopping (measured: it does not raise the return), learning curves; "
                "augmentation, noise injection, dropout, weight decay and "
                "ensembles compared in one table; Pendulum's quiet top (an expert that never errs never shows "
                "its corrections: BC from 10 clean demonstrations balances on some seeds only, with a little "
                "noise injected on all); return-weighted and filtered BC on mixed-quality data", ("01",)),
    "03": Entry("03 · DAgger", "asking the expert on the learner's own states: DAgger's $O(u \\epsilon T)$ "
                "bound against BC's $O(\\epsilon T^2)$ and both slopes measured on one window, beta schedules "
                "in your hands, SafeDAgger, HG-DAgger, selective querying by ensemble disagreement", ("01", "02")),
    "04": Entry("04 · MaxEnt IRL", "recovering a reward from demonstrations, exactly: soft value iteration and "
                "visitation counts on gridworlds, reward ambiguity, linear vs deep rewards on ObjectWorld, and "
                "transfer to new layouts and new dynamics, measured against BC on the same features (which does "
                "not transfer; the reward re-planned with the model does on 3 of 5 seeds)", ("02",)),
    "05": Entry("05 · GAIL and AIRL", "adversarial imitation with PPO as the generator: the optimal discriminator "
                "and GAIL as RL composed with IRL under its regularizer ψ (a Jensen-Shannon match of occupancies); "
                "its pitfall, termination bias (a reward that pays for surviving), "
                "and its absorbing-state fix; training that stays learned, and learning at all (a learned reward in "
                "the wrong units starves PPO's actor: why GAIL fell back on CartPole and never reached "
                "MountainCar's flag, and the reward scaling and faster discriminator that fix both); "
                "BC against GAIL with 1 to 10 subsampled "
                "trajectories; AIRL's state-only reward that transfers to reversed controls where a state-action "
                "one does not", ("02", "04")),
    "06": Entry("06 · Multimodal policies", "why MSE-BC averages two correct answers into the obstacle (or "
                "tips to one side and never uses the other), and policies that choose: a mixture density network "
                "(Bishop's inverse problem first), discretized actions, a conditional VAE "
                "and a diffusion policy, with mode holding; action chunking measured", ("02",)),
    "07": Entry("07 · Choosing a method", "choosing a method from measurements: every method on shared tasks and "
                "budgets; imitation then improvement", ("01", "02", "03", "04", "05", "06")),
    "08": Entry("08 · Imperfect demonstrations", "beating the demonstrator: T-REX's reward learned from ranked "
                "snippets (the Bradley-Terry model), then PPO on it, drives LaneKeeping like the expert from "
                "demonstrators none of whom is near it; D-REX's rankings from noise (measured: they fail here); "
                "self-improvement and what its "
                "filter must compare; Huber and trimmed losses against wrong labels", ("02", "05", "07")),
    "09": Entry("09 · Beyond GAIL", "imitation without actions (BCO's inverse dynamics, GAIfO's discriminator "
                "on state transitions), across bodies (the learner's steering reversed: copying actions fails, "
                "imitating states works), GAIL's stabilizers measured over 10 seeds (gradient penalty, spectral "
                "norm, VAIL's bottleneck) and SQIL", ("02", "05")),
}
