"""Non-learning methods: GREEDY, KM, WAIT-KM, GAME, ODTA, READY-KM, ADMIT-KM, ALL, RANDOM, LOOKAHEAD, TUNED-KM, all
acting through the env, and ``run_episode``, the one episode loop."""

from .admission import AdmissionPolicy, admit_km
from .episode import run_episode
from .game import GamePolicy, best_response_equilibrium, marginal_gains
from .heuristics import RandomPolicy, RulePolicy, greedy, km, ready_km, recommend_all, wait_km
from .lookahead import LookaheadPolicy, lookahead
from .odta import ODTAPolicy, threshold_assignment
from .policy import Policy
from .registry import available_methods, make_method, register_method
from .tuned import TunedKMPolicy, parse_cells

__all__ = [
    "AdmissionPolicy",
    "GamePolicy",
    "LookaheadPolicy",
    "ODTAPolicy",
    "Policy",
    "RandomPolicy",
    "RulePolicy",
    "TunedKMPolicy",
    "admit_km",
    "available_methods",
    "best_response_equilibrium",
    "greedy",
    "km",
    "lookahead",
    "make_method",
    "marginal_gains",
    "parse_cells",
    "ready_km",
    "recommend_all",
    "register_method",
    "run_episode",
    "threshold_assignment",
    "wait_km",
]
