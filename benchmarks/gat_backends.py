"""CPU time of the actor's graph encoder (Fig. 3 GAT): ``DenseGATConv`` vs ``GATConv`` backends.

Random DAGs of 6..16 subtasks padded to T = 16 rows, 17 node features (dasc-env with K = 10
skills), the default ``ModelConfig`` (8 heads x 16, then 16). Prints the median wall-clock
milliseconds of a forward pass without gradient (rollouts) and of forward + backward (learner).

    python benchmarks/gat_backends.py --threads 1 --graphs 32,512,4096
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from rmo_agents.config import ModelConfig
from rmo_agents.nets import GraphEncoder

T, FN = 16, 17


def random_dags(n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``n`` DAGs of 6..16 nodes (edges i -> j, i < j, with probability 0.25), padded to ``T``."""
    sizes = torch.randint(6, T + 1, (n,), generator=gen)
    mask = torch.arange(T)[None] < sizes[:, None]
    adjacency = (torch.rand(n, T, T, generator=gen) < 0.25).triu(1) & mask[:, :, None] & mask[:, None, :]
    nodes = torch.randn(n, T, FN, generator=gen) * mask[..., None]
    return nodes, adjacency.to(torch.int8), mask.to(torch.int8)


def forward(encoder: GraphEncoder, graphs: tuple[torch.Tensor, ...]) -> None:
    with torch.no_grad():
        encoder(*graphs)


def forward_backward(encoder: GraphEncoder, graphs: tuple[torch.Tensor, ...]) -> None:
    encoder.zero_grad(set_to_none=True)
    encoder(*graphs).square().sum().backward()


def median_ms(step, encoder: GraphEncoder, graphs: tuple[torch.Tensor, ...], repeats: int) -> float:
    step(encoder, graphs)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step(encoder, graphs)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--graphs", default="32,512,4096", help="comma-separated batch sizes")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per cell (median)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    encoders = {}
    for backend in ("dense", "sparse"):
        torch.manual_seed(args.seed)
        encoders[backend] = GraphEncoder(FN, ModelConfig(gat_backend=backend))

    print(f"GAT backends, CPU, {args.threads} thread(s), torch {torch.__version__}, median of {args.repeats} (ms)")
    print(f"{'graphs':>7} | {'dense fwd':>10} | {'sparse fwd':>10} | {'dense fwd+bwd':>13} | {'sparse fwd+bwd':>14}")
    for n in (int(g) for g in args.graphs.split(",")):
        graphs = random_dags(n, torch.Generator().manual_seed(args.seed))
        row = [median_ms(step, encoder, graphs, args.repeats)
               for step in (forward, forward_backward) for encoder in encoders.values()]
        print(f"{n:>7} | {row[0]:>10.2f} | {row[1]:>10.2f} | {row[2]:>13.2f} | {row[3]:>14.2f}")


if __name__ == "__main__":
    main()
