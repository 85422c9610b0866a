"""The shared kernel: ids, database routing, Redis keys, API base. Imports nothing from apps/."""
