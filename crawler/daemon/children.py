"""Child processes of the daemon, found through /proc, and how to stop them without orphans."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("presswatch.daemon")
PROC = Path("/proc")


@dataclass(frozen=True)
class ProcInfo:
    """The fields of /proc/<pid>/stat we need."""

    pid: int
    ppid: int
    pgid: int
    state: str


def read_stat(pid: int) -> ProcInfo | None:
    """Parse /proc/<pid>/stat (the command name may contain spaces and parentheses)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return ProcInfo(pid, int(fields[1]), int(fields[2]), fields[0])


def all_processes() -> list[ProcInfo]:
    """Every process visible in /proc."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            info = read_stat(int(entry.name))
            if info is not None:
                found.append(info)
    return found


def descendants(root: int, processes: Iterable[ProcInfo] | None = None) -> list[ProcInfo]:
    """Every process below `root` in the parent tree (not `root` itself)."""
    table = list(processes if processes is not None else all_processes())
    children: dict[int, list[ProcInfo]] = {}
    for info in table:
        children.setdefault(info.ppid, []).append(info)
    found: list[ProcInfo] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child.pid)
    return found


def live(processes: Iterable[ProcInfo]) -> list[ProcInfo]:
    """The ones still running (zombies excluded: their parent reaps them)."""
    return [p for p in processes if p.state != "Z"]


def signal_tree(root: int, signum: int) -> list[int]:
    """Send `signum` to every live descendant, and to the process group of any that leads one."""
    own_group = os.getpgid(root)
    targets = live(descendants(root))
    for info in targets:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if info.pgid == info.pid and info.pgid != own_group:
                os.killpg(info.pgid, signum)
            else:
                os.kill(info.pid, signum)
    return [info.pid for info in targets]


def terminate_children(root: int | None = None, *, grace: float = 5.0) -> int:
    """SIGTERM every descendant (and their groups), then SIGKILL what is left after `grace`."""
    pid = root if root is not None else os.getpid()
    targets = signal_tree(pid, signal.SIGTERM)
    if not targets:
        return 0
    log.warning("terminating %d crawl process(es): %s", len(targets), targets)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and live(descendants(pid)):
        time.sleep(0.1)
    leftovers = signal_tree(pid, signal.SIGKILL)
    if leftovers:
        log.warning("killed %d crawl process(es) that ignored SIGTERM", len(leftovers))
    return len(targets)
