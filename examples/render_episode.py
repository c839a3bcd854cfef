"""Draw a DASC episode: a PNG of one epoch and an animated GIF of the first minutes.

    python examples/render_episode.py --city small --tasks 10 --workers 60 --out results/render
"""

import argparse
from pathlib import Path

from PIL import Image

import dasc_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--city", default="small")
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--workers", type=int, default=60)
    parser.add_argument("--frames", type=int, default=40, help="epochs in the GIF")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("results/render"))
    args = parser.parse_args()

    env = dasc_env.parallel_env(num_tasks=args.tasks, num_workers=args.workers, city=args.city,
                                arrival_window=300.0, render_mode="rgb_array")
    obs, _ = env.reset(seed=args.seed)
    frames = [env.render()]
    while env.agents and len(frames) < args.frames:
        obs, *_ = env.step({a: int(o["action_mask"][1]) for a, o in obs.items() if a in env.agents})
        frames.append(env.render())
    env.close()

    args.out.mkdir(parents=True, exist_ok=True)
    busiest = max(range(len(frames)), key=lambda i: (frames[i] != 255).sum())
    Image.fromarray(frames[busiest]).save(args.out / "epoch.png")
    images = [Image.fromarray(f) for f in frames]
    images[0].save(args.out / "episode.gif", save_all=True, append_images=images[1:],
                   duration=1000 // env.metadata["render_fps"], loop=0)
    print(f"wrote {args.out / 'epoch.png'} and {args.out / 'episode.gif'} ({len(frames)} frames)")


if __name__ == "__main__":
    main()
