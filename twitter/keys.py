"""Every Redis key of the platform is built here, and nowhere else."""


def recent_write(user_id: int) -> str:
    """Set for a short while after `user_id` wrote: their reads then use the primary."""
    return f"rw:{user_id}"


def beat_heartbeat() -> str:
    """Unix time of the last run of the periodic heartbeat task."""
    return "beat:heartbeat"
