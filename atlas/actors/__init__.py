"""The cartographie des acteurs: the partnership graph (model), its reading (metrics,
communities, bridges), follow-up indicators, exports (GEXF, GraphML, CSV) and drawings. Over the
registry and the territory."""
