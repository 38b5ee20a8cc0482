"""The ground floor every other room stands on: the policy interface (:mod:`.policies`), the
small nets (:mod:`.nets`), one set of argument checks (:mod:`.checks`), the demonstrations type
(:mod:`.demonstrations`) and the shipped data (:mod:`.data`), batched rollouts (:mod:`.rollout`)
and evaluation (:mod:`.evaluation`), seeding (:mod:`.seeding`) and fast mode (:mod:`.config`)."""
