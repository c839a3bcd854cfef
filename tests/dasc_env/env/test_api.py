"""PettingZoo's own conformance tests on several configurations."""

import pytest
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test

import dasc_env

CONFIGS = [
    dict(num_tasks=4, num_workers=20, city="small", arrival_window=300.0),
    dict(num_tasks=6, num_workers=8, city="small", reward_mode="shaped", matcher="greedy"),
    dict(num_tasks=3, num_workers=40, city="small", min_subtasks=2, max_subtasks=5, top_k_workers=3),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_parallel_api(config):
    parallel_api_test(dasc_env.parallel_env(**config), num_cycles=400)


@pytest.mark.parametrize("config", CONFIGS)
def test_parallel_seed(config):
    parallel_seed_test(lambda: dasc_env.parallel_env(**config), num_cycles=200)


@pytest.mark.parametrize("config", CONFIGS[:2])
def test_aec_api_through_parallel_to_aec(config):
    api_test(dasc_env.env(**config), num_cycles=200)
