"""SIGTERM, SIGINT and SIGHUP: stop a build, or only recorded while it must run to its end."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Interrupted(BaseException):
    """The process received one of STOP_SIGNALS."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class SignalGuard:
    """Turns STOP_SIGNALS into Interrupted, except while held, when they are only recorded.

    Only the first signal counts: later ones are ignored, so that cleaning up
    after the first is not cut short.
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._holding = False
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, _frame) -> None:
        if self.received is not None:
            return
        self.received = signum
        if not self._holding:
            raise Interrupted(signum)

    def hold(self) -> None:
        """From now on only record a signal: what follows must run to its end."""
        self._holding = True

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Only record a signal while the block runs; raise Interrupted after it if one came."""
        holding, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = holding
        if self.received is not None and not holding:
            raise Interrupted(self.received)


SIGNALS = SignalGuard()
