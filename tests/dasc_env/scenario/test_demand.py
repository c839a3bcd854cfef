import numpy as np

from dasc_env import DASCConfig
from dasc_env.city import synthetic_city
from dasc_env.scenario import CityDemand


def test_hotspot_demand_concentrates_locations():
    g = synthetic_city("chengdu")
    nodes = CityDemand(g, DASCConfig(hotspot_share=1.0)).sample_nodes(5000, np.random.default_rng(0))
    uniform = np.random.default_rng(0).integers(0, g.num_nodes, 5000)

    def mean_nearest_neighbour(idx):
        xy = g.xy[idx[:500]]
        d = np.linalg.norm(xy[:, None] - xy[None], axis=2)
        np.fill_diagonal(d, np.inf)
        return d.min(axis=1).mean()

    assert mean_nearest_neighbour(nodes) < 0.6 * mean_nearest_neighbour(uniform)


def test_skills_follow_the_local_poi_map():
    g = synthetic_city("small")
    demand = CityDemand(g, DASCConfig(city_seed=1))
    node = int(np.argmax(demand.skill_weights.max(axis=1)))
    favourite = int(np.argmax(demand.skill_weights[node]))
    skills = demand.sample_skills(np.full(4000, node), np.ones(4000, int), np.random.default_rng(0))
    assert skills.sum(axis=1).tolist() == [1] * 4000
    share = skills[:, favourite].mean()
    assert abs(share - demand.skill_weights[node, favourite]) < 0.03


def test_sampled_skill_sets_have_the_requested_sizes_without_repeats():
    g = synthetic_city("small")
    counts = np.array([1, 2, 3, 3, 2])
    skills = CityDemand(g, DASCConfig()).sample_skills(np.arange(5), counts, np.random.default_rng(0))
    assert skills.sum(axis=1).tolist() == counts.tolist()


def test_uniform_demand_weighs_every_node_alike():
    g = synthetic_city("small")
    d = CityDemand(g, DASCConfig(demand="uniform"))
    assert np.allclose(d.node_weights, 1 / g.num_nodes) and np.allclose(d.skill_weights, 0.1)
