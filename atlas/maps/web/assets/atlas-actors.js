/* atlas-actors.js — the interactive cartographie des acteurs (MIT, atlas authors).
 * Reads the JSON blob #atlas-actors-data written by atlas.maps.web.actors and draws it with
 * Cytoscape.js (preset positions computed in Python). Registry text is only ever written with
 * textContent. What was built is reported as data-atlas-… attributes of the body, for the browser tests. */
function atlasActors() {
  'use strict';
  var data = JSON.parse(document.getElementById('atlas-actors-data').textContent);
  var body = document.body;
  var $ = function (id) { return document.getElementById(id); };
  var details = data.details, actionNames = data.actions;
  var kindLabels = data.labels.kinds, worldLabels = data.labels.worlds;

  var cy = cytoscape({
    container: $('aa-graph'), elements: data.elements, style: data.style,
    layout: {name: 'preset', fit: true, padding: 24}, minZoom: 0.05, maxZoom: 5,
    boxSelectionEnabled: false, autoungrabify: true, selectionType: 'single'
  });
  var actors = cy.nodes('.actor');

  function norm(s) {
    return String(s || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/œ/g, 'oe').replace(/æ/g, 'ae').replace(/[’'`]/g, '').replace(/[\-–—_.,;:()«»"\/]/g, ' ').replace(/\s+/g, ' ').trim();
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function nameOf(id) {
    var n = cy.getElementById(id);
    return n.empty() ? id : n.data('name');
  }
  function actorButton(id) {
    var b = el('button', nameOf(id), 'aa-link');
    b.type = 'button';
    b.setAttribute('data-id', id);
    b.addEventListener('click', function () { select(id); });
    return b;
  }

  // ------------------------------------------------------------------ labels that never overlap
  // Labels scale with the zoom, so whether two of them overlap does not depend on it: they are
  // set once (and again after a filter or a choice), most important first; a label that would
  // cover another label or another actor is left out (it shows on hover and in the details).
  // (with 4 px to spare: a label drawn at a side spot may stick out of it by its background padding)
  function overlaps(a, b) { return a.x1 < b.x2 + 4 && b.x1 < a.x2 + 4 && a.y1 < b.y2 + 4 && b.y1 < a.y2 + 4; }
  var SPOTS = ['', 'lbl-top', 'lbl-right', 'lbl-left'];
  function spots(n) {
    // the label's box below the node as drawn, and the same box above, right and left of it
    var bb = n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
    var p = n.position(), r = n.height() / 2 + 3, w = bb.x2 - bb.x1, h = bb.y2 - bb.y1;
    if (n.data('iso')) { return [null, null, {x1: p.x + r, x2: p.x + r + w, y1: p.y - h / 2, y2: p.y + h / 2}]; }
    return [bb, {x1: bb.x1, x2: bb.x2, y1: p.y - r - h, y2: p.y - r},
      {x1: p.x + r, x2: p.x + r + w, y1: p.y - h / 2, y2: p.y + h / 2},
      {x1: p.x - r - w, x2: p.x - r, y1: p.y - h / 2, y2: p.y + h / 2}];
  }
  function declutter() {
    var shown = cy.nodes().not('.hidden').not('.group');
    var first = cy.nodes('.chosen').union(cy.nodes('.partner'));
    var rank = function (n) { return first.contains(n) ? (n.hasClass('chosen') ? 0 : 1) : n.hasClass('hub') ? 3 : 2; };
    var order = shown.sort(function (a, b) {
      return rank(a) - rank(b) || (b.data('deg') || 0) - (a.data('deg') || 0) || (a.id() < b.id() ? -1 : 1);
    });
    // measured outside a batch: inside one, label boxes would still be those of the last pass
    cy.nodes().removeClass('nolabel lbl-top lbl-right lbl-left');
    var spotsOf = {};
    order.forEach(function (n) { spotsOf[n.id()] = spots(n); });
    cy.batch(function () {
      var bodies = shown.filter('.actor').map(function (n) { return {id: n.id(), bb: n.boundingBox({includeLabels: false})}; });
      var taken = cy.nodes('.group').not('.hidden').map(function (g) {
        return g.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true});
      });
      // the most connected actors (first tenth) are named even over a smaller actor's symbol
      var top = Math.max(5, Math.round(order.length / 10)), done = {};
      order.forEach(function (n, i) {
        var boxes = spotsOf[n.id()], k;
        done[n.id()] = true;
        for (k = 0; k < boxes.length; k += 1) {
          var bb = boxes[k];
          if (!bb) { continue; }
          var free = !taken.some(function (t) { return overlaps(bb, t); }) && !bodies.some(function (o) {
            return o.id !== n.id() && (i >= top || done[o.id]) && overlaps(bb, o.bb);
          });
          if (free) { break; }
        }
        if (k === boxes.length && n.hasClass('chosen')) { k = n.data('iso') ? 2 : 0; }
        if (k === boxes.length) { n.addClass('nolabel'); return; }
        taken.push(boxes[k]);
        if (SPOTS[k]) { n.addClass(SPOTS[k]); }
      });
    });
    body.setAttribute('data-atlas-labels', String(shown.not('.nolabel').length));
  }
  cy.on('mouseover', 'node.actor, node.hub', function (evt) { evt.target.addClass('hover'); });
  cy.on('mouseout', 'node.actor, node.hub', function (evt) { evt.target.removeClass('hover'); });

  // ------------------------------------------------------------------ filters
  var fKind = $('aa-f-kind'), fComm = $('aa-f-community'), fEpci = $('aa-f-epci');
  var worldBoxes = Array.prototype.slice.call(document.querySelectorAll('input[name="aa-world"]'));
  function passes(n) {
    var worlds = worldBoxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    if (worlds.indexOf(n.data('w')) < 0) { return false; }
    if (fKind.value && n.data('k') !== fKind.value) { return false; }
    if (fComm.value && String(n.data('cm')) !== fComm.value) { return false; }
    if (fEpci.value === '-' && n.data('e')) { return false; }
    if (fEpci.value && fEpci.value !== '-' && n.data('e') !== fEpci.value) { return false; }
    return true;
  }
  function applyFilters() {
    cy.batch(function () {
      var shown = 0;
      actors.forEach(function (n) {
        var ok = passes(n);
        n.toggleClass('hidden', !ok);
        if (ok) { shown += 1; }
      });
      cy.nodes('.hub').forEach(function (h) {
        h.toggleClass('hidden', h.neighborhood('node.actor').filter(function (a) { return !a.hasClass('hidden'); }).empty());
      });
      cy.nodes('.group').forEach(function (g) {
        g.toggleClass('hidden', g.children().filter(function (c) { return !c.hasClass('hidden'); }).empty());
      });
      $('aa-count').textContent = shown + ' acteur' + (shown > 1 ? 's' : '') + ' affiché' + (shown > 1 ? 's' : '') +
        ' sur ' + actors.length;
      body.setAttribute('data-atlas-visible', String(shown));
    });
    var chosen = body.getAttribute('data-atlas-selected');
    if (chosen && cy.getElementById(chosen).hasClass('hidden')) { unselect(); }
    declutter();
    var visible = cy.elements().not('.hidden');
    if (visible.nonempty()) { cy.fit(visible, 24); }
  }
  function resetFilters() {
    worldBoxes.forEach(function (b) { b.checked = true; });
    fKind.value = ''; fComm.value = ''; fEpci.value = '';
    applyFilters();
  }
  [fKind, fComm, fEpci].concat(worldBoxes).forEach(function (c) { c.addEventListener('change', applyFilters); });
  $('aa-reset').addEventListener('click', resetFilters);

  // ------------------------------------------------------------------ details of an actor
  function section(box, title, items) {
    box.appendChild(el('h3', title + ' (' + items.length + ')'));
    var ul = el('ul', null, 'aa-list');
    items.forEach(function (li) { ul.appendChild(li); });
    box.appendChild(ul);
    return ul;
  }
  function showActor(id) {
    var n = cy.getElementById(id), d = details[id] || {p: [], a: [], f: [], kg: ''};
    var box = $('aa-details-body');
    box.textContent = '';
    box.appendChild(el('h2', n.data('name'), 'aa-name'));
    box.appendChild(el('p', (kindLabels[n.data('k')] || n.data('k')) + ' · ' + (worldLabels[n.data('w')] || ''), 'aa-meta'));
    var place = [n.data('c'), n.data('e')].filter(Boolean).join(' — ');
    box.appendChild(el('p', place || 'Commune non renseignée (acteur régional ou non localisé)', 'aa-meta'));
    if (n.data('nw')) { box.appendChild(el('p', 'Réseau : ' + n.data('nw'), 'aa-meta')); }
    box.appendChild(el('p', n.data('cm') ? 'Communauté C' + n.data('cm') : 'Aucun lien avec un autre acteur du registre',
      'aa-meta'));
    if (n.data('bridge')) { box.appendChild(el('p', 'Pont entre le monde du PAT et l\u2019aide alimentaire', 'aa-bridge')); }
    var partners = d.p.map(function (p) {
      var li = el('li');
      li.appendChild(actorButton(p[0]));
      var rel = p[1] ? [p[1]] : [];
      if (p[2].length) {
        rel.push((p[2].length > 1 ? 'actions en commun : ' : 'action en commun : ') +
          p[2].map(function (i) { return actionNames[i]; }).join(' ; '));
      }
      li.appendChild(el('span', rel.join(' ; '), 'aa-rel'));
      return li;
    });
    var ul = section(box, 'Partenaires', partners);
    ul.id = 'aa-partners';
    if (!partners.length) { ul.appendChild(el('li', 'Aucun partenaire dans le registre.', 'aa-none')); }
    var acts = d.a.map(function (a) {
      var li = el('li', actionNames[a[0]]);
      li.appendChild(el('span', a[1], 'aa-rel'));
      return li;
    });
    if (acts.length) { section(box, 'Actions et collectifs', acts).id = 'aa-actions'; }
    if (d.f.length) {
      var flows = d.f.map(function (f) {
        var li = el('li', f[0] === 'don' ? 'Donne ' + f[2] + ' à ' : 'Reçoit ' + f[2] + ' de ');
        li.appendChild(actorButton(f[1]));
        return li;
      });
      section(box, 'Flux de denrées', flows).id = 'aa-flows';
      box.appendChild(el('p', 'Total : ' + d.kg, 'aa-meta'));
    }
  }
  function showHub(id) {
    var n = cy.getElementById(id), box = $('aa-details-body');
    box.textContent = '';
    box.appendChild(el('h2', n.data('name'), 'aa-name'));
    box.appendChild(el('p', 'Action ou collectif partagé par ' + n.data('members').length + ' acteurs', 'aa-meta'));
    section(box, 'Membres', n.data('members').map(function (m) {
      var li = el('li');
      li.appendChild(actorButton(m));
      return li;
    })).id = 'aa-partners';
  }

  function highlight(n, partners) {
    cy.batch(function () {
      cy.elements().removeClass('faded partner chosen near');
      var hubs = n.neighborhood('node.hub');
      var near = n.connectedEdges().union(hubs.connectedEdges().filter(function (e) {
        return partners.contains(e.source()) || partners.contains(e.target());
      }));
      var keep = n.union(partners).union(hubs).union(near);
      cy.elements().not(keep).not('.group').addClass('faded');
      n.addClass('chosen');
      partners.addClass('partner');
      near.addClass('near');
    });
  }
  function select(id) {
    var n = cy.getElementById(id);
    if (n.empty() || n.hasClass('group')) { return; }
    if (n.hasClass('hidden')) { resetFilters(); }
    var partners = cy.collection();
    if (n.hasClass('hub')) {
      n.data('members').forEach(function (m) { partners = partners.union(cy.getElementById(m)); });
      showHub(id);
    } else {
      (details[id] ? details[id].p : []).forEach(function (p) { partners = partners.union(cy.getElementById(p[0])); });
      showActor(id);
    }
    highlight(n, partners);
    declutter();
    $('aa-details').hidden = false;
    body.setAttribute('data-atlas-selected', id);
    frame(n.union(partners));
  }
  // fit ``col`` in the part of the graph the details panel leaves free (right on a wide screen,
  // top on a phone)
  function frame(col) {
    var w = cy.width(), h = cy.height(), panel = $('aa-details');
    cy.fit(col, 40);
    if (cy.zoom() > 1.6) { cy.zoom({level: 1.6, renderedPosition: {x: w / 2, y: h / 2}}); }
    if (panel.hidden) { return; }
    var phone = panel.offsetWidth >= w * 0.9;
    var cover = phone ? Math.min(panel.offsetHeight, h * 0.8) : Math.min(panel.offsetWidth + 24, w * 0.6);
    var free = (phone ? h : w) - cover;
    cy.zoom({level: cy.zoom() * free / (phone ? h : w), renderedPosition: {x: w / 2, y: h / 2}});
    cy.panBy(phone ? {x: 0, y: -cover / 2} : {x: -cover / 2, y: 0});
  }
  function unselect() {
    cy.elements().removeClass('faded partner chosen near');
    declutter();
    $('aa-details').hidden = true;
    body.removeAttribute('data-atlas-selected');
  }
  cy.on('tap', 'node.actor, node.hub', function (evt) { select(evt.target.id()); });
  cy.on('tap', function (evt) { if (evt.target === cy) { unselect(); } });
  $('aa-close').addEventListener('click', unselect);

  // ------------------------------------------------------------------ search
  var index = actors.map(function (n) {
    return {id: n.id(), name: norm(n.data('name')),
      all: norm([n.data('name'), n.data('c'), n.data('e'), n.data('nw')].join(' '))};
  });
  var input = $('aa-search-input'), results = $('aa-search-results');
  function search() {
    var q = norm(input.value);
    results.textContent = '';
    if (!q) { body.removeAttribute('data-atlas-hits'); return; }
    var words = q.split(' ');
    var hits = index.filter(function (r) {
      return words.every(function (w) { return r.all.indexOf(w) >= 0; });
    }).sort(function (a, b) {
      var ra = a.name.indexOf(q) === 0 ? 0 : a.name.indexOf(q) > 0 ? 1 : 2;
      var rb = b.name.indexOf(q) === 0 ? 0 : b.name.indexOf(q) > 0 ? 1 : 2;
      return ra - rb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    body.setAttribute('data-atlas-hits', String(hits.length));
    if (!hits.length) { results.appendChild(el('li', 'Aucun acteur trouvé', 'aa-none')); return; }
    hits.slice(0, 15).forEach(function (h) {
      var n = cy.getElementById(h.id), li = el('li', null, 'aa-hit'), b = el('button');
      b.type = 'button';
      b.setAttribute('data-id', h.id);
      b.appendChild(el('strong', n.data('name')));
      b.appendChild(el('span', (kindLabels[n.data('k')] || '') + (n.data('c') ? ' — ' + n.data('c') : ''), 'aa-rel'));
      b.addEventListener('click', function () { select(h.id); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (hits.length > 15) { results.appendChild(el('li', '… et ' + (hits.length - 15) + ' autres : précisez', 'aa-none')); }
  }
  input.addEventListener('input', search);
  input.addEventListener('keydown', function (evt) {
    var first = results.querySelector('button');
    if (evt.key === 'Enter' && first) { evt.preventDefault(); first.click(); }
    if (evt.key === 'ArrowDown' && first) { evt.preventDefault(); first.focus(); }
  });

  // ------------------------------------------------------------------ zoom, small screens, links
  function zoomBy(f) {
    cy.zoom({level: cy.zoom() * f, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}});
  }
  $('aa-zoom-in').addEventListener('click', function () { zoomBy(1.4); });
  $('aa-zoom-out').addEventListener('click', function () { zoomBy(1 / 1.4); });
  $('aa-fit').addEventListener('click', function () { cy.fit(cy.elements().not('.hidden'), 24); });
  if (window.matchMedia && window.matchMedia('(max-width: 700px)').matches) {
    $('aa-filters').open = false;
    $('aa-legend').open = false;
    cy.resize();
    cy.fit(undefined, 12);
  }
  // printing (Ctrl+P): the graph is redrawn to the printed frame, then back to the screen
  function refit() { cy.resize(); cy.fit(cy.elements().not('.hidden'), 12); }
  window.addEventListener('beforeprint', refit);
  window.addEventListener('afterprint', refit);
  applyFilters();
  var hash = decodeURIComponent(window.location.hash.replace(/^#/, ''));
  if (hash.indexOf('acteur=') === 0) { select(hash.slice(7)); }
  if (hash.indexOf('q=') === 0) { input.value = hash.slice(2); search(); }
  body.setAttribute('data-atlas-nodes', String(actors.length));
  body.setAttribute('data-atlas-edges', String(cy.edges().length));
  body.setAttribute('data-atlas-ready', '1');
  window.atlasActorsGraph = cy;
  window.atlasActorsSelect = select;
}
