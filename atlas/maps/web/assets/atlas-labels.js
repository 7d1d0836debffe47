/* atlas-labels.js — the commune names of atlas's offline interactive map (MIT, atlas authors).
 *
 * Loaded before atlas-map.js, which creates the layer with the communes of the data blob and a
 * function returning the boxes of the markers on screen, and shares its DOM helpers with it
 * (AtlasDom). Names are written with textContent.
 * ES5, like atlas-map.js.
 */
(function (global) {
  'use strict';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function setStat(name, value) {
    document.body.setAttribute('data-atlas-' + name, String(value));
  }

  /* the DOM helpers atlas-map.js uses too (one copy of each) */
  global.AtlasDom = { el: el, setStat: setStat };

  /* Commune names drawn offline: larger communes first, a name only where it overlaps no other
   * name and no marker (a grid of placed boxes), at the commune's point or just under or over it;
   * redrawn after every move, so at low zoom only the largest communes are named. */
  global.AtlasLabelLayer = L.Layer.extend({
    initialize: function (communes, obstacles) {
      this._c = communes;
      this._obstacles = obstacles;
      this._order = [];
      var i, pop = communes.pop || [];
      for (i = 0; i < communes.insee.length; i++) { if (communes.lab && communes.lab[i]) { this._order.push(i); } }
      this._order.sort(function (a, b) { return (pop[b] || 0) - (pop[a] || 0) || a - b; });
      this._nodes = {};
      this._ctx = document.createElement('canvas').getContext('2d');
    },
    onAdd: function (map) {
      this._pane = map.getPane('atlasLabels') || map.createPane('atlasLabels');
      L.DomUtil.addClass(this._pane, 'leaflet-zoom-hide');
      map.on('moveend zoomend resize', this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      map.off('moveend zoomend resize', this.redraw, this);
      var k;
      for (k in this._nodes) { if (this._nodes[k].parentNode) { this._nodes[k].parentNode.removeChild(this._nodes[k]); } }
      setStat('commune-labels', 0);
    },
    _font: function (p) { return p >= 20000 ? [13, 'bold'] : (p >= 5000 ? [12, 'bold'] : [11, 'normal']); },
    redraw: function () {
      if (!this._map) { return; }
      var map = this._map, size = map.getSize(), grid = {}, cell = 80, shown = 0, k, i, j, pt, f, w, h, box, node;
      var c = this._c, pop = c.pop || [], obstacles = this._obstacles ? this._obstacles() : [], shifts, dx, dy;
      function cells(b, fn) {
        var x, y;
        for (x = Math.floor(b[0] / cell); x <= Math.floor(b[2] / cell); x++) {
          for (y = Math.floor(b[1] / cell); y <= Math.floor(b[3] / cell); y++) { if (fn(x + ':' + y)) { return true; } }
        }
        return false;
      }
      function hits(b) {
        return cells(b, function (key) {
          var list = grid[key] || [], n;
          for (n = 0; n < list.length; n++) {
            if (b[0] < list[n][2] && list[n][0] < b[2] && b[1] < list[n][3] && list[n][1] < b[3]) { return true; }
          }
          return false;
        });
      }
      function put(b) { cells(b, function (key) { (grid[key] = grid[key] || []).push(b); return false; }); }
      for (j = 0; j < obstacles.length; j++) { put(obstacles[j]); }
      for (k = 0; k < this._order.length; k++) {
        i = this._order[k];
        node = this._nodes[i];
        pt = map.latLngToContainerPoint(c.lab[i]);
        f = this._font(pop[i]);
        h = f[0] + 4;
        box = null;
        if (pt.x > -40 && pt.y > -10 && pt.x < size.x + 40 && pt.y < size.y + 10) {
          this._ctx.font = f[1] + ' ' + f[0] + 'px sans-serif';
          w = this._ctx.measureText(c.names[i]).width + 8;
          /* at the point, else just under or over what is there (a marker): never far from it */
          shifts = [[0, 0], [0, h / 2 + 17], [0, -h / 2 - 17]];
          for (j = 0; j < shifts.length && !box; j++) {
            dx = shifts[j][0];
            dy = shifts[j][1];
            box = [pt.x + dx - w / 2, pt.y + dy - h / 2, pt.x + dx + w / 2, pt.y + dy + h / 2];
            if (hits(box)) { box = null; }
          }
        }
        if (!box) {
          if (node && node.parentNode) { node.parentNode.removeChild(node); }
          continue;
        }
        put(box);
        if (!node) {
          node = this._nodes[i] = el('div', 'atlas-commune-label', c.names[i]);
          node.setAttribute('data-insee', c.insee[i]);
          node.style.fontSize = f[0] + 'px';
          node.style.fontWeight = f[1];
          node.style.lineHeight = h + 'px';
        }
        node.style.marginLeft = (dx - w / 2) + 'px';
        node.style.marginTop = (dy - h / 2) + 'px';
        node.style.width = w + 'px';
        L.DomUtil.setPosition(node, map.latLngToLayerPoint(c.lab[i]));
        if (!node.parentNode) { this._pane.appendChild(node); }
        shown++;
      }
      setStat('commune-labels', shown);
    }
  });
})(window);
