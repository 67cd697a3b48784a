"""Crawl processes found through /proc (presswatch runs on Linux): descendants, which still run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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
