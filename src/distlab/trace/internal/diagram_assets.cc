#include "distlab/trace/internal/diagram_assets.h"

namespace distlab::trace::internal {

// Before the message families' styles (MessageFamily: each algorithm's descriptor
// gives its colours from the Okabe-Ito palette, safe for the common colour
// blindnesses, and a dash pattern, so that no family relies on colour alone).
const std::string_view kDiagramStyleHead = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
p.note { background: #fff6d5; border-left: 4px solid #E69F00; padding: .4em .8em; max-width: 60em; }
.legend span, .legend label { margin-right: 1.2em; white-space: nowrap; }
.legend label.family { cursor: pointer; } .legend span.type { margin: 0 0 0 .6em; } .legend input { margin: 0 .3em 0 0; vertical-align: middle; }
.legend svg { vertical-align: middle; margin-right: .3em; overflow: visible; }
.tools { margin: .5em 0; } .tools button { min-width: 2.4em; } .tools span, .tools output { color: #666; font-size: .9em; }
.tools input.find { width: 12em; margin-left: .6em; }
svg.finding .msg, svg.finding .ev { opacity: .15; } svg.finding .msg.found, svg.finding .ev.found { opacity: 1; }
line.msg.found { stroke-width: 3; }
.view { border: 1px solid #ccc; overflow: hidden; }
.stage { display: flex; gap: .8em; align-items: flex-start; } .stage .view { flex: 1; min-width: 0; }
.tools .steps, .tools .nodes { margin-top: .3em; } .tools .nodes label { margin-left: .6em; }
svg .off-node { display: none; } .tools input.cursor { width: 22em; vertical-align: middle; }
table.state { font: 12px monospace; border-collapse: collapse; flex: 0 1 auto; max-width: 34em; }
table.state th, table.state td { border: 1px solid #ddd; padding: .15em .45em; text-align: left; white-space: nowrap;
  max-width: 18em; overflow: hidden; text-overflow: ellipsis; }
table.state th { background: #f4f4f4; } table.state tr.now { background: #fff3c4; }
table.state td[data-f="up"]:empty::after { content: "up"; color: #777; }
line.cursor-line { stroke: #E69F00; stroke-width: 2; stroke-dasharray: 4 3; pointer-events: none; }
svg .ev.at circle, svg .ev.at rect, svg .ev.at path { stroke: #E69F00; stroke-width: 3.5; }
.overview { border: 1px solid #ccc; border-bottom: 0; background: #fafafa; cursor: pointer; }
.overview svg { display: block; } .overview text { font: 11px system-ui, sans-serif; fill: #333; stroke: none; }
.ov-lane { stroke: #bbb; stroke-width: 1; } .ov-tick { stroke-width: 1.5; } .ov-story { stroke: #E69F00; }
.ov-fault { stroke: #000; } .ov-fail { stroke: #C8102E; } text.ov-fault { fill: #000; font-weight: bold; } text.ov-fail { fill: #C8102E; font-weight: bold; }
.ov-view { fill: #0072B2; fill-opacity: .12; stroke: #0072B2; stroke-width: 1.5; }
ul.verdicts { list-style: none; padding: 0; margin: .6em 0; max-width: 70em; }
ul.verdicts li { margin: .2em 0; padding: .2em .6em; border-left: 5px solid #999; color: #444; }
ul.verdicts li.pass { border-color: #009E73; } ul.verdicts li.pass b { color: #00694d; }
ul.verdicts li.fail { border-color: #C8102E; background: #fbe9eb; color: #222; } ul.verdicts li.fail b { color: #C8102E; }
ul.verdicts button { margin-left: .4em; }
.ev .ring { fill: none; stroke: #C8102E; stroke-width: 2.5; }
svg.showing .ev.flag.shown .ring { stroke-width: 4.5; }
line.msg.flag { stroke-width: 2.6; filter: drop-shadow(0 0 2px #C8102E); }
svg.causal .ev, svg.causal .msg { opacity: .12; }
svg.causal .ev.past, svg.causal .ev.future, svg.causal .ev.picked, svg.causal .msg.past, svg.causal .msg.future { opacity: 1; }
svg.causal .ev.picked circle, svg.causal .ev.picked rect, svg.causal .ev.picked path { stroke: #000; stroke-width: 3; }
svg.causal .ev.past circle { fill: #0072B2; } svg.causal .ev.future circle { fill: #E69F00; }
svg.diagram { display: block; width: 100%; max-height: 80vh; cursor: grab; user-select: none; background: #fff; }
svg.diagram text { font: 10px monospace; }
svg.diagram .lbl { text-anchor: middle; fill: #222; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.axis line { stroke: #eee; } .axis text { fill: #777; text-anchor: middle; }
.lane line, .lane-line { stroke: #444; stroke-width: 1.2; }
.lanes rect { fill: #fff; fill-opacity: .9; } .lanes text { font: bold 12px monospace !important; fill: #222; }
line.msg { stroke-width: 1.4; fill: none; }
.compare .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(26em, 1fr)); gap: 0 2em; }
.compare h3 { font-size: 1.05em; margin: .8em 0 .2em; } .compare p.how { color: #555; }
.compare .tools { margin-top: 1em; } .tools b.which { margin-right: .8em; } .compare .stage + .tools > span { display: none; }
.compare table.state { table-layout: fixed; width: 26em; min-width: 26em; max-width: 26em; flex: none; }
)css";

// Between the message families' styles and the overlays' drawing styles.
const std::string_view kDiagramStyleMiddle = R"css(line.msg.dropped { marker-end: none; }
.k-send circle, .dot-send { fill: #222; } .k-recv circle, .dot-recv { fill: #fff; stroke: #222; stroke-width: 1.5; }
.k-local circle { fill: #888; } .k-timer rect, .dot-timer { fill: #fff; stroke: #999; }
.k-state path { fill: #555; } .k-drop path, .dot-drop { stroke: #000; stroke-width: 2.2; fill: none; }
.k-crash rect, .k-recover rect { fill: #000; }
)css";

// After the lane spans' styles (LaneSpan), before the overlays' page styles.
const std::string_view kDiagramStyleTail = R"css(.counts rect { fill: #0072B2; } .counts text { fill: #555; }
rect.net.partition { fill: #D55E00; fill-opacity: .07; stroke: #D55E00; stroke-opacity: .5; stroke-dasharray: 6 3; }
rect.net.oneway { fill: #CC79A7; fill-opacity: .08; stroke: #CC79A7; stroke-opacity: .6; stroke-dasharray: 2 3; }
line.wall { stroke-width: 3; } line.wall.partition { stroke: #D55E00; stroke-dasharray: 10 5; }
line.wall.oneway { stroke: #CC79A7; stroke-dasharray: 2 4; }
text.net-label { fill: #8a3b00; font-weight: bold; }
)css";

// The last of the style sheet.
const std::string_view kDiagramStyleEnd = R"css(#tip { position: fixed; background: #222; color: #fff; padding: .4em .6em; border-radius: 4px; font: 12px monospace;
       white-space: pre; pointer-events: none; max-width: 40em; overflow: hidden; z-index: 10; }
)css";

// Shared by every diagram: an arrowhead per message family, and the overlays' symbols.
const std::string_view kDiagramDefsHead = R"svg(<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
)svg";

// After the arrowheads and the overlays' definitions.
const std::string_view kDiagramDefsTail = R"svg(</defs></svg>)svg";

// Hover details, pan and zoom. With #selfcheck in the address the page also writes,
// into <pre id="selfcheck">, what each diagram holds and how many labels overlap:
// the browser test reads it.
const std::string_view kDiagramScript = R"js(
(function () {
  const tip = document.getElementById('tip');
  let active = null;  // the diagram the arrow keys step through
  document.addEventListener('mouseover', (e) => {
    const t = e.target.closest && e.target.closest('[data-tip]');
    if (!t) { tip.hidden = true; return; }
    tip.textContent = t.getAttribute('data-tip');
    tip.hidden = false;
  });
  document.addEventListener('mousemove', (e) => {
    if (tip.hidden) return;
    const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
    tip.style.left = Math.max(0, x) + 'px';
    tip.style.top = (e.clientY + 14) + 'px';
  });
  for (const svg of document.querySelectorAll('svg.diagram')) {
    const width = +svg.dataset.width, height = +svg.dataset.height;
    const names = svg.querySelector('g.lanes');
    const box = () => svg.getBoundingClientRect();
    const tools = document.querySelector(`.tools[data-for="${svg.id}"]`);
    let vb = { x: 0, y: 0, w: 1, h: 1 };
    let overview = null;  // the strip above the diagram: the whole run, its story, and where the view is
    // Drawings compared share a link: one's view moves the others' (their lanes and
    // time line are aligned, so the same box shows the same stretch of each run).
    // (The whole page is parsed when this runs: the peers are found once, not at every move.)
    const peers = svg.dataset.link ? [...document.querySelectorAll(`svg.diagram[data-link="${svg.dataset.link}"]`)].filter((o) => o !== svg) : [];
    const apply = (lead = true) => {
      svg.setAttribute('viewBox', `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
      names.setAttribute('transform', `translate(${vb.x} 0)`);
      if (overview) overview.show();
      if (lead) for (const other of peers) other.follow(vb);
    };
    svg.follow = (v) => { const r = box(); vb = { x: v.x, y: v.y, w: v.w, h: v.w * r.height / r.width }; apply(false); };
    svg.view = () => ({ ...vb });
    const oneToOne = () => { const r = box(); vb = { x: 0, y: 0, w: r.width, h: r.height }; apply(); };
    // The whole drawing, both ways.
    const fit = () => {
      const r = box(), w = Math.max(width, height * r.width / r.height);
      vb = { x: 0, y: 0, w, h: w * r.height / r.width };
      apply();
    };
    const zoom = (k, px, py) => {
      vb.x = px - (px - vb.x) * k; vb.y = py - (py - vb.y) * k; vb.w *= k; vb.h *= k; apply();
    };
    svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = box();
      zoom(e.deltaY < 0 ? 1 / 1.2 : 1.2, vb.x + (e.clientX - r.left) / r.width * vb.w,
           vb.y + (e.clientY - r.top) / r.height * vb.h);
    }, { passive: false });
    let drag = null;
    // A press and release in one place is a click on the event under it.
    let pressed = null;
    svg.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY };
      pressed = { x: e.clientX, y: e.clientY, ev: e.target.closest && e.target.closest('.ev') };
      try { svg.setPointerCapture(e.pointerId); } catch (_) { /* a synthetic pointer */ }
    });
    svg.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const r = box();
      vb.x -= (e.clientX - drag.x) * vb.w / r.width; vb.y -= (e.clientY - drag.y) * vb.h / r.height;
      drag = { x: e.clientX, y: e.clientY }; apply();
    });
    svg.addEventListener('pointerup', (e) => {
      drag = null;
      if (pressed && Math.abs(e.clientX - pressed.x) + Math.abs(e.clientY - pressed.y) < 5) pick(pressed.ev);
      pressed = null;
    });
    // Takes the view to these elements, with a margin, keeping the page's aspect.
    const show = (els) => {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const el of els) {
        const b = el.getBBox();
        x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.width); y1 = Math.max(y1, b.y + b.height);
      }
      if (x0 > x1) return;
      const r = box(), aspect = r.height / r.width;
      let w = Math.max(x1 - x0 + 120, 360), h = Math.max(y1 - y0 + 60, 120);
      if (h / w > aspect) w = h / aspect; else h = w * aspect;
      vb = { x: (x0 + x1 - w) / 2, y: (y0 + y1 - h) / 2, w, h };
      apply();
    };
    // A failed check's events and messages: marked, and the view moved to them.
    svg.showCheck = (check) => {
      for (const el of svg.querySelectorAll('.shown')) el.classList.remove('shown');
      const els = [...svg.querySelectorAll('[data-checks]')].filter((el) => el.dataset.checks.split(' ').includes(check));
      for (const el of els) el.classList.add('shown');
      svg.classList.add('showing');
      show(els);
      return els;
    };
    // Causality at a click: the event's happens-before past and future, from each
    // lane's order and the messages' sends and receives (as the checkers compute it),
    // highlighted; the rest dimmed. The same event again, or empty space, clears it.
    const evs = [...svg.querySelectorAll('g.events > .ev')];
    let links = null, picked = null, arrows = null;
    const told = tools.querySelector('output.causal');
    const link = () => {
      const last = new Map(), sends = new Map();
      arrows = new Map([...svg.querySelectorAll('line.msg')].map((line) => [line.dataset.r, line]));
      links = evs.map(() => ({ prev: -1, next: -1, from: -1, to: [] }));
      evs.forEach((el, i) => {
        const lane = el.dataset.n;
        if (last.has(lane)) { links[i].prev = last.get(lane); links[last.get(lane)].next = i; }
        last.set(lane, i);
        if (el.classList.contains('k-send')) sends.set(el.dataset.msg, i);
      });
      evs.forEach((el, i) => {
        if (!el.classList.contains('k-recv') || !sends.has(el.dataset.msg)) return;
        const s = sends.get(el.dataset.msg);
        links[i].from = s; links[s].to.push(i);
      });
    };
    const reach = (start, steps) => {
      const seen = new Set(), todo = [start];
      while (todo.length) {
        for (const j of steps(todo.pop())) if (j >= 0 && !seen.has(j)) { seen.add(j); todo.push(j); }
      }
      return seen;
    };
    const pick = (el) => {
      for (const e of svg.querySelectorAll('.past, .future, .picked')) e.classList.remove('past', 'future', 'picked');
      const i = el ? evs.indexOf(el) : -1;
      if (i < 0 || picked === i) { picked = null; svg.classList.remove('causal'); told.textContent = ''; return; }
      if (!links) link();
      picked = i;
      const past = reach(i, (j) => [links[j].prev, links[j].from]);
      const future = reach(i, (j) => [links[j].next, ...links[j].to]);
      evs[i].classList.add('picked');
      for (const j of past) evs[j].classList.add('past');
      for (const j of future) evs[j].classList.add('future');
      // An arrow is in the past when its receive is (or is the event), in the future when its send is.
      for (const [j, l] of links.entries()) {
        const arrow = l.from < 0 ? null : arrows.get(evs[j].dataset.i);
        if (!arrow) continue;
        if (past.has(j) || j === i) arrow.classList.add('past');
        else if (future.has(l.from) || l.from === i) arrow.classList.add('future');
      }
      svg.classList.add('causal');
      told.textContent = `${past.size} event${past.size === 1 ? '' : 's'} before it, ${future.size} after it, ` +
                         `${evs.length - past.size - future.size - 1} concurrent (click it again to clear)`;
      svg.dataset.causal = JSON.stringify({ event: +evs[i].dataset.i, past: past.size, future: future.size });
    };

    // Find a message by its id: it and its events stay, the rest fade.
    // Step through: a cursor moves event by event (the slider, or the arrow keys, Home
    // and End while the pointer was last over this diagram); the table beside it shows
    // each node's state once the events up to the cursor's have happened.
    const slider = tools.querySelector('input.cursor'), at = tools.querySelector('output.at');
    const table = document.querySelector(`table.state[data-for="${svg.id}"]`);
    const rows = table ? [...table.querySelectorAll('tbody tr')] : [];
    const mark = document.createElementNS('http://www.w3.org/2000/svg', 'line');
    mark.setAttribute('class', 'cursor-line');
    mark.setAttribute('y1', 24);
    mark.setAttribute('y2', height - 8);
    mark.style.display = 'none';
    svg.insertBefore(mark, names);
    let cursor = 0;
    svg.step = (k) => {
      cursor = Math.max(0, Math.min(evs.length, k));
      slider.value = cursor;
      const state = rows.map(() => ({}));
      for (let j = 0; j < cursor; ++j) {
        const el = evs[j], s = state[+el.dataset.n];
        if (!s) continue;
        if (el.classList.contains('k-crash')) s.up = 'crashed'; else if (el.classList.contains('k-recover')) s.up = 'up';
        if (el.dataset.l) s.lamport = el.dataset.l;
        if (el.dataset.vc) s.vector = el.dataset.vc;
        if (el.dataset.set) for (const [lane, field, value] of JSON.parse(el.dataset.set)) if (state[lane]) state[lane]['f:' + field] = value;
      }
      const now = cursor > 0 ? evs[cursor - 1] : null;
      rows.forEach((tr, lane) => {
        for (const td of tr.querySelectorAll('td[data-f]')) td.textContent = state[lane][td.dataset.f] || '';
        tr.classList.toggle('now', now !== null && +now.dataset.n === lane);
      });
      for (const e of svg.querySelectorAll('.ev.at')) e.classList.remove('at');
      if (!now) { mark.style.display = 'none'; at.textContent = 'before the first event'; return; }
      now.classList.add('at');
      const b = now.firstElementChild.getBBox(), x = b.x + b.width / 2;
      mark.setAttribute('x1', x); mark.setAttribute('x2', x); mark.style.display = '';
      at.textContent = `event ${cursor} of ${evs.length}: ${now.dataset.tip.split('\n').slice(0, 2).join(', ')}`;
      if (x < vb.x + 20 || x > vb.x + vb.w - 20) { vb.x = x - vb.w / 2; apply(); }
    };
    svg.cursor = () => cursor;
    slider.addEventListener('input', () => svg.step(+slider.value));
    svg.addEventListener('pointerenter', () => { active = svg; });
    if (!active) active = svg;
    const find = tools.querySelector('input.find'), said = tools.querySelector('output.found');
    find.addEventListener('input', () => {
      for (const e of svg.querySelectorAll('.found')) e.classList.remove('found');
      const id = find.value.trim();
      svg.classList.toggle('finding', id !== '');
      if (id === '') { said.textContent = ''; return; }
      const hits = svg.querySelectorAll(`[data-msg="${CSS.escape(id)}"]`);
      for (const e of hits) e.classList.add('found');
      const arrows = svg.querySelectorAll('.msg.found').length;
      said.textContent = arrows === 0 ? 'no such message drawn' : `${arrows} arrow${arrows === 1 ? '' : 's'}, ${hits.length - arrows} events`;
    });
    tools.addEventListener('click', (e) => {
      const act = e.target.dataset.act;
      const c = () => [vb.x + vb.w / 2, vb.y + vb.h / 2];
      if (act === 'fit') fit(); else if (act === 'one') oneToOne();
      else if (act === 'in') zoom(1 / 1.5, ...c()); else if (act === 'out') zoom(1.5, ...c());
    });
    // The story: events the algorithms call part of it (elections, leaders,
    // suspicions, snapshots), crashes and recoveries, and the events of failed checks.
    const centre = (el) => { const b = el.firstElementChild.getBBox(); return b.x + b.width / 2; };
    const story = evs.filter((e) => e.dataset.story || e.classList.contains('flag'))
                     .map((e) => ({ el: e, x: centre(e), text: e.dataset.story || 'fails ' + e.dataset.checks.split(' ').join(', '),
                                    weight: e.classList.contains('flag') ? 100 : e.matches('.k-crash, .k-recover') ? 10 : 1 }));
    // Network faults too, where they begin.
    for (const band of svg.querySelectorAll('rect.net')) story.push({ el: band, x: +band.getAttribute('x'), text: band.dataset.story, weight: 10 });
    story.sort((a, b) => a.x - b.x);
    // Opens on the story: all lanes in view, at a scale no smaller than 1:1 when the
    // whole run does not fit, over the stretch holding the most of the story (failed
    // checks first, then faults): this run's, or that of all the runs compared with it.
    svg.open = (story) => {
      const r = box(), s = Math.min(1, r.height / height), w = r.width / s;
      vb = { x: 0, y: 0, w, h: r.height / s };
      if (width > w && story.length > 0) {
        let best = 0, bestFrom = 0, sum = 0, j = 0;
        for (let i = 0; i < story.length; ++i) {
          sum += story[i].weight;
          while (story[i].x - story[j].x > w - 140 / s) sum -= story[j++].weight;
          if (sum > best) { best = sum; bestFrom = j; }
        }
        vb.x = Math.max(0, Math.min(width - w, story[bestFrom].x - 100 / s));  // clear of the lane names
      }
      apply();
    };
    const esc = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const strip = document.createElement('div');
    strip.className = 'overview';
    strip.dataset.for = svg.id;
    strip.title = 'The whole run: click to move the view there';
    svg.closest('.stage').before(strip);
    overview = {
      show() {
        const k = strip.clientWidth / width, lanes = +svg.dataset.lanes || 1;
        const pitch = Math.max(2, Math.min(8, 48 / lanes)), top = 46, h = top + pitch * lanes + 4;
        if (!this.built || this.k !== k) {
          this.k = k; this.built = true;
          let out = `<svg width="${strip.clientWidth}" height="${h}">`;
          for (let n = 0; n < lanes; ++n) out += `<line class="ov-lane" x1="0" x2="${width * k}" y1="${top + pitch * (n + .5)}" y2="${top + pitch * (n + .5)}"/>`;
          const ends = [-1e9, -1e9, -1e9];
          for (const t of story) {
            const x = t.x * k, cls = t.weight === 100 ? 'ov-fail' : t.weight === 10 ? 'ov-fault' : 'ov-story';
            out += `<line class="ov-tick ${cls}" x1="${x}" x2="${x}" y1="${top - 6}" y2="${h - 2}"><title>${esc(t.text)}</title></line>`;
            const row = ends.findIndex((end) => end < x - 4);
            if (row < 0) continue;
            const wide = t.text.length * 6.2;
            out += `<text class="ov-text ${cls}" x="${x + 2}" y="${12 + row * 13}" data-i="${t.el.dataset.i}">${esc(t.text)}</text>`;
            ends[row] = x + 2 + wide;
          }
          out += `<rect class="ov-view" y="${top - 8}" height="${h - top + 8}"/></svg>`;
          strip.innerHTML = out;
        }
        const v = strip.querySelector('rect.ov-view');
        v.setAttribute('x', Math.max(0, vb.x * k));
        v.setAttribute('width', Math.max(2, Math.min(vb.w, width - Math.max(0, vb.x)) * k));
      },
    };
    strip.addEventListener('click', (e) => {
      const r = strip.getBoundingClientRect();
      vb.x = (e.clientX - r.left) / overview.k - vb.w / 2;
      apply();
    });
    // Node toggles: a node unticked hides its events and the messages it sends or receives.
    const hidden = new Set();
    const lanesOf = (el) => (el.dataset.n !== undefined ? [el.dataset.n] : el.dataset.ln.split(' '));
    const marked = [...svg.querySelectorAll('g.events > .ev, line.msg')];
    for (const box of tools.querySelectorAll('.nodes input[data-lane]')) {
      box.addEventListener('change', () => {
        if (box.checked) hidden.delete(box.dataset.lane); else hidden.add(box.dataset.lane);
        for (const el of marked) el.classList.toggle('off-node', lanesOf(el).some((l) => hidden.has(l)));
      });
    }
    svg.story = story;
    // What of its story the first view holds, for the self-check.
    svg.opened = () => {
      const inView = story.filter((t) => t.x >= vb.x && t.x <= vb.x + vb.w);
      svg.firstView = inView.filter((t) => t.el.dataset.i).map((t) => +t.el.dataset.i);
      svg.firstNetwork = inView.filter((t) => t.el.matches('rect.net')).length;
      svg.openView = { ...vb };
    };
  }
  // Each drawing opens on its story; drawings compared open together on all of theirs.
  const opened = new Set();
  for (const svg of document.querySelectorAll('svg.diagram')) {
    if (opened.has(svg)) continue;
    const group = svg.dataset.link ? [...document.querySelectorAll(`svg.diagram[data-link="${svg.dataset.link}"]`)] : [svg];
    svg.open(group.flatMap((s) => s.story).sort((a, b) => a.x - b.x));
    for (const s of group) { opened.add(s); s.opened(); }
  }
  // A message id in a table under a diagram (a snapshot's channel states) finds it there.
  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('a.find-msg');
    if (!link) return;
    e.preventDefault();
    const after = link.closest('.after[data-for]');
    if (!after) return;
    const find = document.querySelector(`.tools[data-for="${after.dataset.for}"] input.find`);
    find.value = link.textContent;
    find.dispatchEvent(new Event('input'));
    find.scrollIntoView({ block: 'nearest' });
  });
  document.addEventListener('keydown', (e) => {
    if (!active || (e.target.closest && e.target.closest('input, textarea, select')) || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = active.cursor();
    const to = { ArrowRight: k + 1, ArrowLeft: k - 1, Home: 0, End: Infinity }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    active.step(to);
  });
  for (const list of document.querySelectorAll('ul.verdicts')) {
    const svg = document.getElementById(list.dataset.for);
    list.addEventListener('click', (e) => {
      const button = e.target.closest('button.goto');
      if (button) svg.showCheck(button.dataset.check);
    });
  }
  for (const box of document.querySelectorAll('.legend input[data-family]')) {
    const svg = document.getElementById(box.dataset.for);
    box.addEventListener('change', () => svg.classList.toggle('hide-' + box.dataset.family, !box.checked));
  }
  if (location.hash === '#selfcheck') {
    const report = [];
    for (const svg of document.querySelectorAll('svg.diagram')) {
      const boxes = [...svg.querySelectorAll('text.lbl')].map((t) => t.getBBox()).sort((a, b) => a.x - b.x);
      let overlaps = 0;
      for (let i = 0; i < boxes.length; ++i) {
        const a = boxes[i];
        for (let j = i + 1; j < boxes.length && boxes[j].x < a.x + a.width - 0.5; ++j) {
          const b = boxes[j];
          if (b.y < a.y + a.height - 0.5 && a.y < b.y + b.height - 0.5) ++overlaps;
        }
      }
      // Each family's toggle, unticked: how many arrows and events it hides.
      const shown = (selector) => [...svg.querySelectorAll(selector)].filter((e) => getComputedStyle(e).display !== 'none').length;
      const hidden = {};
      for (const box of document.querySelectorAll(`.legend input[data-for="${svg.id}"]`)) {
        const before = { arrows: shown('.msg'), events: shown('.ev') };
        box.click();
        hidden[box.dataset.family] = { arrows: before.arrows - shown('.msg'), events: before.events - shown('.ev') };
        box.click();
      }
      // The first message's id in the search box: what it keeps in view, what it fades.
      const find = document.querySelector(`.tools[data-for="${svg.id}"] input.find`);
      const first = svg.querySelector('.msg');
      const opaque = (e) => getComputedStyle(e).opacity === '1';
      const found = { msg: first ? first.dataset.msg : '' };
      find.value = found.msg;
      find.dispatchEvent(new Event('input'));
      found.arrows = [...svg.querySelectorAll('.msg')].filter(opaque).length;
      found.events = [...svg.querySelectorAll('.ev')].filter(opaque).length;
      find.value = '';
      find.dispatchEvent(new Event('input'));
      found.after = [...svg.querySelectorAll('.msg')].filter(opaque).length;
      // The first message id in a table under it, clicked.
      const link = document.querySelector(`.after[data-for="${svg.id}"] a.find-msg`);
      if (link) {
        link.click();
        found.link = { msg: link.textContent, box: find.value, arrows: [...svg.querySelectorAll('.msg')].filter(opaque).length };
        find.value = '';
        find.dispatchEvent(new Event('input'));
      }
      // The first node's tick box, unticked: how many events and arrows it hides.
      const nodeBox = document.querySelector(`.tools[data-for="${svg.id}"] .nodes input[data-lane="0"]`);
      const nodeHidden = {};
      if (nodeBox) {
        const before = { arrows: shown('.msg'), events: shown('.ev') };
        nodeBox.click();
        Object.assign(nodeHidden, { arrows: before.arrows - shown('.msg'), events: before.events - shown('.ev') });
        nodeBox.click();
        nodeHidden.after = shown('.msg') === before.arrows && shown('.ev') === before.events;
      }
      // The overview's story, and the story events the first view held.
      const strip = document.querySelector(`.overview[data-for="${svg.id}"]`);
      const overviewed = strip.querySelectorAll('line.ov-tick').length;
      const storied = { events: svg.story.filter((t) => t.el.dataset.i).map((t) => +t.el.dataset.i).sort((a, b) => a - b),
                        network: svg.story.filter((t) => t.el.matches('rect.net')).length, first_network: svg.firstNetwork,
                        ticks: overviewed, first_view: svg.firstView,
                        labelled: strip.querySelectorAll('text').length };
      // Each failed check's button, clicked: the events and arrows it marks, and whether
      // the view then holds them all.
      const verdicts = [];
      const list = document.querySelector(`ul.verdicts[data-for="${svg.id}"]`);
      for (const li of list ? list.querySelectorAll('li') : []) {
        const button = li.querySelector('button.goto');
        const v = { status: li.className, check: button ? button.dataset.check : '' };
        if (button) {
          button.click();
          const els = [...svg.querySelectorAll('.shown')];
          const view = svg.viewBox.baseVal;
          v.events = els.filter((e) => e.classList.contains('ev')).map((e) => +e.dataset.i).sort((a, b) => a - b);
          v.arrows = els.filter((e) => e.matches('line.msg')).length;
          v.in_view = els.every((e) => {
            const b = e.getBBox();
            return b.x >= view.x && b.y >= view.y && b.x + b.width <= view.x + view.width && b.y + b.height <= view.y + view.height;
          });
        }
        verdicts.push(v);
      }
      // The middle event, clicked: its causal past and future as highlighted; then
      // clicked again, which clears them.
      const evs = svg.querySelectorAll('g.events > .ev');
      const target = evs[Math.floor(evs.length / 2)];
      const press = (type) => target.dispatchEvent(new PointerEvent(type, { bubbles: true, clientX: 5, clientY: 5, pointerId: 1 }));
      press('pointerdown'); press('pointerup');
      const causal = { event: +target.dataset.i, past: svg.querySelectorAll('.ev.past').length,
                       future: svg.querySelectorAll('.ev.future').length,
                       opaque: [...svg.querySelectorAll('.ev')].filter(opaque).length };
      press('pointerdown'); press('pointerup');
      causal.cleared = !svg.classList.contains('causal') && svg.querySelectorAll('.past, .future, .picked').length === 0;
      // The arrow key from the start, twice: the events the cursor lands on; then End:
      // each node's state as the table shows it.
      active = svg;
      const key = (k) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
      const here = () => { const e = svg.querySelector('.ev.at'); return e ? +e.dataset.i : -1; };
      svg.step(0);
      key('ArrowRight');
      const step = { first: here() };
      key('ArrowRight');
      step.second = here();
      key('End');
      step.last = here();
      step.cursor = svg.cursor();
      const table = document.querySelector(`table.state[data-for="${svg.id}"]`);
      step.state = table ? [...table.querySelectorAll('tbody tr')].map((tr) => Object.fromEntries(
          [...tr.querySelectorAll('td[data-f]')].map((td) => [td.dataset.f, td.textContent]))) : [];
      svg.step(0);
      // Drawings compared: a zoom here, and the views of the others after it.
      const compared = { link: svg.dataset.link || '', open_view: svg.openView };
      if (compared.link) {
        const r = svg.getBoundingClientRect();
        svg.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, clientX: r.left + r.width / 3, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
        compared.zoomed = svg.view();
        compared.others = [...document.querySelectorAll(`svg.diagram[data-link="${compared.link}"]`)].filter((o) => o !== svg).map((o) => o.view());
        svg.open(svg.story);
      }
      const lanes = [...svg.querySelectorAll('g.lanes text')].map((t) => t.textContent);
      report.push({ id: svg.id, compared, lanes, node_hidden: nodeHidden, story: storied, verdicts, causal, step, events: svg.querySelectorAll('.ev').length, arrows: svg.querySelectorAll('.msg').length,
                    dropped: svg.querySelectorAll('.msg.dropped').length, labels: boxes.length, overlaps, hidden, found });
    }
    const pre = document.createElement('pre');
    pre.id = 'selfcheck';
    pre.textContent = JSON.stringify(report);
    document.body.appendChild(pre);
  }
})();
)js";

}  // namespace distlab::trace::internal
