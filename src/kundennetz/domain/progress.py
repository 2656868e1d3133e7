"""Progress of long work as people read it: a share done and the time left, from rows done so far."""

from __future__ import annotations


def percent(done: int, total: int) -> int:
    """Whole percent done, 0–100 (100 only when everything is done)."""
    if total <= 0:
        return 0
    done = max(0, min(done, total))
    share = done * 100 // total
    return 100 if done == total else min(share, 99)


def seconds_left(elapsed: float, done: int, total: int) -> int | None:
    """Seconds still to go at the pace so far, or None while too little is done to tell."""
    if total <= 0 or done <= 0 or elapsed <= 0 or done >= total:
        return None if done < total or total <= 0 else 0
    return max(0, round(elapsed * (total - done) / done))
