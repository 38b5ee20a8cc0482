"""Policies: what counts as one (as_policy), the single-observation convenience, RandomPolicy."""

import numpy as np
import pytest
import torch
from gymnasium import spaces

import il_helpers as il
from il_helpers.core.policies import FunctionPolicy, ModulePolicy, Policy, RandomPolicy, as_policy

DISCRETE = spaces.Discrete(3)
BOX = spaces.Box(np.array([-1.0, 0.0], np.float32), np.array([0.0, 5.0], np.float32), dtype=np.float32)


class Constant(Policy):
    name = "constant"

    def act(self, obs):
        return np.full(len(obs), 2, dtype=np.int64)


def obs_batch(n=6, dim=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


# -- as_policy ---------------------------------------------------------------------------------

def test_as_policy_returns_a_policy_unchanged():
    p = Constant()
    assert as_policy(p) is p
    expert = il.get_expert("CartPole-v1")
    assert as_policy(expert, DISCRETE) is expert


def test_as_policy_wraps_a_function():
    def push_right(obs):
        return (obs[:, 0] > 0).astype(np.int64)

    p = as_policy(push_right)
    assert isinstance(p, FunctionPolicy) and p.name == "push_right"
    obs = obs_batch()
    np.testing.assert_array_equal(p(obs), (obs[:, 0] > 0).astype(np.int64))
    assert as_policy(lambda o: o).name == "<lambda>"


def test_as_policy_module_discrete_takes_the_argmax_of_logits():
    torch.manual_seed(0)
    net = torch.nn.Linear(4, 3)
    p = as_policy(net, DISCRETE)
    assert isinstance(p, ModulePolicy) and p.name == "Linear"
    obs = obs_batch(50)
    actions = p(obs)
    assert actions.shape == (50,) and actions.dtype == np.int64
    with torch.no_grad():
        expected = net(torch.as_tensor(obs)).argmax(1).numpy()
    np.testing.assert_array_equal(actions, expected)
    assert len(np.unique(actions)) > 1  # the check above is not trivially satisfied


def test_as_policy_module_discrete_rounds_a_scalar_output():
    class Half(torch.nn.Module):
        def forward(self, x):
            return x[:, :1] * 0 + torch.tensor([[1.2]])

    actions = as_policy(Half(), DISCRETE)(obs_batch(5))
    assert actions.dtype == np.int64
    np.testing.assert_array_equal(actions, np.ones(5, np.int64))


def test_as_policy_module_continuous_returns_float32_outputs():
    torch.manual_seed(0)
    net = torch.nn.Linear(4, 2)
    p = as_policy(net, BOX)
    obs = obs_batch(7)
    actions = p(obs)
    assert actions.shape == (7, 2) and actions.dtype == np.float32
    with torch.no_grad():
        np.testing.assert_allclose(actions, net(torch.as_tensor(obs)).numpy(), rtol=1e-6)
    # without an action space: the raw outputs
    raw = as_policy(net)(obs)
    assert raw.shape == (7, 2) and raw.dtype == np.float32


def test_as_policy_module_without_parameters_runs_on_cpu():
    p = as_policy(torch.nn.Identity(), BOX)
    obs = obs_batch(3, dim=2)
    np.testing.assert_array_equal(p(obs), obs)


@pytest.mark.parametrize("junk", [42, "policy", None, [1, 2], np.zeros(3)])
def test_as_policy_rejects_junk(junk):
    with pytest.raises(TypeError, match="expected a policy .* got " + type(junk).__name__):
        as_policy(junk)


# -- calling convention ------------------------------------------------------------------------

def test_single_observation_gives_a_single_action():
    expert = il.get_expert("CartPole-v1")
    obs = obs_batch(5)
    batch = expert(obs)
    for i in range(5):
        single = expert(obs[i])
        assert np.ndim(single) == 0
        assert single == batch[i]
    lane = il.get_expert(il.LANE_KEEPING)
    obs5 = obs_batch(4, dim=5) * 0.1
    single = lane(obs5[0])
    assert single.shape == (1,) and single.dtype == np.float32
    np.testing.assert_array_equal(single, lane(obs5)[0])


def test_lists_are_accepted_and_cast_to_float32():
    seen = {}

    def spy(obs):
        seen["dtype"], seen["shape"] = obs.dtype, obs.shape
        return np.zeros(len(obs), np.int64)

    as_policy(spy)([[1, 2], [3, 4]])
    assert seen == {"dtype": np.float32, "shape": (2, 2)}


@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 1, 1, 4), ()])
def test_wrong_dimensionality_raises_value_error(shape):
    p = Constant()
    with pytest.raises(ValueError, match=r"constant: expected observations of shape \(obs_dim,\) or \(N, obs_dim\)"):
        p(np.zeros(shape, np.float32))


def test_repr_names_the_policy():
    assert repr(Constant()) == "Constant('constant')"


# -- RandomPolicy ------------------------------------------------------------------------------

def test_random_policy_discrete_respects_n_and_dtype():
    p = RandomPolicy(DISCRETE, seed=0)
    a = p(np.zeros((3000, 4)))
    assert a.shape == (3000,) and a.dtype == np.int64
    assert set(np.unique(a)) == {0, 1, 2}
    counts = np.bincount(a) / len(a)
    np.testing.assert_allclose(counts, 1 / 3, atol=0.03)  # uniform


def test_random_policy_continuous_respects_per_dimension_bounds():
    p = RandomPolicy(BOX, seed=0)
    a = p(np.zeros((2000, 4)))
    assert a.shape == (2000, 2) and a.dtype == np.float32
    assert np.all(a >= BOX.low) and np.all(a <= BOX.high)
    # it covers the box, not a corner of it
    assert a[:, 0].min() < -0.9 and a[:, 0].max() > -0.1
    assert a[:, 1].min() < 0.5 and a[:, 1].max() > 4.5


def test_random_policy_is_seeded():
    obs = np.zeros((100, 4))
    for space in (DISCRETE, BOX):
        a, b, c = RandomPolicy(space, seed=3), RandomPolicy(space, seed=3), RandomPolicy(space, seed=4)
        first_a, first_b = a(obs), b(obs)
        np.testing.assert_array_equal(first_a, first_b)
        np.testing.assert_array_equal(a(obs), b(obs))  # the streams stay in step
        assert not np.array_equal(first_a, c(obs))
        assert not np.array_equal(first_a, a(obs))  # successive calls differ


def test_random_policy_single_observation():
    p = RandomPolicy(DISCRETE, seed=0)
    assert np.ndim(p(np.zeros(4))) == 0
    q = RandomPolicy(BOX, seed=0)
    assert q(np.zeros(4)).shape == (2,)
    assert p.name == "random"


# -- TorchPolicy: the base of every network policy ------------------------------------------------

class _Linear(il.TorchPolicy):
    def __init__(self, discrete: bool):
        super().__init__(2, 3 if discrete else 1, action_low=None if discrete else [-1.0],
                         action_high=None if discrete else [1.0])
        self.discrete = discrete
        self.net = torch.nn.Linear(2, self.act_dim)

    def forward(self, obs):
        return self.net(self.normalize(obs))

    def _act(self, x):
        out = self(x)
        return out.argmax(1) if self.discrete else out * 100.0


def test_torch_policy_dispatch_normalization_and_clipping():
    torch.manual_seed(0)
    p = _Linear(discrete=False)
    obs = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    p.set_normalization(obs)
    assert torch.allclose(p.obs_mean, torch.tensor([2.0, 4.0]))
    t = p(torch.as_tensor(obs))                       # a tensor: the module's raw output, with gradients
    assert isinstance(t, torch.Tensor) and t.requires_grad
    a = p(obs)                                        # numpy: actions, clipped to the bounds
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (2, 1) and np.all(np.abs(a) <= 1)
    assert p(obs[0]).shape == (1,)                    # a single observation gives a single action
    p.train()
    p(obs)
    assert p.training                                 # act() restores the training flag
    p.set_normalization(mean=[0.0, 0.0], std=[2.0, 2.0])
    assert torch.equal(p.obs_std, torch.tensor([2.0, 2.0]))


def test_torch_policy_discrete_actions_are_int64_and_evaluate_accepts_it():
    p = _Linear(discrete=True)
    a = p(np.zeros((4, 2), np.float32))
    assert a.dtype == np.int64 and a.shape == (4,)
