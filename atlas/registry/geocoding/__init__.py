"""Registries geocoded: the rows of a registry placed with the engines of
:mod:`atlas.territory.geocoding`.

* :mod:`~atlas.registry.geocoding.rows` places the rows being read (one vectorised call per
  registry, BAN files first, then the online service when asked);
* :mod:`~atlas.registry.geocoding.write_back` writes a registry back with its geocoding, in the
  input's own dialect (``atlas geocode``).
"""
