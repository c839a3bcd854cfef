"""Wrappers that adapt the dynamic-agent env to libraries with other assumptions."""

from .fixed_slots import INFO_KEYS, FixedSlots, slot_fields

__all__ = ["INFO_KEYS", "FixedSlots", "slot_fields"]
