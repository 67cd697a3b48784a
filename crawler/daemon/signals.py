"""Signal flags: handlers only set flags; the main loop acts on them (no locks in handlers)."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from types import FrameType


@dataclass
class SignalFlags:
    """What arrived since the main loop last looked."""

    stop: int = 0
    reload: bool = False

    def install(self) -> SignalFlags:
        """SIGTERM/SIGINT ask to stop; SIGHUP asks to reload the configuration."""
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_reload)
        return self

    def _on_stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stop = signum

    def _on_reload(self, _signum: int, _frame: FrameType | None) -> None:
        self.reload = True

    def take_reload(self) -> bool:
        """Whether a reload was asked for (clears the flag)."""
        asked, self.reload = self.reload, False
        return asked


def restore_defaults() -> None:
    """Put the default handlers back (after the daemon stopped)."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
