"""Small server-side SVG charts for the statistics dashboard: line, bar and Sankey flow.

Drawn on the server so that the pages need no JavaScript, no CDN and no vendored chart library, print
well, and stay readable by screen readers (each chart has a title and description, and its table sits
right beside it). Pure functions from rows to SVG markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

PALETTE = ("#0b5cad", "#d9534f", "#2a9d8f", "#e9a23b", "#6f42c1", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22",
           "#e377c2")


def _fmt(value: float) -> str:
    if abs(value) >= 1e8:
        return f"{value / 1e8:.1f}亿"
    if abs(value) >= 1e4:
        return f"{value / 1e4:.1f}万"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2g}"


def _svg(text: str) -> Markup:
    """Mark assembled SVG safe: every label and title in it went through ``escape``."""
    return Markup(text)  # noqa: S704 - all interpolated text is escaped above


def _empty(width: int, title: str) -> Markup:
    return _svg(_open(width, 60, title, "no data") + '<text x="10" y="35">—</text></svg>')


def _open(width: int, height: int, title: str, desc: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
            f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>")


def line_chart(series: Mapping[str, Sequence[tuple[Any, float]]], *, title: str, unit: str,
               width: int = 640, height: int = 300) -> Markup:
    """One line per series over shared x values (years or months)."""
    xs = sorted({x for points in series.values() for x, _ in points}, key=lambda v: (str(type(v)), v))
    values = [y for points in series.values() for _, y in points if y is not None]
    if not xs or not values:
        return _empty(width, title)
    left, right, top, bottom = 64, 16, 16, 34 + 18 * ((len(series) + 3) // 4)
    top_value = max(values) * 1.08 or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: int | str) -> float:
        return left + (xs.index(x) / max(1, len(xs) - 1)) * plot_w

    def py(y: float) -> float:
        return top + plot_h - (y / top_value) * plot_h

    parts = [_open(width, height, title, f"{len(series)} series, {len(xs)} points, unit {unit}")]
    for step in range(5):
        value = top_value * step / 4
        y = py(value)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_fmt(value)}</text>')
    stride = max(1, len(xs) // 10)
    for i, x in enumerate(xs):
        if i % stride == 0 or i == len(xs) - 1:
            parts.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="tick">'
                         f"{escape(str(x))}</text>")
    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        ordered = sorted((p for p in points if p[1] is not None), key=lambda p: xs.index(p[0]))
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in ordered)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for x, y in ordered:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}">'
                         f"<title>{escape(name)} {escape(str(x))}: {y:,.1f} {escape(unit)}</title></circle>")
        lx = left + (index % 4) * (plot_w / 4)
        ly = top + plot_h + 34 + 18 * (index // 4)
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{lx + 14:.1f}" y="{ly}" class="legend">{escape(name)}</text>')
    parts.append("</svg>")
    return _svg("".join(parts))


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, unit: str, width: int = 640) -> Markup:
    """Horizontal bars, largest first as given (rankings and breakdowns)."""
    rows = [(label, value) for label, value in items if value is not None]
    if not rows:
        return _empty(width, title)
    bar, gap, left, right = 16, 6, 150, 90
    height = len(rows) * (bar + gap) + 10
    top_value = max(v for _, v in rows) or 1.0
    parts = [_open(width, height, title, f"{len(rows)} bars, unit {unit}")]
    for index, (name, value) in enumerate(rows):
        y = 5 + index * (bar + gap)
        length = max(1.0, (value / top_value) * (width - left - right))
        parts.append(f'<text x="{left - 6}" y="{y + bar - 4}" text-anchor="end" class="tick">{escape(name)}</text>'
                     f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{PALETTE[0]}">'
                     f"<title>{escape(name)}: {value:,.1f} {escape(unit)}</title></rect>"
                     f'<text x="{left + length + 4:.1f}" y="{y + bar - 4}" class="tick">{_fmt(value)}</text>')
    parts.append("</svg>")
    return _svg("".join(parts))


def sankey(flows: Sequence[tuple[str, str, float]], *, title: str, unit: str, width: int = 640) -> Markup:
    """Two-column Sankey: sources (输出) on the left, destinations (吸纳) on the right, band width ∝ value."""
    flows = [f for f in flows if f[2] and f[2] > 0]
    if not flows:
        return _empty(width, title)
    sources: dict[str, float] = {}
    targets: dict[str, float] = {}
    for source, target, value in flows:
        sources[source] = sources.get(source, 0) + value
        targets[target] = targets.get(target, 0) + value
    total = sum(sources.values())
    gap, node_w, label_w = 8, 14, 110
    height = max(220, 24 * max(len(sources), len(targets)) + 40)
    usable = height - 20 - gap * max(len(sources), len(targets))
    scale = usable / total

    def layout(nodes: dict[str, float]) -> dict[str, list[float]]:
        y = 10.0
        out = {}
        for name, value in sorted(nodes.items(), key=lambda kv: -kv[1]):
            out[name] = [y, y]  # [top, next free offset]
            y += value * scale + gap
        return out

    left_nodes, right_nodes = layout(sources), layout(targets)
    x0, x1 = label_w, width - label_w
    parts = [_open(width, height, title, f"{len(flows)} flows between {len(sources)} and {len(targets)} nodes, "
                                         f"unit {unit}")]
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(left_nodes)}
    for source, target, value in sorted(flows, key=lambda f: -f[2]):
        thickness = value * scale
        sy = left_nodes[source][1]
        ty = right_nodes[target][1]
        left_nodes[source][1] += thickness
        right_nodes[target][1] += thickness
        mid = (x0 + node_w + x1) / 2
        a, b = x0 + node_w, x1
        path = (f"M{a},{sy:.1f} C{mid:.1f},{sy:.1f} {mid:.1f},{ty:.1f} {b},{ty:.1f} "
                f"L{b},{ty + thickness:.1f} C{mid:.1f},{ty + thickness:.1f} {mid:.1f},{sy + thickness:.1f} "
                f"{a},{sy + thickness:.1f} Z")
        parts.append(f'<path d="{path}" fill="{colours[source]}" fill-opacity="0.45">'
                     f"<title>{escape(source)} → {escape(target)}: {value:,.1f} {escape(unit)}</title></path>")
    for nodes, x, anchor, tx in ((left_nodes, x0, "end", x0 - 6), (right_nodes, x1, "start", x1 + node_w + 6)):
        totals = sources if nodes is left_nodes else targets
        for name, (top, _) in nodes.items():
            h = max(1.0, totals[name] * scale)
            parts.append(f'<rect x="{x}" y="{top:.1f}" width="{node_w}" height="{h:.1f}" fill="#33475b"/>'
                         f'<text x="{tx}" y="{top + min(h, 20) / 2 + 4:.1f}" text-anchor="{anchor}" class="tick">'
                         f"{escape(name)}</text>")
    parts.append("</svg>")
    return _svg("".join(parts))
