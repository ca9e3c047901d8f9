"""Server-rendered SVG for the dashboard: the 17 areas shaded by open tickets per km², and
the 12-week trend. Only geometry and colours are worked out here; the templates write the
SVG (with a <title> per shape, shown on hover) and the same numbers as plain tables.

No chart library: a few rectangles and paths, drawn in the page's own direction (the
time axis runs right to left in Arabic)."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

# Sequential shades (light to dark blue); the darkest still shows a black outline and
# every shade is used with dark text beside it, never on it.
SHADES = ("#eef3f8", "#c6d8ea", "#8fb3d6", "#4f86bc", "#1f5a96")
MAP_WIDTH = 520
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 220, 28


@dataclass(frozen=True)
class Shape:
    code: str
    path: str
    fill: str


def shade(value: float, top: float) -> str:
    """The shade of `value` on a scale from 0 to `top` (five equal steps)."""
    if top <= 0 or value <= 0:
        return SHADES[0]
    step = min(len(SHADES) - 1, 1 + int((value / top) * (len(SHADES) - 1) - 1e-9))
    return SHADES[step]


def _rings(geom):
    polygons = geom.geoms if hasattr(geom, "geoms") else [geom]
    for polygon in polygons:
        yield polygon.exterior
        yield from polygon.interiors


def area_shapes(codes, shapes, densities: dict[str, float]) -> tuple[list[Shape], str]:
    """SVG paths for the areas (projected shapes, metres), each shaded by its density;
    and the viewBox that holds them."""
    minx, miny, maxx, maxy = shapely.total_bounds(shapes)
    scale = MAP_WIDTH / (maxx - minx)
    height = (maxy - miny) * scale
    top = max(densities.values(), default=0)
    drawn = []
    for code, geom in zip(codes, shapes, strict=True):
        parts = []
        for ring in _rings(geom):
            points = [f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y in ring.coords]
            parts.append("M" + "L".join(points) + "Z")
        drawn.append(Shape(code, "".join(parts), shade(densities.get(code, 0), top)))
    return drawn, f"0 0 {MAP_WIDTH} {height:.0f}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    kind: str
    value: int


def trend_bars(weeks, rtl: bool) -> dict:
    """Two bars a week (filed, resolved), scaled to the largest value; x mirrored when
    the page reads right to left."""
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    top = max([w.filed for w in weeks] + [w.resolved for w in weeks] + [1])
    slot = inner_w / len(weeks)
    bar = slot * 0.36
    bars, labels = [], []
    for i, week in enumerate(weeks):
        position = len(weeks) - 1 - i if rtl else i
        left = CHART_PAD + position * slot + slot * 0.12
        for j, (kind, value) in enumerate((("filed", week.filed), ("resolved", week.resolved))):
            h = inner_h * value / top
            x = left + j * bar
            bars.append(Bar(round(x, 1), round(CHART_PAD + inner_h - h, 1), round(h, 1), kind,
                            value))  # fmt: skip
        labels.append({"x": round(left + bar, 1), "week": week})
    return {
        "bars": bars,
        "labels": labels,
        "bar_width": round(bar - 1, 1),
        "top": top,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "baseline": CHART_PAD + inner_h,
        "left": CHART_PAD,
        "right": CHART_WIDTH - CHART_PAD,
    }
