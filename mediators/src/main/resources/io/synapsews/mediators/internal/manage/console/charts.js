// Small SVG charts for the dashboard: no library, no network. Every label is set as text, never as markup.
const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) {
        e.setAttribute(k, String(v));
    }
    return e;
}

const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bc4c00', '#0a7ea4', '#6e7781'];

/**
 * A line chart of series ({name, points: [[time, value], ...]}) over the last `spanMs`, with a legend;
 * `title` is its accessible name, and a visually hidden table carries the latest values for screen readers.
 */
export function lineChart(title, series, spanMs) {
    const width = 560, height = 180, left = 44, bottom = 22, top = 8;
    const now = Date.now();
    const max = Math.max(1, ...series.flatMap(s => s.points.map(p => p[1])));
    const svg = el('svg', {viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart'});
    const x = t => left + (width - left - 8) * (1 - (now - t) / spanMs);
    const y = v => top + (height - top - bottom) * (1 - v / max);
    for (const f of [0, 0.5, 1]) {
        svg.append(el('line', {x1: left, x2: width - 8, y1: y(max * f), y2: y(max * f), class: 'grid'}));
        const label = el('text', {x: left - 4, y: y(max * f) + 4, 'text-anchor': 'end', class: 'axis'});
        label.textContent = formatNumber(max * f);
        svg.append(label);
    }
    const minutes = el('text', {x: width - 8, y: height - 4, 'text-anchor': 'end', class: 'axis'});
    minutes.textContent = 'now';
    svg.append(minutes);
    const ago = el('text', {x: left, y: height - 4, class: 'axis'});
    ago.textContent = `${Math.round(spanMs / 60000)} min ago`;
    svg.append(ago);
    series.forEach((s, i) => {
        if (s.points.length === 0) {
            return;
        }
        const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
        svg.append(el('path', {d, fill: 'none', stroke: COLOURS[i % COLOURS.length], 'stroke-width': 2}));
    });
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    figure.append(caption, svg, legend(series.map(s => [s.name, s.points.length ? s.points[s.points.length - 1][1] : 0])));
    return figure;
}

/** Horizontal bars of [label, value] pairs. */
export function barChart(title, pairs) {
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = title;
    figure.append(caption);
    if (pairs.length === 0) {
        const none = document.createElement('p');
        none.className = 'muted';
        none.textContent = 'none yet';
        figure.append(none);
        return figure;
    }
    const max = Math.max(1, ...pairs.map(p => p[1]));
    const rowHeight = 22, width = 560, labelWidth = 220;
    const svg = el('svg', {viewBox: `0 0 ${width} ${rowHeight * pairs.length + 4}`, role: 'img', 'aria-label': title, class: 'chart'});
    pairs.forEach(([label, value], i) => {
        const yPos = i * rowHeight + 2;
        const text = el('text', {x: 0, y: yPos + 15, class: 'axis'});
        text.textContent = label.length > 34 ? label.slice(0, 33) + '…' : label;
        svg.append(text);
        svg.append(el('rect', {x: labelWidth, y: yPos + 3, height: 14, rx: 2,
            width: Math.max(1, (width - labelWidth - 60) * value / max), fill: COLOURS[i % COLOURS.length]}));
        const v = el('text', {x: width - 4, y: yPos + 15, 'text-anchor': 'end', class: 'axis'});
        v.textContent = formatNumber(value);
        svg.append(v);
    });
    figure.append(svg, legend(pairs));
    return figure;
}

function legend(pairs) {
    const table = document.createElement('table');
    table.className = 'legend';
    const body = document.createElement('tbody');
    pairs.forEach(([name, value], i) => {
        const tr = document.createElement('tr');
        const swatch = document.createElement('td');
        swatch.className = 'swatch';
        swatch.style.setProperty('--c', COLOURS[i % COLOURS.length]);
        const n = document.createElement('th');
        n.scope = 'row';
        n.textContent = name;
        const v = document.createElement('td');
        v.textContent = formatNumber(value);
        tr.append(swatch, n, v);
        body.append(tr);
    });
    table.append(body);
    return table;
}

export function formatNumber(v) {
    if (v >= 1e6) {
        return (v / 1e6).toFixed(1) + 'M';
    }
    if (v >= 1e4) {
        return (v / 1e3).toFixed(1) + 'k';
    }
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
