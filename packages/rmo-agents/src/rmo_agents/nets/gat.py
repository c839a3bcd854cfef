"""Graph encoder of the actor (Fig. 3): a two-layer GAT over the agent's task DAG.

Layer 1 has ``gat_heads`` heads of ``gat_hidden`` features, concatenated, then ELU;
layer 2 has one head of ``gat_out`` features. Both are torch-geometric layers:

* ``"dense"``: ``DenseGATConv`` on the padded ``(N, T, T)`` adjacency with its node mask;
* ``"sparse"``: ``GATConv`` on one batched graph of the valid nodes, whose ``edge_index``
  is built from the padded adjacency without Python loops.

Edge convention. ``adjacency[n, i, j] = 1`` means subtask i is a predecessor of j, so a
message flows i -> j. ``"directed"`` keeps that direction (a node attends to its
predecessors); ``"undirected"`` uses A or A^T. Either way edges are restricted to
``mask`` and every valid node has a self-loop. Outputs at masked-out rows are exactly 0.

The backends share one ``state_dict`` (same names and shapes), so a checkpoint trained
with one loads into the other.

The encoder embeds whatever graphs it is given; with a shared-graph batch (``rmo_agents.batch``)
each task graph of a step is embedded once and ``batch.own_rows`` reads each agent's own node.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import DenseGATConv, GATConv

from ..config import ModelConfig
from ..validation import choices, hints

BACKENDS = choices(hints(ModelConfig)["gat_backend"])
EDGES = choices(hints(ModelConfig)["gat_edges"])


class _DenseGATConv(DenseGATConv):
    """``DenseGATConv`` whose attention vectors have ``GATConv``'s shape ``(1, heads, C)``.

    ``DenseGATConv`` stores them as ``(1, 1, heads, C)``; its forward broadcasts either
    shape the same way, and ``glorot`` only reads the last two sizes, so this changes nothing
    but makes the two backends' checkpoints interchangeable.
    """

    def __init__(self, in_channels: int, out_channels: int, heads: int, concat: bool):
        super().__init__(in_channels, out_channels, heads=heads, concat=concat)
        self.att_src = nn.Parameter(self.att_src.detach().reshape(1, heads, out_channels))
        self.att_dst = nn.Parameter(self.att_dst.detach().reshape(1, heads, out_channels))


class GraphEncoder(nn.Module):
    """Two GAT layers (Fig. 3, "GAT" block): ``(N, T, F)`` node features -> ``(N, T, gat_out)`` embeddings."""

    def __init__(self, in_features: int, model: ModelConfig):
        super().__init__()
        if model.gat_backend not in BACKENDS:
            raise ValueError(f"gat_backend={model.gat_backend!r} must be one of {BACKENDS}")
        if model.gat_edges not in EDGES:
            raise ValueError(f"gat_edges={model.gat_edges!r} must be one of {EDGES}")
        self.backend = model.gat_backend
        self.directed = model.gat_edges == "directed"
        self.out_features = model.gat_out
        layer = _DenseGATConv if self.backend == "dense" else GATConv
        self.conv1 = layer(in_features, model.gat_hidden, heads=model.gat_heads, concat=True)
        self.conv2 = layer(model.gat_heads * model.gat_hidden, model.gat_out, heads=1, concat=False)

    def forward(self, nodes: Tensor, adjacency: Tensor, mask: Tensor) -> Tensor:
        """Embed every node.

        Args:
            nodes: ``(N, T, F)`` node features (rows outside ``mask`` are ignored, even if not finite).
            adjacency: ``(N, T, T)``, nonzero where row i is a predecessor of column j.
            mask: ``(N, T)``, nonzero for the valid (unfinished) nodes.

        Returns:
            ``(N, T, gat_out)`` in the module's dtype, exactly 0 on rows outside ``mask``.
        """
        dtype = self.conv1.bias.dtype
        valid = mask.bool()
        x = torch.where(valid[..., None], nodes.to(dtype), 0.0)
        edges = adjacency.bool() & valid[:, :, None] & valid[:, None, :]
        if not self.directed:
            edges = edges | edges.transpose(1, 2)
        if self.backend == "dense":
            return self._dense(x, edges, valid)
        return self._sparse(x, edges, valid)

    def _dense(self, x: Tensor, edges: Tensor, valid: Tensor) -> Tensor:
        # DenseGATConv's adj[n, i, j] != 0 lets i attend to j (message j -> i): the transpose of ours.
        adj = edges.transpose(1, 2).to(x.dtype)
        h = F.elu(self.conv1(x, adj, mask=valid))
        return self.conv2(h, adj, mask=valid)

    def _sparse(self, x: Tensor, edges: Tensor, valid: Tensor) -> Tensor:
        n, t, _ = x.shape
        flat_valid = valid.reshape(-1)
        rows = flat_valid.nonzero().squeeze(1)
        compact = torch.cumsum(flat_valid, 0) - 1  # padded row -> row among the valid nodes
        graph, src, dst = edges.nonzero(as_tuple=True)  # GATConv's edge_index[0] -> edge_index[1]
        edge_index = torch.stack([compact[graph * t + src], compact[graph * t + dst]])
        h = x.reshape(n * t, -1).index_select(0, rows)
        h = F.elu(self.conv1(h, edge_index))
        h = self.conv2(h, edge_index)
        out = h.new_zeros(n * t, self.out_features).index_copy(0, rows, h)
        return out.reshape(n, t, self.out_features)
