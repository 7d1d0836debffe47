"""Analyses of access: site selection (``SiteFilter``), nearest-site distances (straight line or
along roads), coverage and zones blanches by commune, EPCI, département and day, French tables,
siting of one more site. Over the registry and the territory."""
