"""Exercise definitions, one module per notebook of the chapter.

Each module names its notebook (``NOTEBOOK``) and registers its exercises
(``registry.register``) when imported. Importing this package imports none of them:
:func:`autograder.registry.load` imports them all, explicitly, so a new notebook's module is
picked up without editing this file, and importing a figure helper never builds the registry.
"""
