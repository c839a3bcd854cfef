"""Stage 2: matching recommended subtasks with idle workers (Eq. 9-13, KM, greedy)."""

from .assignment import greedy_assignment, km_assignment
from .problem import (
    BUILTIN_MATCHERS,
    Matcher,
    MatchingProblem,
    check_assignment,
    check_matcher,
    greedy_matcher,
    km_matcher,
    pair_test,
)
from .utility import (
    distance_utility,
    matching_utility,
    skill_utility,
    time_utility,
    utility_weights,
)

__all__ = [
    "BUILTIN_MATCHERS",
    "Matcher",
    "MatchingProblem",
    "check_assignment",
    "check_matcher",
    "greedy_matcher",
    "km_matcher",
    "pair_test",
    "distance_utility",
    "greedy_assignment",
    "km_assignment",
    "matching_utility",
    "skill_utility",
    "time_utility",
    "utility_weights",
]
