"""Bad submissions of 02-pooling-math, and what grading must make of each.

``BAD[name] = (make, expected)``: ``make(nb)`` damages a correct submission (a notebook node) and
returns it, or returns bytes for a file that is not a notebook; ``expected`` maps each exercise
to ``(full marks?, text its message must contain)``. Every other exercise is graded normally.
"""
ASSIGNMENT = "02-pooling-math"

_LENGTH_OK = '''
def pool_output_length(input_length, pool_size, stride, padding="valid"):
    return (input_length - pool_size) // stride + 1 if padding.lower() == "valid" else -(-input_length // stride)
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
    nb.cells.insert(next(i for i, c in enumerate(nb.cells) if c.id == "pool_output_length") + 1, cell)
    return nb


OK = (True, "")
BAD = {
    "infinite_loop_in_a_function": (_replace("pool_output_length", '''
def pool_output_length(input_length, pool_size, stride, padding="valid"):
    while True:
        pass
'''), {"pool2d": OK, "pool_output_length": (False, "ran longer than")}),
    "loop_that_ignores_interrupts": (_replace("pool_output_length", _LENGTH_OK + '''
import time
while True:
    try:
        time.sleep(0.1)
    except BaseException:
        pass
'''), {"pool2d": OK, "pool_output_length": (False, "no function named pool_output_length")}),
    "huge_allocation": (_replace("pool2d", '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    waste = np.ones((1 << 37,), dtype=np.float64)
    return waste
'''), {"pool2d": (False, "MemoryError"), "pool_output_length": OK}),
    "os_exit": (_replace("pool_output_length", "import os\nos._exit(3)\n" + _LENGTH_OK),
                {"pool2d": OK, "pool_output_length": (False, "no function named pool_output_length")}),
    "segfault": (_replace("pool2d", '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    import ctypes
    return ctypes.string_at(0)
'''), {"pool2d": (False, "SIGSEGV"), "pool_output_length": OK}),
    "sys_exit": (_replace("pool2d", '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    import sys
    sys.exit("bye")
'''), {"pool2d": (False, "SystemExit"), "pool_output_length": OK}),
    "malformed_json": (lambda nb: b'{"cells": [{"cell_type": "code", "source": "def pool2d(',
                       {"pool2d": (False, "could not be read"), "pool_output_length": (False, "could not be read")}),
    "deleted_function": (_replace("pool2d", "# I will do this later\n"),
                         {"pool2d": (False, "no function named pool2d"), "pool_output_length": OK}),
    "renamed_function": (_replace("pool_output_length", _LENGTH_OK.replace("def pool_output_length", "def output_length")),
                         {"pool2d": OK, "pool_output_length": (False, "no function named pool_output_length")}),
    "deleted_test_cells": (_drop("pool2d_visible", "pool2d_hidden"),
                           {"pool2d": (False, "missing from the notebook"), "pool_output_length": OK}),
    "edited_test_cells": (_replace("pool_output_length_visible", "print('all good')\n"),
                          {"pool2d": OK, "pool_output_length": OK}),
    "changed_kernel_name": (_kernel, {"pool2d": OK, "pool_output_length": OK}),
    "prints_megabytes": (_megabytes, {"pool2d": OK, "pool_output_length": OK}),
}
