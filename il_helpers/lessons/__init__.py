"""The experiments each notebook runs, named like the notebook (as widgets/ and exercises/ are):
tour (00), distribution_shift (01), behavioral_cloning (02), dagger (03), maxent_irl (04), gail_airl (05),
multimodal (06), choosing_a_method (07). A lesson uses the algorithms; no algorithm uses a lesson."""
