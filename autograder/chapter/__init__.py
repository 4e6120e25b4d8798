"""Exercise definitions, one module per notebook of the chapter. Importing this package registers them all."""
from . import pooling_math  # noqa: F401  02-pooling-math
