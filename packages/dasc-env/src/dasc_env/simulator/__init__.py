"""The simulator: DASC dynamics on arrays, revenue (Eq. 1, 3) and the ledger."""

from .ledger import Ledger, MatchRecord, TaskOutcome, verify_ledger
from .outcome import EpochOutcome
from .revenue import payment_after_delay, shaped_reward, task_revenue
from .simulator import Simulator

__all__ = [
    "EpochOutcome",
    "Ledger",
    "MatchRecord",
    "Simulator",
    "TaskOutcome",
    "payment_after_delay",
    "shaped_reward",
    "task_revenue",
    "verify_ledger",
]
