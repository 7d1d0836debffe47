"""``atlas print``: the A3 PDF hand-out (sites table, sheet geometry, map frame, legend, renderer,
atlas mode). Never imports :mod:`atlas.maps.web`."""
