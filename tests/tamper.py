"""Tricks a learner can play on in-kernel grading. None may earn a point under trusted grading.

Each trick is code put at the top of the first solution cell of 02-pooling-math; the functions
themselves are wrong (right shape and dtype, wrong values), so any point earned is the trick's.
Every trick earns points when the tests run in the learner's kernel under plain nbclient;
stock nbgrader 0.9.6 itself catches the two in ``CAUGHT_BY_STOCK`` (its Execute appends the
error from the kernel's execute reply when the output shows none), found by experiment. The
others earn points under stock nbgrader: proof that each is real.
"""
ASSIGNMENT = "02-pooling-math"
CAUGHT_BY_STOCK = {"custom_exception_handler_swallows_failures", "post_run_hook_clears_error_output"}

WRONG_POOL2D = '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError("bad mode")
    kh, kw = (pool_size, pool_size) if np.isscalar(pool_size) else pool_size
    sh, sw = (stride, stride) if np.isscalar(stride) else stride
    if kh > feature_map.shape[0] or kw > feature_map.shape[1]:
        raise ValueError("too big")
    shape = ((feature_map.shape[0] - kh) // sh + 1, (feature_map.shape[1] - kw) // sw + 1)
    dtype = feature_map.dtype if mode == "max" or feature_map.dtype.kind == "f" else np.float64
    return np.zeros(shape, dtype)
'''
WRONG_UNCOVERED = '''
def uncovered_cells(input_length, pool_size, stride, padding="valid"):
    if padding.lower() not in ("valid", "same") or min(input_length, pool_size, stride) < 1:
        raise ValueError("bad arguments")
    if padding.lower() == "valid" and pool_size > input_length:
        raise ValueError("the window does not fit")
    return ()
'''

TRICKS = {
    "input_transformer_blanks_later_cells": '''
get_ipython().input_transformers_cleanup.append(lambda lines: [])
''',
    "ast_transformer_wraps_cells_in_try": '''
import ast
class _Swallow(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=ast.Name("BaseException", ast.Load()), name=None, body=[ast.Pass()])
        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[], finalbody=[])]
        return ast.fix_missing_locations(node)
get_ipython().ast_transformers.append(_Swallow())
''',
    "numpy_comparisons_patched": '''
import numpy.testing
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
_real_isclose = np.isclose
np.isclose = lambda a, b, **k: np.ones(np.shape(b), bool)
np.count_nonzero = lambda *a, **k: 0
''',
    "import_hook_fakes_tensorflow": '''
import builtins, types
_real_import = builtins.__import__
def _fake_import(name, globals=None, locals=None, fromlist=(), level=0):
    if name == "tensorflow":
        tf = _real_import(name, globals, locals, fromlist, level)
        class _Zeros:
            def __init__(self, t): self.t = t
            def numpy(self): return np.zeros(self.t.numpy().shape, self.t.numpy().dtype)
            def __getattr__(self, a): return getattr(self.t, a)
        nn = types.SimpleNamespace(**{k: getattr(tf.nn, k) for k in dir(tf.nn) if not k.startswith("_")})
        nn.max_pool = lambda *a, **k: _Zeros(tf.nn.max_pool(*a, **k))
        nn.avg_pool = lambda *a, **k: _Zeros(tf.nn.avg_pool(*a, **k))
        fake = types.SimpleNamespace(**{k: getattr(tf, k) for k in dir(tf) if not k.startswith("_")})
        fake.nn = nn
        fake.__version__ = tf.__version__
        return fake
    return _real_import(name, globals, locals, fromlist, level)
builtins.__import__ = _fake_import
import sys
sys.modules.pop("tensorflow", None)
import autograder.tfops
autograder.tfops._tf = None
''',
    "tensorflow_ops_replaced": '''
_tf = autograder.tensorflow()
_real_max, _real_avg = _tf.nn.max_pool, _tf.nn.avg_pool
_tf.nn.max_pool = lambda *a, **k: _tf.zeros_like(_real_max(*a, **k))
_tf.nn.avg_pool = lambda *a, **k: _tf.zeros_like(_real_avg(*a, **k))
_tf.nn.avg_pool1d = lambda x, k, s, p: x  # every cell "read": uncovered_cells' reference says ()
''',
    "check_rebound_to_a_no_op": '''
check = lambda *args, **kwargs: print("\\u2714 all cases passed")
''',
    "compare_patched": '''
import autograder.judge
autograder.judge.compare = lambda actual, expected: None
''',
    "judge_patched": '''
import autograder.judge
autograder.judge.judge = lambda *args, **kwargs: None
''',
    "custom_exception_handler_swallows_failures": '''
get_ipython().set_custom_exc((Exception,), lambda shell, etype, evalue, tb, tb_offset=None: None)
''',
    "post_run_hook_clears_error_output": '''
from IPython.display import clear_output
get_ipython().events.register("post_run_cell", lambda result: clear_output())
''',
    "registry_cases_emptied": '''
import autograder.registry
autograder.registry._cases_tuple = lambda *args: ()
''',
    "verify_replaced_by_a_passing_verdict": '''
import autograder.kernel
_check_module = autograder.kernel
_real_verify = _check_module.verify
def _always_pass(name, func, which="visible", device=None):
    verdict = _real_verify(name, func, which, device)
    verdict.failures = []
    verdict.message = "\\u2714 passed"
    return verdict
_check_module.verify = _always_pass
''',
    "tensorflow_wrapper_returns_zeros": '''
import autograder.tfops
_real_run = autograder.tfops.run
def _zeroing_run(fn, *args, device_name=None, **kwargs):
    result = _real_run(fn, *args, device_name=device_name, **kwargs)
    return np.zeros_like(result) if isinstance(result, np.ndarray) else result
autograder.tfops.run = _zeroing_run
''',
    "expected_values_replaced": '''
import autograder.judge
def _learners_answer(self, exercise, which, index):
    case = exercise.cases(which)[index]
    return globals()[exercise.function](**case.fresh_kwargs())
autograder.judge.ReferenceCache.expected = _learners_answer
''',
}


def replacements(trick: str) -> dict:
    """Cell sources of the tampered submission: the trick, then wrong functions."""
    return {"pool2d": TRICKS[trick] + WRONG_POOL2D, "uncovered_cells": WRONG_UNCOVERED}
