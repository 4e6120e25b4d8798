"""The learner's resource limits: the one place their defaults are written.

The grading command's options, the nbgrader preprocessor's settings and the README's numbers are
all derived from :class:`Limits` (``tests/test_sandbox.py`` checks the README against it).
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
    """Resource limits of the learner's code.

    Attributes:
        cell_timeout: seconds one notebook cell may run.
        call_timeout: seconds one call of a learner's function may run.
        total_timeout: seconds the whole notebook may take, cells and calls together (restarts
            included); what is left when it runs out scores zero, with a message naming it.
        memory_mb: memory of the learner's whole process tree (its control group, where the host
            gives one), and of each of its processes (``RLIMIT_AS``), in MB.
        file_mb: the largest file it may write (``RLIMIT_FSIZE``), in MB.
        disk_mb: every file it writes together (its work folder is a file system of this size,
            where the host allows a mount namespace), in MB.
        processes: processes and threads its tree may hold at once.
    """

    cell_timeout: float = 30.0
    call_timeout: float = 10.0
    memory_mb: int = 4096
    file_mb: int = 64
    total_timeout: float = 120.0
    disk_mb: int = 256
    processes: int = 64

    def __post_init__(self):
        if not (self.cell_timeout >= MIN_TIMEOUT_S and self.call_timeout >= MIN_TIMEOUT_S
                and self.total_timeout >= MIN_TIMEOUT_S):
            raise ValueError(f"timeouts must be at least {MIN_TIMEOUT_S:g} s; received cell_timeout="
                             f"{self.cell_timeout!r}, call_timeout={self.call_timeout!r}, "
                             f"total_timeout={self.total_timeout!r}")
        if not self.memory_mb >= MIN_MEMORY_MB:
            raise ValueError(f"memory_mb must be at least {MIN_MEMORY_MB} (Python and numpy need about 100 MB "
                             f"to start); received {self.memory_mb!r}")
        if not self.file_mb >= 1:
            raise ValueError(f"file_mb must be at least 1; received {self.file_mb!r}")
        if not self.disk_mb >= self.file_mb:
            raise ValueError(f"disk_mb must be at least file_mb ({self.file_mb}); received {self.disk_mb!r}")
        if not self.processes >= 8:
            raise ValueError(f"processes must be at least 8 (Python's own threads); received {self.processes!r}")

    @classmethod
    def from_cell_timeout(cls, cell_timeout: float, memory_mb: int | None = None,
                          total_timeout: float | None = None) -> "Limits":
        """Limits for a per-cell time limit: a call gets a third of it (at least the minimum)."""
        default = cls()
        call = max(MIN_TIMEOUT_S, cell_timeout * default.call_timeout / default.cell_timeout)
        return dataclasses.replace(default, cell_timeout=cell_timeout, call_timeout=call,
                                   memory_mb=default.memory_mb if memory_mb is None else memory_mb,
                                   total_timeout=default.total_timeout if total_timeout is None else total_timeout)
