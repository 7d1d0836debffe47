"""``atlas web``: one self-contained offline HTML page (topology, popup records, shape layers, the
page; vendored Leaflet in ``assets/``). Never imports :mod:`atlas.maps.print`."""
