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
svg.diagram { display: block; width: 100%; max-height: 80vh; cursor: grab; user-select: none; background: #fff; }
svg.diagram text { font: 10px monospace; }
svg.diagram .lbl { text-anchor: middle; fill: #222; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.axis line { stroke: #eee; } .axis text { fill: #777; text-anchor: middle; }
.lane line, .lane-line { stroke: #444; stroke-width: 1.2; }
.lanes rect { fill: #fff; fill-opacity: .9; } .lanes text { font: bold 12px monospace !important; fill: #222; }
line.msg { stroke-width: 1.4; fill: none; }
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
    let vb = { x: 0, y: 0, w: 1, h: 1 };
    const apply = () => {
      svg.setAttribute('viewBox', `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
      names.setAttribute('transform', `translate(${vb.x} 0)`);
    };
    const oneToOne = () => { const r = box(); vb = { x: 0, y: 0, w: r.width, h: r.height }; apply(); };
    const fit = () => { const r = box(); vb = { x: 0, y: 0, w: width, h: width * r.height / r.width }; apply(); };
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
    svg.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY }; svg.setPointerCapture(e.pointerId); });
    svg.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const r = box();
      vb.x -= (e.clientX - drag.x) * vb.w / r.width; vb.y -= (e.clientY - drag.y) * vb.h / r.height;
      drag = { x: e.clientX, y: e.clientY }; apply();
    });
    svg.addEventListener('pointerup', () => { drag = null; });
    const tools = document.querySelector(`.tools[data-for="${svg.id}"]`);
    // Find a message by its id: it and its events stay, the rest fade.
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
    oneToOne();
  }
  // A message id in a table under a diagram (a snapshot's channel states) finds it there.
  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('a.find-msg');
    if (!link) return;
    e.preventDefault();
    const find = link.closest('section').querySelector('input.find');
    find.value = link.textContent;
    find.dispatchEvent(new Event('input'));
    find.scrollIntoView({ block: 'nearest' });
  });
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
      const link = svg.closest('section').querySelector('a.find-msg');
      if (link) {
        link.click();
        found.link = { msg: link.textContent, box: find.value, arrows: [...svg.querySelectorAll('.msg')].filter(opaque).length };
        find.value = '';
        find.dispatchEvent(new Event('input'));
      }
      report.push({ id: svg.id, events: svg.querySelectorAll('.ev').length, arrows: svg.querySelectorAll('.msg').length,
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
