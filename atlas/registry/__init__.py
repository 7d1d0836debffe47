"""Registries as people write them: schema and vocabularies, file readers (CSV, Excel, GeoJSON,
GeoPackage, Soliguide, data·inclusion), row-by-row validation with rejects and warnings, opening
hours, partnerships and actions, and the validated atlas (``build_atlas``). Over the territory."""
