import numpy as np
import pytest

import dasc_env

pytest.importorskip("matplotlib")


def test_rgb_array_frame_has_the_declared_shape():
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small", render_mode="rgb_array")
    env.reset(seed=0)
    env.step({a: 1 for a in env.agents})
    frame = env.render()
    assert frame.shape == (640, 640, 3) and frame.dtype == np.uint8
    assert frame.min() < 128 < frame.max()  # something was drawn on the white canvas
    env.close()


def test_no_render_mode_draws_nothing():
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small")
    env.reset(seed=0)
    assert env.render() is None and env.renderer is None


def test_unknown_render_mode_is_rejected():
    with pytest.raises(ValueError, match="render_mode='video'"):
        dasc_env.parallel_env(city="small", render_mode="video")


def test_human_mode_draws_into_a_window_and_returns_none():
    import matplotlib

    matplotlib.use("Agg")  # no display here: the same drawing code runs on a non-interactive canvas
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small", render_mode="human")
    env.reset(seed=0)
    assert env.render() is None and env.renderer is not None
    env.close()
    assert env.renderer is None


def test_workers_are_drawn_above_subtasks_and_match_lines():
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small", render_mode="rgb_array")
    env.reset(seed=0)
    env.render()
    r = env.renderer
    assert min(r.idle.get_zorder(), r.busy.get_zorder()) > max(
        a.get_zorder() for a in (r.ready, r.waiting, r.running, r.matches))
    env.close()


def test_legend_sits_outside_the_map_and_says_match_lines_are_straight():
    env = dasc_env.parallel_env(num_tasks=3, num_workers=10, city="small", render_mode="rgb_array")
    env.reset(seed=0)
    env.render()
    r = env.renderer
    legend_box = r.legend.get_window_extent()
    map_box = r.ax.get_window_extent()
    assert legend_box.x0 >= map_box.x1 - 1
    assert any("straight line" in t.get_text() for t in r.legend.get_texts())
    env.close()
