"""Exercise definitions, one module per notebook of the chapter.

Importing this package imports every module in it, and each module registers its exercises
(``registry.register``). A new notebook's module is picked up without editing this file.
"""
import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
