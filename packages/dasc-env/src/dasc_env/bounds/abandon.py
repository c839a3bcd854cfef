"""Abandoned tasks in the hindsight model: the env's drop rule, as CP-SAT constraints.

A plan may start a task and never complete it: its matched subtasks cost ``kappa * d`` (the env books the
task as failed with ``-kappa * sum d``, Eq. 1 without payment) but they move workers -- closer to a later task
(less lateness), or within L^w of a subtask out of their reach before. So the hindsight optimum must allow it.

The env, though, fails a live task as soon as an open subtask could not finish by t^d_tau even if it started
at once (``simulator.feasibility.hopeless_tasks``), and a failed task's open subtasks are dropped. A plan that
abandons task q must therefore make all its matches before that test fails. Up to the epoch M of its last
match the test at M is the binding one (an earlier test sees an earlier clock and finish times no later), so
with ``before_u`` = "u is matched at an epoch < M" the model requires, per subtask u of q,

    check_u >= finish_u                          if before_u
    check_u >= M * Delta + t_u                   if the task is started and not before_u
    check_u >= check_p + t_u                     for every predecessor p
    check_u <= t^d_tau(u)

which is the env's test at M exactly (assigned subtasks count with their finish, open ones from "now"). For a
completed task the same constraints hold automatically, so they are posted for every task of 2+ subtasks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .instance import ClairvoyantInstance


class DropRule(NamedTuple):
    """The drop rule's variables of one task."""

    started: object
    """Bool: the plan matches one of the task's subtasks."""
    last: object
    """Int: M, the epoch of its last match."""
    check: dict
    """Subtask -> int: its finish as the env's test at M sees it (ticks)."""
    before: dict
    """Subtask -> bool: matched at an epoch < M."""


def add_drop_rule(cp, inst: ClairvoyantInstance, assigned: Mapping, epoch: Mapping, start: Mapping
                  ) -> dict[int, DropRule]:
    """Post the drop rule into the CP-SAT model ``cp`` for every alive task of ``inst``, given the model's
    variables per subtask that may be matched: ``assigned`` (bool), ``epoch`` of the match and ``start`` (ticks)."""
    sc = inst.scenario
    tpe = inst.clock.ticks_per_epoch
    rule = {}
    for q in np.flatnonzero(inst.alive):
        subs = range(sc.task_ptr[q], sc.task_ptr[q + 1])
        used = [s for s in subs if s in assigned]
        if len(subs) < 2 or not used:
            continue
        started = cp.new_bool_var(f"started{q}")
        cp.add(started <= sum(assigned[s] for s in used))
        last = cp.new_int_var(int(inst.first_epoch[q]), int(inst.last_epoch), f"M{q}")
        check, before = {}, {}
        for u in subs:
            check[u] = cp.new_int_var(int(inst.earliest_check[u]), int(inst.latest_finish[u]), f"check{u}")
            for p in sc.edges[sc.edges[:, 1] == u, 0]:
                cp.add(check[u] >= check[p] + int(inst.duration[u]))
            now = [started]
            if u in assigned:
                x = assigned[u]
                cp.add_implication(x, started)
                before[u] = b = cp.new_bool_var(f"before{u}")
                cp.add_implication(b, x)
                cp.add(last >= epoch[u]).only_enforce_if(x)
                cp.add(epoch[u] + 1 <= last).only_enforce_if(b)
                cp.add(epoch[u] >= last).only_enforce_if([x, ~b])
                cp.add(check[u] >= start[u] + int(inst.duration[u])).only_enforce_if(b)
                now.append(~b)
            cp.add(check[u] >= tpe * last + int(inst.duration[u])).only_enforce_if(now)
        rule[q] = DropRule(started, last, check, before)
    return rule


def hint_drop_rule(cp, inst: ClairvoyantInstance, rule: dict[int, DropRule], epoch: dict, start: dict) -> None:
    """Hint ``rule``'s variables (``add_drop_rule``) for a plan that matches subtask s at ``epoch[s]``, starting
    ``start[s]``."""
    sc = inst.scenario
    for q, (started, last, check, before) in rule.items():
        subs = range(sc.task_ptr[q], sc.task_ptr[q + 1])
        done = [s for s in subs if s in epoch]
        cp.add_hint(started, bool(done))
        final = max((epoch[s] for s in done), default=int(inst.first_epoch[q]))
        cp.add_hint(last, final)
        for u, value in drop_checks(inst, q, epoch, start).items():
            if u in before:
                cp.add_hint(before[u], u in epoch and epoch[u] < final)
            cp.add_hint(check[u], value)


def drop_checks(inst: ClairvoyantInstance, q: int, epoch: dict, start: dict) -> dict[int, int]:
    """Per subtask u of task q, the least ``check_u`` the drop rule's constraints allow for a plan that matches
    subtask s at ``epoch[s]`` starting ``start[s]`` (ticks); the plan keeps the rule where each is at most
    ``inst.latest_finish[u]``."""
    sc, tpe = inst.scenario, inst.clock.ticks_per_epoch
    subs = range(sc.task_ptr[q], sc.task_ptr[q + 1])
    done = [s for s in subs if s in epoch]
    final = max((epoch[s] for s in done), default=int(inst.first_epoch[q]))
    value = {}
    for u in subs:
        preds = sc.edges[sc.edges[:, 1] == u, 0]
        low = [int(inst.earliest_check[u])] + [value[p] + int(inst.duration[u]) for p in preds]
        if u in epoch and epoch[u] < final:
            low.append(start[u] + int(inst.duration[u]))
        elif done:
            low.append(tpe * final + int(inst.duration[u]))
        value[u] = max(low)
    return value
