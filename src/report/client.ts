/**
 * The report page's script, inlined into the HTML (the page loads nothing). It reads the
 * embedded JSON and renders the case × model grid in pages of 100 rows as you scroll, so 10,000
 * rows open at once; filters (failed only, disagreements, tag, better/worse against the compared
 * run) and search re-render from the data. Every outside string goes in through textContent,
 * never innerHTML. Plain ES2017 without template literals, kept as text here.
 */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var doc = JSON.parse(document.getElementById('mmr-data').textContent);
  var models = doc.models;
  var cases = doc.cases;
  var PAGE = 100;
  var state = { failed: false, disagree: false, tag: '', q: '', change: '' };
  var matches = [];
  var shown = 0;
  var body = document.getElementById('grid-body');
  var count = document.getElementById('count');

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // [pass, answer, checks, error, latencyMs, costUsd, cached, sample]
  function verdict(samples) {
    if (!samples || samples.length === 0) return 'none';
    var p = 0, n = 0, err = 0;
    for (var i = 0; i < samples.length; i++) {
      var s = samples[i];
      if (s[3] !== null) err++;
      if (s[0] !== null) { n++; if (s[0]) p++; }
    }
    if (err === samples.length) return 'error';
    if (n === 0) return 'ungraded';
    if (p * 2 > n) return 'pass';
    if (p * 2 < n) return 'fail';
    return 'mixed';
  }
  function prepare(c) {
    c.v = []; c.o = [];
    var pass = false, fail = false;
    c.failed = false; c.better = false; c.worse = false;
    for (var i = 0; i < models.length; i++) {
      var v = verdict(c.now[i]);
      c.v.push(v);
      if (v === 'pass') pass = true;
      if (v === 'fail' || v === 'error') fail = true;
      if (v === 'fail' || v === 'error' || v === 'mixed') c.failed = true;
      if (doc.comparing) {
        var o = verdict(c.old ? c.old[i] : null);
        c.o.push(o);
        var okNow = v === 'pass', okThen = o === 'pass';
        if (o !== 'none' && v !== 'none') {
          if (okNow && !okThen) c.better = true;
          if (okThen && !okNow) c.worse = true;
        }
      }
    }
    c.disagree = pass && fail;
  }
  function haystack(c) {
    if (c.hay === undefined) {
      var parts = [c.id, c.prompt, c.where, c.tags.join(' ')];
      for (var k in c.now) for (var j = 0; j < c.now[k].length; j++) parts.push(c.now[k][j][1]);
      c.hay = parts.join('\n').toLowerCase();
    }
    return c.hay;
  }
  function keep(c) {
    if (state.failed && !c.failed) return false;
    if (state.disagree && !c.disagree) return false;
    if (state.tag && c.tags.indexOf(state.tag) < 0) return false;
    if (state.change === 'better' && !c.better) return false;
    if (state.change === 'worse' && !c.worse) return false;
    if (state.change === 'changed' && !c.better && !c.worse) return false;
    if (state.q && haystack(c).indexOf(state.q) < 0) return false;
    return true;
  }
  var MARK = { pass: '\u2714 pass', fail: '\u2716 fail', error: '\u26a0 error', mixed: '\u25d0 mixed', ungraded: '\u2022 no checks', none: '\u2014' };
  function money(v) { return v === null ? 'cost unknown' : v === 0 ? '$0' : '$' + (v < 0.01 ? v.toPrecision(2) : v.toFixed(4)); }
  function ms(v) { return v === null ? '' : v >= 1000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v) + ' ms'; }

  function lineDiff(a, b) {
    var x = a.split('\n'), y = b.split('\n');
    if (x.length * y.length > 250000) return null;
    var m = x.length, n = y.length, i, j;
    var t = [];
    for (i = 0; i <= m; i++) { t.push(new Uint16Array(n + 1)); }
    for (i = m - 1; i >= 0; i--) for (j = n - 1; j >= 0; j--) t[i][j] = x[i] === y[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
    var left = [], right = [];
    i = 0; j = 0;
    while (i < m || j < n) {
      if (i < m && j < n && x[i] === y[j]) { left.push(['same', x[i++]]); right.push(['same', y[j++]]); }
      else if (j < n && (i === m || t[i][j + 1] >= t[i + 1][j])) right.push(['add', y[j++]]);
      else left.push(['del', x[i++]]);
    }
    return [left, right];
  }
  function diffView(oldText, newText) {
    var box = el('div', 'diff');
    var d = lineDiff(oldText, newText);
    var cols = d || [[['del', oldText]], [['add', newText]]];
    var names = ['before', 'now'];
    for (var k = 0; k < 2; k++) {
      var col = el('pre', 'diff-col');
      col.appendChild(el('div', 'diff-head', names[k]));
      for (var q = 0; q < cols[k].length; q++) col.appendChild(el('div', 'dl ' + cols[k][q][0], cols[k][q][1] === '' ? ' ' : cols[k][q][1]));
      box.appendChild(col);
    }
    return box;
  }
  function sampleView(s, old) {
    var box = el('div', 'sample');
    var head = el('div', 'meta');
    var state = s[3] !== null ? 'error' : s[0] === null ? 'ungraded' : s[0] ? 'pass' : 'fail';
    head.appendChild(el('span', 'badge ' + state, MARK[state]));
    if (doc.repeat > 1) head.appendChild(el('span', 'muted', 'sample ' + s[7]));
    if (s[4] !== null) head.appendChild(el('span', 'muted', ms(s[4])));
    head.appendChild(el('span', 'muted', money(s[5])));
    if (s[6]) head.appendChild(el('span', 'muted', 'cached'));
    box.appendChild(head);
    if (s[3] !== null) box.appendChild(el('div', 'error-msg', s[3]));
    else box.appendChild(el('pre', 'answer', s[1]));
    if (s[2].length) {
      var ul = el('ul', 'checks');
      for (var i = 0; i < s[2].length; i++) {
        var c = s[2][i];
        ul.appendChild(el('li', c[1] ? 'ok' : 'bad', (c[1] ? '\u2714 ' : '\u2716 ') + c[0] + (c[2] ? ': ' + c[2] : '')));
      }
      box.appendChild(ul);
    }
    if (old) {
      var det = el('details', 'compare');
      var sum = el('summary', '', 'before: ' + (old[3] !== null ? 'error' : old[0] === null ? 'no checks' : old[0] ? 'pass' : 'fail') + ' \u00b7 diff');
      det.appendChild(sum);
      det.addEventListener('toggle', function once() {
        det.removeEventListener('toggle', once);
        det.appendChild(diffView(old[3] !== null ? old[3] : old[1], s[3] !== null ? s[3] : s[1]));
      });
      box.appendChild(det);
    }
    return box;
  }
  function row(c) {
    var tr = el('tr');
    tr.setAttribute('data-case', c.id);
    var th = el('th', 'case');
    th.appendChild(el('div', 'case-id', c.id + (c.turn > 1 ? ' \u00b7 turn ' + c.turn : '')));
    th.appendChild(el('div', 'where muted', c.where));
    if (c.tags.length) {
      var tags = el('div', 'tags');
      for (var t = 0; t < c.tags.length; t++) tags.appendChild(el('span', 'tag', c.tags[t]));
      th.appendChild(tags);
    }
    th.appendChild(el('pre', 'prompt', c.prompt));
    tr.appendChild(th);
    for (var i = 0; i < models.length; i++) {
      var td = el('td', 'cell v-' + c.v[i]);
      if (doc.comparing && c.o[i] !== c.v[i] && c.o[i] !== 'none') td.className += c.v[i] === 'pass' ? ' better' : c.o[i] === 'pass' ? ' worse' : '';
      var list = c.now[i] || [];
      if (list.length === 0) td.appendChild(el('div', 'muted', 'not run'));
      var oldList = c.old ? c.old[i] || [] : [];
      for (var k = 0; k < list.length; k++) td.appendChild(sampleView(list[k], doc.comparing ? oldList[k] : null));
      tr.appendChild(td);
    }
    return tr;
  }
  function more() {
    var frag = document.createDocumentFragment();
    var end = Math.min(matches.length, shown + PAGE);
    for (; shown < end; shown++) frag.appendChild(row(matches[shown]));
    body.appendChild(frag);
    document.getElementById('more').hidden = shown >= matches.length;
  }
  function render() {
    matches = [];
    for (var i = 0; i < cases.length; i++) if (keep(cases[i])) matches.push(cases[i]);
    body.textContent = '';
    shown = 0;
    count.textContent = matches.length + ' of ' + cases.length + ' case' + (cases.length === 1 ? '' : 's');
    more();
  }
  for (var i = 0; i < cases.length; i++) prepare(cases[i]);
  var tagSel = document.getElementById('f-tag');
  var seen = {};
  cases.forEach(function (c) { c.tags.forEach(function (t) { seen[t] = (seen[t] || 0) + 1; }); });
  Object.keys(seen).sort().forEach(function (t) {
    var o = el('option', '', t + ' (' + seen[t] + ')');
    o.value = t;
    tagSel.appendChild(o);
  });
  document.getElementById('f-failed').addEventListener('change', function (e) { state.failed = e.target.checked; render(); });
  document.getElementById('f-disagree').addEventListener('change', function (e) { state.disagree = e.target.checked; render(); });
  tagSel.addEventListener('change', function (e) { state.tag = e.target.value; render(); });
  var change = document.getElementById('f-change');
  if (change) change.addEventListener('change', function (e) { state.change = e.target.value; render(); });
  var timer = null;
  document.getElementById('f-search').addEventListener('input', function (e) {
    clearTimeout(timer);
    var v = e.target.value.trim().toLowerCase();
    timer = setTimeout(function () { state.q = v; render(); }, 120);
  });
  document.getElementById('more').addEventListener('click', more);
  if ('IntersectionObserver' in window) {
    new IntersectionObserver(function (entries) {
      if (entries[0].isIntersecting && shown < matches.length) more();
    }, { rootMargin: '800px' }).observe(document.getElementById('more'));
  }
  render();
  document.body.setAttribute('data-ready', 'true');
})();
`;
