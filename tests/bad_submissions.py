"""Bad submissions of 02-pooling-math, and what grading must make of each.

``BAD[name] = (make, expected)``: ``make(nb)`` damages a correct submission (a notebook node) and
returns it, or returns bytes for a file that is not a notebook; ``expected`` maps each exercise
to ``(full marks?, text its message must contain)``. Every other exercise is graded normally.
"""
ASSIGNMENT = "02-pooling-math"

_UNCOVERED_OK = '''
def uncovered_cells(input_length, pool_size, stride, padding="valid"):
    mode = padding.lower()
    if mode not in ("valid", "same") or min(input_length, pool_size, stride) < 1:
        raise ValueError(f"bad arguments {(input_length, pool_size, stride, padding)}")
    if mode == "valid" and pool_size > input_length:
        raise ValueError("the window does not fit")
    n = -(-input_length // stride) if mode == "same" else (input_length - pool_size) // stride + 1
    before = max(0, (n - 1) * stride + pool_size - input_length) // 2 if mode == "same" else 0
    read = {c for i in range(n) for c in range(i * stride - before, i * stride - before + pool_size)}
    return tuple(c for c in range(input_length) if c not in read)
'''


def _replace(cell_id, source):
    def make(nb):
        for cell in nb.cells:
            if cell.id == cell_id:
                cell.source = source
        return nb
    return make


def _drop(*ids):
    def make(nb):
        nb.cells = [c for c in nb.cells if c.id not in ids]
        return nb
    return make


def _kernel(nb):
    nb.metadata.kernelspec = {"name": "python2", "display_name": "Python 2", "language": "python"}
    return nb


def _megabytes(nb):
    from nbformat.v4 import new_code_cell

    cell = new_code_cell('print("x" * 20_000_000)')
    cell.id = "learner-prints-a-lot"
    nb.cells.insert(next(i for i, c in enumerate(nb.cells) if c.id == "uncovered_cells") + 1, cell)
    return nb


OK = (True, "")
BAD = {
    "infinite_loop_in_a_function": (_replace("uncovered_cells", '''
def uncovered_cells(input_length, pool_size, stride, padding="valid"):
    while True:
        pass
'''), {"pool2d": OK, "uncovered_cells": (False, "ran longer than")}),
    "loop_that_ignores_interrupts": (_replace("uncovered_cells", _UNCOVERED_OK + '''
import time
while True:
    try:
        time.sleep(0.1)
    except BaseException:
        pass
'''), {"pool2d": OK, "uncovered_cells": (False, "no function named uncovered_cells")}),
    "huge_allocation": (_replace("pool2d", '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    waste = np.ones((1 << 37,), dtype=np.float64)
    return waste
'''), {"pool2d": (False, "MemoryError"), "uncovered_cells": OK}),
    "os_exit": (_replace("uncovered_cells", "import os\nos._exit(3)\n" + _UNCOVERED_OK),
                {"pool2d": OK, "uncovered_cells": (False, "no function named uncovered_cells")}),
    "segfault": (_replace("pool2d", '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    import ctypes
    return ctypes.string_at(0)
'''), {"pool2d": (False, "SIGSEGV"), "uncovered_cells": OK}),
    "sys_exit": (_replace("pool2d", '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    import sys
    sys.exit("bye")
'''), {"pool2d": (False, "SystemExit"), "uncovered_cells": OK}),
    "malformed_json": (lambda nb: b'{"cells": [{"cell_type": "code", "source": "def pool2d(',
                       {"pool2d": (False, "could not be read"), "uncovered_cells": (False, "could not be read")}),
    "deleted_function": (_replace("pool2d", "# I will do this later\n"),
                         {"pool2d": (False, "no function named pool2d"), "uncovered_cells": OK}),
    "renamed_function": (_replace("uncovered_cells", _UNCOVERED_OK.replace("def uncovered_cells", "def unread_cells")),
                         {"pool2d": OK, "uncovered_cells": (False, "no function named uncovered_cells")}),
    "deleted_test_cells": (_drop("pool2d_visible", "pool2d_hidden"),
                           {"pool2d": (False, "missing from the notebook"), "uncovered_cells": OK}),
    "edited_test_cells": (_replace("uncovered_cells_visible", "print('all good')\n"),
                          {"pool2d": OK, "uncovered_cells": OK}),
    "changed_kernel_name": (_kernel, {"pool2d": OK, "uncovered_cells": OK}),
    "prints_megabytes": (_megabytes, {"pool2d": OK, "uncovered_cells": OK}),
}
