"""Registries as people write them: schema and vocabularies, file readers (CSV, Excel, GeoJSON,
GeoPackage, Soliguide, data·inclusion), row-by-row validation with rejects and warnings, rows
placed at their address with the Base Adresse Nationale (``geocoding``, ``geocoded``), opening
hours, partnerships and actions, and the validated atlas (``build_registries``). Over the territory."""
