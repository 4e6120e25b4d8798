"""``python -m autograder``: see :mod:`autograder.cli`."""
import sys

# nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed
# (jupyter_events pulls it in): that builds a Lark grammar for IRIs at import, about 70% of this
# command's start (2.8 s of 4 s on a 2-core machine). Notebook validation never checks an IRI, and
# jsonschema skips that one checker when the import fails, so the command does without it.
sys.modules.setdefault("rfc3987_syntax", None)

from .cli import main  # noqa: E402

sys.exit(main())
