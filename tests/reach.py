"""What a dishonest learner's code tries to read or reach from the grading process.

Each trick replaces 02-pooling-math's ``pool2d`` cell. Its ``pool2d`` attempts one thing once,
at import, and then returns ``"GOT:<what it got>"`` or ``"DENIED:<the error>"`` for every call:
returned values are what a verdict message shows a learner ("returned str 'GOT:...'"), so a
trick that reached anything would carry it into the learner's feedback. Every trick is wrong by
construction, so it scores zero like the control (a plain wrong function); what the tests check
is that the reach itself was refused (``DENIED`` in the message, no ``GOT``, and no side effect).
"""
from __future__ import annotations

import json

A = "02-pooling-math"

_RETURN = '''
def pool2d(feature_map, pool_size, stride, mode="max"):
    return _RESULT
'''


def _attempt(body: str) -> str:
    return ("def _attempt():\n" + "".join("    " + line + "\n" for line in body.strip().splitlines())
            + "try:\n    _RESULT = 'GOT:' + str(_attempt())[:60]\n"
            "except BaseException as exc:\n    _RESULT = 'DENIED:' + type(exc).__name__\n" + _RETURN)


def tricks(targets: dict) -> dict[str, str]:
    """The tricks' cell sources; ``targets``: absolute paths, a port and a pid chosen by the test."""
    t = {k: json.dumps(v) for k, v in targets.items()}
    return {
        "read_solutions": _attempt(f'''
import json
nb = json.load(open({t["solutions"]}))
return [c for c in nb["cells"] if c.get("id") == "pool2d"][0]["source"]'''),
        "read_gradebook": _attempt(f'''
return open({t["gradebook"]}, "rb").read(40)'''),
        "read_secret_file": _attempt(f'''
return open({t["secret"]}).read()'''),
        "secret_from_the_environment": _attempt('''
import os
return os.environ["AUTOGRADER_SECRET"]'''),
        "list_the_repository": _attempt(f'''
import os
return sorted(os.listdir({t["root"]}))'''),
        "find_the_repository_from_the_package": _attempt('''
import os, autograder
root = os.path.dirname(os.path.dirname(autograder.__file__))
return open(os.path.join(root, "solutions", "02-pooling-math", "02-pooling-math.ipynb")).read(80)'''),
        "write_outside_the_work_folder": _attempt(f'''
with open({t["outside"]}, "w") as f:
    f.write("written by a learner")
return "wrote"'''),
        "tcp_connection": _attempt(f'''
import socket
s = socket.create_connection(("127.0.0.1", {t["port"]}), timeout=3)
s.sendall(b"hello")
return "connected"'''),
        "signal_the_grader": _attempt(f'''
import os, signal
os.kill({t["pid"]}, signal.SIGUSR1)
return "signalled"'''),
        "grader_environment_through_proc": _attempt(f'''
return open("/proc/{targets["pid"]}/environ", "rb").read(60)'''),
    }


MARKERS = ("GOT:", "DENIED:")
