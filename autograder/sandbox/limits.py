"""The learner process's resource limits: the one place their defaults are written.

The grading command's options, the nbgrader preprocessor's settings and the README's numbers are
all derived from :class:`Limits` (``tests/test_limits.py`` checks the README against it).
"""
from __future__ import annotations

import dataclasses

__all__ = ["Limits", "MIN_MEMORY_MB", "MIN_TIMEOUT_S"]

# Found by experiment (Python 3.11, numpy 2.4 with OpenBLAS, x86_64): the learner process starts and
# imports numpy in 100 MB of address space and fails at 80 MB ("OpenBLAS error: Memory allocation
# still failed"); 256 MB leaves room for a small notebook. Below it every learner would get zero.
MIN_MEMORY_MB = 256
MIN_TIMEOUT_S = 1.0


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits of the learner's process.

    Attributes:
        cell_timeout: seconds one notebook cell may run.
        call_timeout: seconds one call of a learner's function may run.
        memory_mb: address space of the learner's process (``RLIMIT_AS``), in MB.
        file_mb: the largest file it may write (``RLIMIT_FSIZE``), in MB.
    """

    cell_timeout: float = 30.0
    call_timeout: float = 10.0
    memory_mb: int = 4096
    file_mb: int = 64

    def __post_init__(self):
        if not self.cell_timeout >= MIN_TIMEOUT_S or not self.call_timeout >= MIN_TIMEOUT_S:
            raise ValueError(f"timeouts must be at least {MIN_TIMEOUT_S:g} s; received cell_timeout="
                             f"{self.cell_timeout!r}, call_timeout={self.call_timeout!r}")
        if not self.memory_mb >= MIN_MEMORY_MB:
            raise ValueError(f"memory_mb must be at least {MIN_MEMORY_MB} (Python and numpy need about 100 MB "
                             f"to start); received {self.memory_mb!r}")
        if not self.file_mb >= 1:
            raise ValueError(f"file_mb must be at least 1; received {self.file_mb!r}")

    @classmethod
    def from_cell_timeout(cls, cell_timeout: float, memory_mb: int | None = None) -> "Limits":
        """Limits for a per-cell time limit: a call gets a third of it (at least the minimum)."""
        default = cls()
        call = max(MIN_TIMEOUT_S, cell_timeout * default.call_timeout / default.cell_timeout)
        return cls(cell_timeout, call, default.memory_mb if memory_mb is None else memory_mb)
