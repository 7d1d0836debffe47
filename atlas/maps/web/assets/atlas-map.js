/* atlas-map.js — atlas's own script for the offline interactive map (MIT, atlas authors).
 *
 * Reads the JSON data blob written by atlas/webmap.py (element #atlas-data) and builds every
 * layer with Leaflet: communes (canvas), EPCI borders, analysis layers, partnership lines and
 * one marker per located actor in a MarkerClusterGroup, switchable by kind.
 *
 * Safety: registry text is NEVER inserted as HTML. Popups, tooltips, search results and
 * titles are built with document.createElement + textContent; link targets are checked
 * (http/https, mailto, tel only). The JSON blob itself is escaped server-side (no "<", ">",
 * "&" characters), so it cannot close its <script> element.
 *
 * Written in ES5 so that it runs in old browsers of town-hall offices.
 */
(function (global) {
  'use strict';

  /* element with class and text, and the data-atlas-* statistics: atlas-labels.js, loaded first */
  var el = global.AtlasDom.el, setStat = global.AtlasDom.setStat;

  /* Decode a flat delta-encoded ring/line [x0, y0, dx1, dy1, ...] in 1e-5 degrees. */
  function decodeLine(flat) {
    var out = [], x = 0, y = 0, i;
    for (i = 0; i + 1 < flat.length; i += 2) {
      x += flat[i];
      y += flat[i + 1];
      out.push([y / 1e5, x / 1e5]);
    }
    return out;
  }

  /* Multipolygon: [[ring, hole...], ...] -> Leaflet nested lat/lng arrays. */
  function decodePolygons(geom) {
    var polys = [], p, r, rings;
    for (p = 0; p < geom.length; p++) {
      rings = [];
      for (r = 0; r < geom[p].length; r++) { rings.push(decodeLine(geom[p][r])); }
      polys.push(rings);
    }
    return polys;
  }

  /* Shared arcs of the communes: each arc's first point is relative to the previous arc's end. */
  function decodeArcs(arcs) {
    var out = [], x = 0, y = 0, a, i, pts;
    for (a = 0; a < arcs.length; a++) {
      pts = [];
      for (i = 0; i + 1 < arcs[a].length; i += 2) {
        x += arcs[a][i];
        y += arcs[a][i + 1];
        pts.push([y / 1e5, x / 1e5]);
      }
      out.push(pts);
    }
    return out;
  }

  /* A ring from arc references (~i: arc i reversed). */
  function ringFromArcs(arcs, refs) {
    var ring = [], r, pts, k;
    for (r = 0; r < refs.length; r++) {
      pts = refs[r] >= 0 ? arcs[refs[r]] : arcs[~refs[r]].slice().reverse();
      for (k = ring.length ? 1 : 0; k < pts.length; k++) { ring.push(pts[k]); }
    }
    if (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) {
      ring.pop();
    }
    return ring;
  }

  function polygonsFromArcs(arcs, geom) {
    var polys = [], p, r, rings;
    for (p = 0; p < geom.length; p++) {
      rings = [];
      for (r = 0; r < geom[p].length; r++) { rings.push(ringFromArcs(arcs, geom[p][r])); }
      polys.push(rings);
    }
    return polys;
  }

  function decodeLines(geom) {
    var lines = [], i;
    for (i = 0; i < geom.length; i++) { lines.push(decodeLine(geom[i])); }
    return lines;
  }

  function fold(text) {
    var s = String(text || '').toLowerCase();
    if (s.normalize) { s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, ''); }
    return s.replace(/œ/g, 'oe').replace(/æ/g, 'ae').replace(/[^a-z0-9]+/g, ' ').replace(/^ +| +$/g, '');
  }

  function textTooltip(text) {
    return function () { return el('span', 'atlas-tip', text); };
  }

  function safeHref(kind, value) {
    var v = String(value || '');
    if (kind === 'url') { return /^https?:\/\/[^\s"'<>]+$/i.test(v) ? v : null; }
    if (kind === 'mail') { return /^[^@\s"'<>]+@[^@\s"'<>]+\.[^@\s"'<>]+$/.test(v) ? 'mailto:' + v : null; }
    if (kind === 'tel') { var d = v.replace(/[^0-9+]/g, ''); return /^[0-9+().\s\/-]*$/.test(v) && d.length >= 4 ? 'tel:' + d : null; }
    return null;
  }

  /* « 12. Restos du Cœur – Lens »: a site's number (the printed sheet's), name and commune. */
  function actorLine(actor) {
    return (actor.no ? actor.no + '. ' : '') + actor.n + (actor.c ? ' – ' + actor.c : '');
  }

  function buildPopup(data, actor) {
    var box = el('div', 'atlas-popup');
    box.setAttribute('data-actor-id', actor.i);
    var name = el('div', 'atlas-popup-name');
    if (actor.no) {
      name.appendChild(el('span', 'atlas-popup-no', String(actor.no)));
      name.appendChild(document.createTextNode(' '));
    }
    name.appendChild(document.createTextNode(actor.n));
    box.appendChild(name);
    var kind = data.kinds[actor.k];
    box.appendChild(el('div', 'atlas-popup-kind', actor.kl || kind[1]));
    if (actor.no) { box.appendChild(el('div', 'atlas-popup-paper', data.labels.number + '\u00a0' + actor.no + ' : ' + data.labels.paper)); }
    if (actor.x) { box.appendChild(el('div', 'atlas-popup-fictif', data.labels.fictitious)); }
    if (actor.v) { box.appendChild(el('div', 'atlas-popup-verifier', actor.v)); }
    var table = el('table', 'atlas-popup-fields'), i, f, row, cell, link, href;
    for (i = 0; i < actor.f.length; i++) {
      f = actor.f[i];
      row = el('tr');
      row.appendChild(el('th', null, data.fields[f[0]][0]));
      cell = el('td');
      href = safeHref(data.fields[f[0]][1], f[1]);
      if (href) {
        link = el('a', null, f[1]);
        link.href = href;
        if (href.indexOf('http') === 0) { link.target = '_blank'; link.rel = 'noopener noreferrer'; }
        cell.appendChild(link);
      } else {
        cell.textContent = f[1];
      }
      row.appendChild(cell);
      table.appendChild(row);
    }
    box.appendChild(table);
    box.appendChild(el('div', 'atlas-popup-precision atlas-precision-' + actor.p, data.precision[actor.p]));
    return box;
  }

  function narrowScreen() { return window.innerWidth < 700 || window.innerHeight < 500; }

  /* A site's marker: the kind's shape (the printed sheet's shape and colour) with its number. */
  function markerIcon(data, a) {
    var kind = data.kinds[a.k], approx = a.p === 'commune', no = a.no ? parseInt(a.no, 10) : 0;
    var html = approx ? kind[4] : kind[3], size = no ? (no >= 100 ? 30 : 26) : 16;
    if (no) { html += '<span class="atlas-num">' + no + '</span>'; }
    return L.divIcon({
      className: 'atlas-marker atlas-k-' + kind[0] + (approx ? ' atlas-approx' : '') + (no ? ' atlas-numbered' : ''),
      html: html, iconSize: [size, size]
    });
  }

  /* Cluster bubbles: white discs with a dark ring and count, unlike any kind of site. */
  function clusterIcon(c) {
    var n = c.getChildCount(), size = n < 10 ? 30 : (n < 100 ? 34 : 40);
    return L.divIcon({ html: '<div><span aria-label="groupe de ' + n + ' lieux">' + n + '</span></div>',
                       className: 'marker-cluster atlas-cluster', iconSize: L.point(size, size) });
  }

  /* The list panel: numbered places (the sheet's order), then actors with no position, never on
   * the map: choosing one shows its card in the list. */
  function buildList(data, openActor) {
    var body = document.getElementById('atlas-list-body'), numbered = [], lost = [], i, a, list, item, button;
    for (i = 0; i < data.actors.length; i++) {
      a = data.actors[i];
      if (a.no) { numbered.push(a); } else if (!a.ll) { lost.push(a); }
    }
    numbered.sort(function (x, y) { return x.no - y.no; });
    function section(title, actors, id, withKind) {
      if (!actors.length) { return; }
      body.appendChild(el('h2', null, title + ' (' + actors.length + ')'));
      list = el('ul', 'atlas-list-items');
      list.id = id;
      for (i = 0; i < actors.length; i++) {
        item = el('li');
        item.id = 'atlas-item-' + actors[i].i;
        button = el('button', 'atlas-list-item', actorLine(actors[i])
          + (withKind ? ' (' + (actors[i].kl || data.kinds[actors[i].k][1]) + ')' : ''));
        button.type = 'button';
        button.setAttribute('data-actor-id', actors[i].i);
        L.DomEvent.on(button, 'click', (function (id) { return function () { openActor(id); }; })(actors[i].i));
        item.appendChild(button);
        list.appendChild(item);
      }
      body.appendChild(list);
    }
    section(data.labels.numbered_title, numbered, 'atlas-list-numbered', false);
    section(data.labels.unlocated_title, lost, 'atlas-list-unlocated', true);
    return numbered.length + lost.length;
  }

  function atlasInit(map) {
    var t0 = (global.performance && performance.now) ? performance.now() : 0;
    var data = JSON.parse(document.getElementById('atlas-data').textContent);
    map.setMaxZoom(18);  /* markercluster needs it; no tile layer sets it offline */
    var canvas = L.canvas({ padding: 0.5, tolerance: 3 });
    var overlays = {};
    var bounds = null;

    /* ---- base: communes (offline) and the optional OSM tiles */
    var communeStyle = { color: '#9a9488', weight: 0.6, fillColor: '#f3efe6', fillOpacity: 1 };
    var communes = L.featureGroup();
    var communeIndex = {};
    var communeShapes = [];
    var c, layer;
    var arcs = decodeArcs(data.communes.arcs);
    for (c = 0; c < data.communes.insee.length; c++) {
      communeShapes.push(polygonsFromArcs(arcs, data.communes.geoms[c]));
      layer = L.polygon(communeShapes[c], L.extend({ renderer: canvas }, communeStyle));
      layer.bindTooltip(textTooltip(data.communes.names[c] + ' (' + data.communes.insee[c] + ')'), { sticky: true });
      communes.addLayer(layer);
      communeIndex[data.communes.insee[c]] = layer;
    }
    communes.addTo(map);
    if (data.communes.insee.length) { bounds = communes.getBounds(); }
    var offlineBase = L.layerGroup().addTo(map);
    var osm = L.tileLayer(data.meta.osm_url, { maxZoom: 19, attribution: data.meta.osm_attribution });
    var bases = {};
    bases[data.labels.base_offline] = offlineBase;
    bases[data.labels.base_osm] = osm;
    function styleForBase(online) {
      communes.setStyle({ fillOpacity: online ? 0 : 1, weight: online ? 0.8 : 0.6 });
      setStat('base', online ? 'osm' : 'communes');
    }
    map.on('baselayerchange', function (e) { styleForBase(e.layer === osm); });

    /* ---- polygon / line overlays */
    function addShapes(spec, lines) {
      var group = L.featureGroup(), i, shape, style;
      for (i = 0; i < spec.geoms.length; i++) {
        style = L.extend({ renderer: canvas }, spec.styles[spec.style_index[i]]);
        if (typeof spec.geoms[i] === 'number') {  /* a commune of the page, by index */
          shape = L.polygon(communeShapes[spec.geoms[i]], style);
        } else if (spec.arcs) {  /* lines made of commune arcs, by number */
          shape = L.polyline(spec.geoms[i].map(function (n) { return arcs[n]; }), style);
        } else {
          shape = lines ? L.polyline(decodeLines(spec.geoms[i]), style)
                        : L.polygon(decodePolygons(spec.geoms[i]), style);
        }
        if (spec.labels[i]) { shape.bindTooltip(textTooltip(spec.labels[i]), { sticky: true }); }
        group.addLayer(shape);
      }
      if (spec.show) { group.addTo(map); }
      overlays[spec.title] = group;
      return group;
    }
    var i, shapeGroups = [];
    for (i = 0; i < data.shapes.length; i++) { shapeGroups.push(addShapes(data.shapes[i], data.shapes[i].lines)); }

    /* ---- commune names (offline) */
    /* markers and clusters on screen: commune names go around them */
    var labels = new global.AtlasLabelLayer(data.communes, function () {
      var icons = map.getPane('markerPane').querySelectorAll('.leaflet-marker-icon'), origin, out = [], j, r;
      origin = map.getContainer().getBoundingClientRect();
      for (j = 0; j < icons.length; j++) {
        r = icons[j].getBoundingClientRect();
        if (r.width) { out.push([r.left - origin.left - 2, r.top - origin.top - 2, r.right - origin.left + 2, r.bottom - origin.top + 2]); }
      }
      return out;
    });
    overlays[data.labels.communes_labels] = labels;

    /* ---- actors: one marker per located actor, one cluster group shared by all kinds */
    var cluster = L.markerClusterGroup({
      maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true, chunkedLoading: true,
      iconCreateFunction: clusterIcon
    });
    var byKind = [], markers = {}, actorById = {}, a, marker, k;
    for (k = 0; k < data.kinds.length; k++) { byKind.push([]); }
    for (i = 0; i < data.actors.length; i++) {
      a = data.actors[i];
      actorById[a.i] = a;
      if (!a.ll) { continue; }  /* never on the map: listed and found by the search */
      marker = L.marker(a.ll, {
        icon: markerIcon(data, a),
        title: actorLine(a) + ' (' + (a.kl || data.kinds[a.k][1]) + ')',
        alt: a.n,
        keyboard: true,
        zIndexOffset: a.no ? 500 : 0
      });
      marker.on('add', function () {
        var node = this.getElement();
        if (node) { node.setAttribute('role', 'button'); node.setAttribute('aria-label', node.title); }
      });
      marker.bindPopup((function (actor) { return function () { return buildPopup(data, actor); }; })(a),
                       { maxWidth: 320, minWidth: 220, autoPanPadding: [30, 30] });
      marker.atlasKind = a.k;
      markers[a.i] = marker;
      byKind[a.k].push(marker);
    }
    var kindLayers = [], layerByKey = {};
    for (k = 0; k < data.kinds.length; k++) {
      var holder = L.layerGroup();
      holder.atlasKind = k;
      kindLayers.push(holder);
      holder.addTo(map);
      layerByKey['k:' + data.kinds[k][0]] = holder;
      if (!byKind[k].length) { continue; }  /* only unlocated actors of this kind: search finds them */
      overlays['<span class="atlas-swatch atlas-sym">' + data.kinds[k][3] + '</span>' + data.kinds[k][1]
               + ' (' + byKind[k].length + ')'] = holder;
      cluster.addLayers(byKind[k]);
    }
    for (i = 0; i < shapeGroups.length; i++) { layerByKey['s:' + i] = shapeGroups[i]; }

    /* the legend follows the visible layers: no entry for a hidden layer */
    function syncLegend() {
      var items = document.querySelectorAll('#atlas-legend li[data-layer]'), j, layer, shown = [];
      for (j = 0; j < items.length; j++) {
        layer = layerByKey[items[j].getAttribute('data-layer')];
        items[j].style.display = layer && map.hasLayer(layer) ? '' : 'none';
        if (items[j].style.display === '') { shown.push(items[j].getAttribute('data-layer')); }
      }
      setStat('legend', shown.join(' '));
    }
    map.on('overlayadd', function (e) {
      if (e.layer.atlasKind !== undefined) { cluster.addLayers(byKind[e.layer.atlasKind]); }
      syncLegend();
    });
    map.on('overlayremove', function (e) {
      if (e.layer.atlasKind !== undefined) { cluster.removeLayers(byKind[e.layer.atlasKind]); }
      syncLegend();
    });
    for (i = 0; i < data.actors.length; i++) {
      if (data.actors[i].ll) {
        bounds = bounds ? bounds.extend(data.actors[i].ll) : L.latLngBounds([data.actors[i].ll, data.actors[i].ll]);
      }
    }
    /* the first view is set before the clusters are drawn: no zoom animation to wait for */
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10], animate: false }); }
    else { map.setView([50.0, 2.8], 8, { animate: false }); }
    /* the window resized (a phone turned, a browser opening at its size) before anyone moved the
     * map: fit the territory again */
    var touched = false, firstBounds = bounds;
    map.on('dragstart popupopen', function () { touched = true; });
    L.DomEvent.on(map.getContainer(), 'wheel keydown dblclick touchstart', function () { touched = true; });
    /* the territory is moved from under the top-left panels when there is room beside them (on
     * their right on a wide screen, under them on a phone), at the same zoom: Leaflet's zoom
     * levels are whole numbers */
    function fitTerritory() {
      if (touched || !firstBounds || !firstBounds.isValid()) { return; }
      map.fitBounds(firstBounds, { padding: [10, 10], animate: false });
      var size = map.getSize(), origin = map.getContainer().getBoundingClientRect(), panels, edge, tl, br, shift;
      tl = map.latLngToContainerPoint(firstBounds.getNorthWest());
      br = map.latLngToContainerPoint(firstBounds.getSouthEast());
      panels = map.getContainer().querySelector('.leaflet-top.leaflet-left').getBoundingClientRect();
      if (!panels.height) { return; }
      if (size.x > 900) {
        edge = panels.right - origin.left + 10;
        shift = Math.min(edge - tl.x, size.x - 10 - br.x);
        if (shift > 0) { map.panBy([-shift, 0], { animate: false }); }
      } else {
        edge = panels.bottom - origin.top + 10;
        shift = Math.min(edge - tl.y, size.y - 70 - br.y);
        if (shift > 0) { map.panBy([0, -shift], { animate: false }); }
      }
      clearLegend();
    }
    /* no site under the open legend at the first view: the map moves left or up when every site
     * stays clear of the top-left panels, else the legend starts folded (one click opens it) */
    function clearLegend() {
      var box = document.getElementById('atlas-legend'), origin = map.getContainer().getBoundingClientRect();
      if (!box || !box.hasAttribute('open')) { return; }
      var lg = box.getBoundingClientRect(), pn = map.getContainer().querySelector('.leaflet-top.leaflet-left')
        .getBoundingClientRect(), pts = [], j, p, dx = 0, dy = 0, m = 16;
      var left = lg.left - origin.left - m, top = lg.top - origin.top - m, edge = pn.right - origin.left + m;
      for (j = 0; j < data.actors.length; j++) {
        if (data.actors[j].ll) { pts.push(map.latLngToContainerPoint(data.actors[j].ll)); }
      }
      for (j = 0; j < pts.length; j++) {
        if (pts[j].x > left && pts[j].y > top) { dx = Math.max(dx, pts[j].x - left); dy = Math.max(dy, pts[j].y - top); }
      }
      if (!dx) { return; }
      function clear(sx, sy) {  /* every site inside the map, off the panels and the legend */
        for (j = 0; j < pts.length; j++) {
          p = L.point(pts[j].x - sx, pts[j].y - sy);
          if (p.x < m || p.y < m || (p.x < edge && p.y < pn.bottom - origin.top + m) || (p.x > left && p.y > top)) {
            return false;
          }
        }
        return true;
      }
      if (clear(dx, 0)) { map.panBy([dx, 0], { animate: false }); }
      else if (clear(0, dy)) { map.panBy([0, dy], { animate: false }); }
      else { box.removeAttribute('open'); }
    }
    map.on('resize', function () { setTimeout(fitTerritory, 0); });
    cluster.addTo(map);
    labels.addTo(map);
    cluster.on('animationend spiderfied unspiderfied', function () { labels.redraw(); });
    map.on('overlayadd overlayremove', function () { labels.redraw(); });

    /* ---- controls: title, search, zoom, layers, legend, sources */
    var TitleControl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        var box = document.getElementById('atlas-title'), about = document.getElementById('atlas-about');
        if (about && narrowScreen()) { about.removeAttribute('open'); }
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        box.style.display = '';
        return box;
      }
    });
    new TitleControl().addTo(map);

    var SearchControl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        var box = el('div', 'atlas-search leaflet-bar');
        var input = el('input');
        input.type = 'search';
        input.placeholder = data.labels.search;
        input.setAttribute('aria-label', data.labels.search);
        input.setAttribute('aria-controls', 'atlas-search-results');
        input.setAttribute('autocomplete', 'off');
        input.id = 'atlas-search-input';
        var list = el('ul', 'atlas-search-results');
        list.id = 'atlas-search-results';
        list.setAttribute('role', 'listbox');
        list.setAttribute('aria-label', data.labels.results);
        box.appendChild(input);
        box.appendChild(list);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        var entries = [], j, cc;
        for (j = 0; j < data.actors.length; j++) {
          a = data.actors[j];
          entries.push({ key: fold((a.no ? a.no + ' ' : '') + a.n + ' ' + a.c), nameKey: fold(a.n), actor: a });
        }
        for (cc = 0; cc < data.communes.insee.length; cc++) {
          entries.push({ key: fold(data.communes.names[cc] + ' ' + data.communes.insee[cc]),
                         nameKey: fold(data.communes.names[cc]), commune: cc });
        }
        function choose(entry) {
          list.innerHTML = '';
          if (entry.commune !== undefined) {
            map.fitBounds(communeIndex[data.communes.insee[entry.commune]].getBounds(), { maxZoom: 14 });
            return;
          }
          openActor(entry.actor.i);
        }
        /* rank: commune names starting with the text, actor names, then actors by commune */
        function score(entry, q, words) {
          var name = entry.nameKey, w;
          for (w = 0; w < words.length; w++) { if (name.indexOf(words[w]) < 0) { return 3; } }
          if (entry.commune !== undefined) { return name.indexOf(q) === 0 ? 0 : 2; }
          return 1;
        }
        function render() {
          var q = fold(input.value), words = q ? q.split(' ') : [], hits = [], n, w, ok, item;
          list.innerHTML = '';
          if (!words.length) { return; }
          for (n = 0; n < entries.length; n++) {
            ok = true;
            for (w = 0; w < words.length; w++) {
              if (entries[n].key.indexOf(words[w]) < 0) { ok = false; break; }
            }
            if (ok) { hits.push({ s: score(entries[n], q, words), n: n, e: entries[n] }); }
          }
          hits.sort(function (x, y) { return x.s - y.s || x.n - y.n; });
          hits = hits.slice(0, 12).map(function (h) { return h.e; });
          if (!hits.length) { list.appendChild(el('li', 'atlas-search-none', data.labels.no_result)); }
          for (n = 0; n < hits.length; n++) {
            item = el('li', 'atlas-search-hit');
            if (hits[n].commune !== undefined) {
              item.appendChild(el('strong', null, data.communes.names[hits[n].commune]));
              item.appendChild(el('span', 'atlas-search-sub', ' — ' + data.labels.commune));
            } else {
              a = hits[n].actor;
              if (a.no) { item.appendChild(el('span', 'atlas-search-no', a.no + '. ')); }
              item.appendChild(el('strong', null, a.n));
              item.appendChild(el('span', 'atlas-search-sub', ' – ' + [a.c, a.ll ? '' : data.labels.unlocated]
                .filter(function (x) { return x; }).join(', ') + ' (' + (a.kl || data.kinds[a.k][1]) + ')'));
            }
            item.tabIndex = 0;
            item.setAttribute('role', 'option');
            L.DomEvent.on(item, 'keydown', function (ev) {
              var next = ev.key === 'ArrowDown' ? this.nextSibling : (ev.key === 'ArrowUp' ? this.previousSibling : null);
              if (ev.key === 'ArrowUp' && !next) { next = input; }
              if (next) { next.focus(); L.DomEvent.preventDefault(ev); }
              if (ev.key === 'Escape') { list.innerHTML = ''; input.focus(); }
            });
            L.DomEvent.on(item, 'click', (function (entry) { return function () { choose(entry); }; })(hits[n]));
            L.DomEvent.on(item, 'keydown', (function (entry) {
              return function (ev) { if (ev.key === 'Enter') { choose(entry); } };
            })(hits[n]));
            list.appendChild(item);
          }
        }
        L.DomEvent.on(input, 'input', render);
        global.atlasSearch = function (text) { input.value = text; render(); };
        L.DomEvent.on(input, 'keydown', function (ev) {
          if (ev.key === 'Enter' && list.firstChild && list.firstChild.className === 'atlas-search-hit') {
            list.firstChild.click();
          }
          if (ev.key === 'ArrowDown' && list.firstChild && list.firstChild.tabIndex === 0) {
            list.firstChild.focus();
            L.DomEvent.preventDefault(ev);
          }
        });
        return box;
      }
    });
    new SearchControl().addTo(map);
    L.control.zoom({ position: 'topleft', zoomInTitle: data.labels.zoom_in, zoomOutTitle: data.labels.zoom_out })
      .addTo(map);
    var layersControl = L.control.layers(bases, overlays, { collapsed: true, position: 'topright' })
      .addTo(map);
    var toggle = layersControl.getContainer().querySelector('.leaflet-control-layers-toggle');
    if (toggle) { toggle.title = data.labels.layers; toggle.setAttribute('aria-label', data.labels.layers); }
    layersControl.getContainer().setAttribute('aria-label', data.labels.layers);
    L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);

    function panelControl(id, position, folded) {
      var Panel = L.Control.extend({
        options: { position: position },
        onAdd: function () {
          var box = document.getElementById(id);
          if (folded) { box.removeAttribute('open'); }
          L.DomEvent.disableClickPropagation(box);
          L.DomEvent.disableScrollPropagation(box);
          box.style.display = '';
          return box;
        }
      });
      return new Panel().addTo(map);
    }
    panelControl('atlas-legend', 'bottomright', narrowScreen());
    fitTerritory();
    /* popups open below the top-left panels (title, search, zoom), scrolling when the screen is short */
    function popupRoom() {
      var top = map.getContainer().querySelector('.leaflet-top.leaflet-left').getBoundingClientRect().bottom
        - map.getContainer().getBoundingClientRect().top + 10, id, o;
      var wide = map.getSize().x > 900;
      for (id in markers) {
        if (Object.prototype.hasOwnProperty.call(markers, id) && markers[id].getPopup()) {
          o = markers[id].getPopup().options;
          o.autoPanPaddingTopLeft = L.point(wide ? 30 : 10, wide ? 30 : top);
          o.maxHeight = wide ? null : Math.max(160, map.getSize().y - top - 90);
        }
      }
    }
    popupRoom();
    map.on('resize', popupRoom);
    var listBox = document.getElementById('atlas-list');
    if (buildList(data, function (id) { openActor(id); })) { panelControl('atlas-list', 'bottomleft', true); }
    syncLegend();
    map.attributionControl.setPrefix(false);
    var sources = document.getElementById('atlas-sources').innerHTML.replace(/^Sources : /, '');
    map.attributionControl.addAttribution('<details class="atlas-sources-box"' + (narrowScreen() ? '' : ' open')
      + '><summary>Sources</summary>' + sources + '</details>');
    /* Ctrl+P: the panels' details unfolded, the list of places with them */
    global.addEventListener('beforeprint', function () {
      var boxes = document.querySelectorAll('#atlas-legend, #atlas-about, .atlas-sources-box'), j;
      for (j = 0; j < boxes.length; j++) { boxes[j].setAttribute('open', ''); }
    });

    /* ---- opening an actor (search, #actor=<id>, tests)
     * Zoom without animation (markercluster's zoomToShowLayer waits for CSS transitions, which
     * some browsers and headless runs never finish), then spiderfy a cluster of places sharing
     * one point (several actors at the same town hall). */
    function reveal(m, done) {
      if (cluster.getVisibleParent(m) === m) { done(); return; }
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 15), { animate: false });
      setTimeout(function () {
        var parent = cluster.getVisibleParent(m);
        if (!parent || parent === m || !parent.spiderfy) { done(); return; }
        cluster.once('spiderfied', function () { done(); });
        parent.spiderfy();
      }, 350);
    }

    function openActor(id) {
      var actor = actorById[id], m = markers[id];
      if (!actor) { return false; }
      if (m) {
        if (!map.hasLayer(kindLayers[actor.k])) { kindLayers[actor.k].addTo(map); }
        reveal(m, function () { m.openPopup(); });
        return true;
      }
      /* not located: never on the map; its card opens in the list of places */
      var item = document.getElementById('atlas-item-' + id), old = document.querySelectorAll('#atlas-list .atlas-popup');
      var j, card = buildPopup(data, actor);
      if (!item) { return false; }
      map.closePopup();
      for (j = 0; j < old.length; j++) { old[j].parentNode.removeChild(old[j]); }
      listBox.setAttribute('open', '');
      item.appendChild(card);
      if (item.scrollIntoView) { item.scrollIntoView({ block: 'nearest' }); }
      item.firstChild.focus();
      document.getElementById('atlas-test-popup').textContent = card.textContent;
      setStat('popup', id);
      setStat('card', id);
      return true;
    }
    global.atlasOpenActor = openActor;
    global.atlasMap = map;
    /* [actor id, number written on its marker] of every marker, drawn afresh (tests, checks) */
    global.atlasMarkerNumbers = function () {
      var out = [], id, icon, num;
      for (id in markers) {
        if (Object.prototype.hasOwnProperty.call(markers, id)) {
          icon = markers[id].options.icon.createIcon();
          num = icon.querySelector('.atlas-num');
          out.push([id, num ? num.textContent : '']);
        }
      }
      return out;
    };

    map.on('popupopen', function (e) {
      var out = document.getElementById('atlas-test-popup');
      var node = e.popup.getElement();
      out.textContent = node ? node.textContent : '';
      var card = node ? node.querySelector('.atlas-popup') : null;
      setStat('popup', card ? card.getAttribute('data-actor-id') : '');
    });

    function countRendered() {
      var n = 0, singles = document.querySelectorAll('.leaflet-marker-pane .atlas-marker');
      var groups = document.querySelectorAll('.leaflet-marker-pane .marker-cluster'), g;
      n += singles.length;
      for (g = 0; g < groups.length; g++) { n += parseInt(groups[g].textContent, 10) || 0; }
      setStat('dom-markers', n);
      setStat('dom-clusters', groups.length);
      setStat('dom-singles', singles.length);
    }

    if (t0 || t0 === 0) { setStat('init-ms', Math.round(((global.performance && performance.now) ? performance.now() : 0) - t0)); }
    setStat('markers', cluster.getLayers().length);
    setStat('actors', data.actors.length);
    setStat('communes', data.communes.insee.length);
    setStat('shapes', data.shapes.length);
    map.on('moveend zoomend', function () { setTimeout(countRendered, 400); });
    cluster.on('animationend spiderfied unspiderfied', function () { setTimeout(countRendered, 50); });
    setTimeout(function () {
      countRendered();
      setStat('ready', 1);
      var m = /[#&]actor=([^&]+)/.exec(global.location.hash || '');
      if (m) { openActor(decodeURIComponent(m[1])); }
      if (/[#&]fond=osm(&|$)/.test(global.location.hash || '')) {  /* deep link to the online background */
        map.removeLayer(offlineBase);
        osm.addTo(map);
        styleForBase(true);
      }
      var q = /[#&]q=([^&]+)/.exec(global.location.hash || '');
      if (q) { global.atlasSearch(decodeURIComponent(q[1])); }
    }, 500);
  }

  global.atlasInit = atlasInit;
})(window);
