"""Networks of RMO (Fig. 3): the GAT graph encoder, the actor and the critic."""

from .actor import Actor
from .critic import Critic
from .gat import GraphEncoder

__all__ = ["Actor", "Critic", "GraphEncoder"]
