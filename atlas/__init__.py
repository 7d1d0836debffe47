"""atlas: who feeds whom in a territory.

A library (and the ``atlas`` command line) for Projets Alimentaires Territoriaux and food-aid
coordinators: reference territory (communes, EPCI, départements), actor registries, access
distances and *zones blanches*, the partnership graph, printable and interactive maps.
"""

from atlas.errors import AtlasError

__version__ = "0.1.0"

__all__ = ["AtlasError", "__version__"]
