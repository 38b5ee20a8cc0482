"""One module per method, each read top to bottom like a CleanRL file: its configuration as one
dataclass, then the loss, then the loop. Every trainer keeps the contract written in
:mod:`il_helpers`: ``policy, history = train_X(demos, *, env_id=None, seed=0, progress=None,
config=None, **settings)``.

bc, ensemble (notebook 02) · dagger, dagger_variants (03) · maxent_irl (04) · ppo, adversarial,
gail, airl, airl_tabular (05) · mode_holding, mdn, discretized, cvae (06) · vail, infogail, bco, gaifo, sqil (09)."""
