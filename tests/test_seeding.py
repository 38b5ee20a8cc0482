"""seed_everything (torch, numpy, random repeat their draws) and config.budget (fast mode)."""

import importlib
import os
import random

import numpy as np
import pytest
import torch

import il_helpers as il
from il_helpers.core import config
from il_helpers.core.seeding import seed_everything


def draws():
    return (random.random(), np.random.rand(3).tolist(), torch.rand(3).tolist(), torch.randint(0, 1000, (2,)).tolist())


def test_seed_everything_repeats_every_rng():
    g1 = seed_everything(123)
    a = draws()
    g2 = seed_everything(123)
    b = draws()
    assert a == b
    assert isinstance(g1, np.random.Generator)
    assert g1.random() == g2.random()
    seed_everything(124)
    c = draws()
    for x, y in zip(a, c):
        assert x != y  # each of the three libraries was reseeded, not just one


def test_seed_everything_makes_network_init_repeat():
    seed_everything(0)
    w1 = torch.nn.Linear(4, 3).weight.detach().clone()
    seed_everything(0)
    w2 = torch.nn.Linear(4, 3).weight.detach().clone()
    assert torch.equal(w1, w2)


def test_seed_everything_accepts_numpy_and_large_integers():
    seed_everything(np.int64(5))
    a = draws()
    seed_everything(5)
    assert draws() == a
    seed_everything(2**40)  # numpy's legacy RNG takes it modulo 2**32
    seed_everything(2**64 - 1)
    assert il.seed_everything is seed_everything


@pytest.mark.parametrize("bad", [-1, 1.5, True, False, "0", None, 2**64])
def test_bad_seeds(bad):
    with pytest.raises(ValueError, match=r"seed must be a non-negative integer .*got " + repr(bad).replace("'", ".")):
        seed_everything(bad)


# -- config.budget -----------------------------------------------------------------------------

@pytest.fixture
def reload_config(monkeypatch):
    """Reload il_helpers.core.config under a changed environment; restore it afterwards."""

    def reload(value):
        if value is None:
            monkeypatch.delenv("IL_FAST", raising=False)
        else:
            monkeypatch.setenv("IL_FAST", value)
        return importlib.reload(config)

    yield reload
    monkeypatch.undo()
    importlib.reload(config)


@pytest.mark.parametrize("value", ["1", "true", "yes", " YES ", "on"])
def test_budget_is_fast_when_il_fast_is_set(reload_config, value):
    cfg = reload_config(value)
    assert cfg.FAST is True
    assert cfg.budget(100, 10) == 10
    assert il.budget(100, 10) == 10  # the package's name for it follows


@pytest.mark.parametrize("value", [None, "0", "", "false", "No"])
def test_budget_is_full_otherwise(reload_config, value):
    cfg = reload_config(value)
    assert cfg.FAST is False
    assert cfg.budget(100, 10) == 100
    assert cfg.budget(full="a", fast="b") == "a"


def test_config_is_restored_after_the_reloads():
    # runs after the reloads above: the module again reflects the real environment
    # (fast mode under the test suite, whose conftest.py sets IL_FAST=1 unless already set)
    expected = os.environ.get("IL_FAST", "0").strip().lower() not in ("", "0", "false", "no")
    assert config.FAST is expected
    assert config.budget(100, 10) == (10 if expected else 100)
