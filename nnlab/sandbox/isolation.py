"""How much of the sandbox's isolation this process's gradings got: full, or reduced and how.

Every report carries it (see :func:`isolation_report`), from what the sandbox managed, not
from a guess: whether this process runs as root (the user switch, the private world and
the cgroups need it), whether cgroups could be made here (:func:`cgroups.unavailable`,
which tried), and what the launcher asked of each child (a private world, cgroups) and
what the child said it got when it confined itself, before any learner code ran (a new
root, or only the grader's folders covered; its own PID namespace; the user switch),
noted with :func:`note` and :func:`note_child`. No child is started for it: a report costs
a few attribute reads (``cgroups.unavailable`` is computed once per process).
"""

from __future__ import annotations

import os
from typing import Any

FULL, REDUCED = "full", "reduced"

NOT_ROOT = "not root: no user switch, private folders or namespaces"
NO_WORLD = "private world off: no namespaces or private folders"
NO_CGROUPS = "no cgroups{why}: memory limit polled, no CPU or process limits"
NO_CHILD_CGROUPS = "cgroups could not be made for a child: its memory limit polled"
STAYED_ROOT = "user switch failed: a child ran as root"
NO_MOUNT_VIEW = "no mount namespace: temporary folders shared, grader's files readable"
COVERED = "no new root: the machine's folders in sight, the grader's covered"
NO_PID_NAMESPACE = "no PID namespace: a child saw other processes"

# what children of this process got less of than they were asked for (in order, once each)
_seen: dict[str, None] = {}


def isolation_report() -> dict[str, Any]:
    """``{"isolation": "full"|"reduced", "reduced": [what is reduced, and why]}``."""
    reduced = list(dict.fromkeys([*_process_reductions(), *_seen]))
    return {"isolation": REDUCED if reduced else FULL, "reduced": reduced}


def _process_reductions() -> list[str]:
    """What every child of this process lacks: known without asking one."""
    from nnlab.sandbox import cgroups

    found = []
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not as_root:
        found.append(NOT_ROOT)
    why = cgroups.unavailable()
    if why is not None:
        found.append(NO_CGROUPS.format(why="" if not as_root else f" ({why})"))
    return found


def note(reduction: str) -> None:
    """A child of this process got less than it was asked for."""
    _seen.setdefault(reduction, None)


def note_child(asked: dict[str, Any], confined: Any) -> None:
    """Compare what a child was asked for (its ``settings``) with what it said it got when
    it confined itself (server.confine: ``user``, ``world``, ``pid``)."""
    if not isinstance(confined, dict):
        return
    if asked.get("uid") is not None and confined.get("user") is not True:
        note(STAYED_ROOT)
    if asked.get("world"):
        world = confined.get("world")
        if world == "covered":
            note(COVERED)
        elif world != "new_root":
            note(NO_MOUNT_VIEW)
    if asked.get("pid_namespace") and confined.get("pid") is not True:
        note(NO_PID_NAMESPACE)
