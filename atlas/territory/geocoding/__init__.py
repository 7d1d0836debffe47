"""Geocoding engines: where an address or a commune is, knowing nothing of registries.

* :mod:`~atlas.territory.geocoding.address` parses addresses as people type them and builds the
  street keys every engine compares;
* :mod:`~atlas.territory.geocoding.gazetteer` places a row at its commune's town hall (INSEE code, or
  postcode and name, former communes included);
* :mod:`~atlas.territory.geocoding.ban` places addresses with the Base Adresse Nationale's
  département files (offline, indexed once);
* :mod:`~atlas.territory.geocoding.ban_online` does the same with the BAN's online batch geocoder
  (only when asked).

Registry rows are placed with these engines by :mod:`atlas.registry.geocoding` (one layer up).
"""
