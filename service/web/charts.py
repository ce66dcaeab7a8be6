"""Charts as inline SVG, drawn on the server: horizontal bar charts and a line chart over time.

Why our own small module and not a library. pygal (kept up, release 3.1.3 of 2026) draws
good-looking SVG, but out of the box it loads its tooltip script from a CDN, tells series
apart by colour alone, sizes the drawing in pixels, and has no `role`/`<desc>`: each of those
would need configuration or post-processing of its output, and the result would still depend on
its stylesheet. matplotlib is heavy to import at run time for a page. What the dashboard needs is
small and fixed — labelled bars and a few lines — so it is drawn here, with accessibility
built in rather than added:

- every chart is `<svg role="img">` labelled by its `<title>` and a `<desc>` that says what it
  shows in words; the numbers are in the table next to it;
- every bar and every line end carries its value as text, and each category its label: nothing
  is read from a colour or an axis alone;
- series differ in fill pattern (solid, hatched, dotted) or in dash and marker shape, as well
  as in colour; every colour has a contrast of at least 4.5:1 on white;
- a `viewBox` and no fixed size: the drawing scales to the width of a phone or a desktop.
  Bar charts put each label above its bar, so a long label needs no left margin.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Series colours: each has a contrast of at least 4.5:1 against white (dark enough for text).
COLOURS = ("#1f4e79", "#8a4b08", "#2e6b30", "#6a3d9a", "#9b1c31", "#005f66", "#5c5c00", "#444")
TEXT = "#1a1a1a"
GRID = "#767676"  # 4.5:1 on white, like the text
#: Fills that tell series apart without colour, in order: solid, hatched, dotted, cross-hatched.
PATTERNS = ("solid", "hatch", "dots", "cross")
#: Marker shapes and dashes of the line chart's series, in order.
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "6 3", "2 3", "8 3 2 3")

WIDTH = 640
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category (None: no value, drawn as nothing)."""

    name: str
    values: Sequence[float | None]


def _number(value: float) -> str:
    return f"{value:g}"


def _nice_maximum(largest: float) -> float:
    """A round number at or above the largest value (1, 2, 2.5, 5 times a power of ten)."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= largest:
            return step * power
    return 10 * power


def _ticks(largest: float, *, whole_numbers: bool = False, count: int = 4) -> list[float]:
    """The y-axis ticks from 0 to a round number at or above `largest`. For counts, every tick
    is a whole number ("12,5 matches" means nothing): steps of 1, 2 or 5 times a power of ten,
    at most `count` + 1 of them above zero."""
    if not whole_numbers:
        maximum = _nice_maximum(largest)
        step = maximum / count
        return [round(step * i, 10) for i in range(count + 1)]
    needed = max(1.0, largest / count)
    power = 10 ** math.floor(math.log10(needed))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= needed)
    steps = max(1, math.ceil(largest / step))
    return [step * i for i in range(steps + 1)]


def _open(chart_id: str, title: str, description: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} font-size="14">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _pattern_defs(chart_id: str, count: int) -> str:
    """One fill per series: solid colour, or a pattern of the colour on white."""
    defs = []
    for index in range(count):
        colour = COLOURS[index % len(COLOURS)]
        kind = PATTERNS[index % len(PATTERNS)]
        if kind == "solid":
            continue
        marks = {
            "hatch": f'<path d="M0,8 L8,0" stroke="{colour}" stroke-width="2.5"/>',
            "dots": f'<circle cx="4" cy="4" r="2" fill="{colour}"/>',
            "cross": f'<path d="M0,8 L8,0 M0,0 L8,8" stroke="{colour}" stroke-width="1.5"/>',
        }[kind]
        defs.append(
            f'<pattern id="{chart_id}-fill-{index}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#fff"/>{marks}'
            "</pattern>"
        )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _fill(chart_id: str, index: int) -> str:
    if PATTERNS[index % len(PATTERNS)] == "solid":
        return COLOURS[index % len(COLOURS)]
    return f"url(#{chart_id}-fill-{index})"


def _legend_swatch(chart_id: str, index: int, x: float, y: float, name: str) -> str:
    colour = COLOURS[index % len(COLOURS)]
    return (
        f'<rect x="{x}" y="{y - 11}" width="14" height="14" fill="{_fill(chart_id, index)}" '
        f'stroke="{colour}" stroke-width="1.5"/>'
        f'<text x="{x + 20}" y="{y + 1}" fill="{TEXT}">{escape(name)}</text>'
    )


def bar_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_format: Callable[[float], str] = _number,
    reference: tuple[float, str] | None = None,
    empty_text: str = "",
) -> Markup:
    """Horizontal bars: per category its label, then one bar per series with its value.

    `reference` draws a labelled vertical line at a value (a threshold, or 1 for "in
    proportion"). `chart_id` must be unique in the page: it names the title, the description
    and the fill patterns. With no category, the chart says `empty_text` instead.
    """
    legend_height = 28 if len(series) > 1 else 0
    bar_height, label_height, gap = 16, 20, 12
    group_height = label_height + bar_height * len(series) + gap
    top = 8 + legend_height
    height = top + max(len(categories), 1) * group_height + (26 if reference else 8)
    parts = _open(chart_id, title, description, height)
    parts.append(_pattern_defs(chart_id, len(series)))
    x = 0
    for index, one in enumerate(series if len(series) > 1 else []):
        parts.append(_legend_swatch(chart_id, index, x + 2, 20, one.name))
        x += 34 + 8 * len(one.name)
    if not categories:
        parts.append(f'<text x="0" y="{top + 20}" fill="{TEXT}">{escape(empty_text)}</text>')
        parts.append("</svg>")
        return Markup("".join(parts))

    values = [v for one in series for v in one.values if v is not None]
    largest = max([*values, reference[0] if reference else 0.0, 0.0])
    # Room at the right for the value printed after the longest bar.
    scale = (WIDTH - 90) / _nice_maximum(largest) if largest > 0 else 0.0
    y = top
    for position, category in enumerate(categories):
        parts.append(
            f'<text x="0" y="{y + 14}" fill="{TEXT}" font-weight="600">{escape(category)}</text>'
        )
        bar_y = y + label_height
        for index, one in enumerate(series):
            value = one.values[position]
            colour = COLOURS[index % len(COLOURS)]
            if value is not None:
                width = max(value * scale, 0.0)
                parts.append(
                    f'<rect x="0" y="{bar_y}" width="{width:.1f}" height="{bar_height - 3}" '
                    f'fill="{_fill(chart_id, index)}" stroke="{colour}" stroke-width="1"/>'
                )
                parts.append(
                    f'<text x="{width + 6:.1f}" y="{bar_y + 11}" fill="{TEXT}" font-size="12">'
                    f"{escape(value_format(value))}</text>"
                )
            else:
                parts.append(f'<text x="0" y="{bar_y + 11}" fill="{TEXT}" font-size="12">–</text>')
            bar_y += bar_height
        y += group_height
    if reference is not None:
        ref_x = reference[0] * scale
        parts.append(
            f'<line x1="{ref_x:.1f}" y1="{top}" x2="{ref_x:.1f}" y2="{y}" stroke="{TEXT}" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
        anchor = "end" if ref_x > WIDTH / 2 else "start"
        parts.append(
            f'<text x="{ref_x:.1f}" y="{y + 16}" text-anchor="{anchor}" fill="{TEXT}" '
            f'font-size="12">{escape(reference[1])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    return f'<polygon points="{points}" fill="{colour}"/>'


def _end_labels(
    ends: list[tuple[float, float, int, float]], value_format: Callable[[float], str]
) -> list[str]:
    """Each line's last value next to its end, pushed apart so that no two overlap."""
    labels, previous = [], math.inf
    for y, x, index, value in sorted(ends, reverse=True):  # from the bottom up
        y = min(y + 4, previous - 13)  # 13 units: one line of 12-unit text
        previous = y
        labels.append(
            f'<text x="{x + 8:.1f}" y="{y:.1f}" fill="{COLOURS[index % len(COLOURS)]}" '
            f'font-size="12" font-weight="600">{escape(value_format(value))}</text>'
        )
    return labels


def line_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    value_format: Callable[[float], str] = _number,
    empty_text: str = "",
    whole_numbers: bool = False,
) -> Markup:
    """Lines over time: one per series, each with its own dash and marker shape, its name in
    the legend, and its last value written at its end. A y-axis with round ticks; x labels
    thinned out so they never overlap."""
    legend_rows = math.ceil(len(series) / 3)
    top = 24 + 22 * legend_rows
    plot_height, left, right = 220, 44, 40
    height = top + plot_height + 44
    parts = _open(chart_id, title, description, height)
    for index, one in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        lx, ly = 2 + (index % 3) * 210, 18 + 22 * (index // 3)
        dash = DASHES[index % len(DASHES)]
        parts.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 28}" y2="{ly - 4}" stroke="{colour}" '
            f'stroke-width="2.5" stroke-dasharray="{dash}"/>'
            + _marker(MARKERS[index % len(MARKERS)], lx + 14, ly - 4, colour)
            + f'<text x="{lx + 36}" y="{ly + 1}" fill="{TEXT}">{escape(one.name)}</text>'
        )
    if not x_labels:
        parts.append(f'<text x="0" y="{top + 20}" fill="{TEXT}">{escape(empty_text)}</text>')
        parts.append("</svg>")
        return Markup("".join(parts))

    values = [v for one in series for v in one.values if v is not None]
    ticks = _ticks(max([*values, 0.0]), whole_numbers=whole_numbers)
    maximum = ticks[-1]
    width = WIDTH - left - right
    bottom = top + plot_height

    def x_of(position: int) -> float:
        if len(x_labels) == 1:
            return left + width / 2
        return left + width * position / (len(x_labels) - 1)

    def y_of(value: float) -> float:
        return bottom - plot_height * value / maximum

    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="{GRID}" '
            'stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}" '
            f'font-size="12">{escape(value_format(tick))}</text>'
        )
    # At most about eight x labels (each ~70 units wide at font size 12): no overlap.
    every = max(1, math.ceil(len(x_labels) / 8))
    for position, label in enumerate(x_labels):
        if position % every == 0 or position == len(x_labels) - 1:
            parts.append(
                f'<text x="{x_of(position):.1f}" y="{bottom + 18}" text-anchor="middle" '
                f'fill="{TEXT}" font-size="12">{escape(label)}</text>'
            )
    ends: list[tuple[float, float, int, float]] = []  # y, x, series, last value
    for index, one in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = [(x_of(p), y_of(v)) for p, v in enumerate(one.values) if v is not None]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-dasharray="{DASHES[index % len(DASHES)]}"/>'
        )
        shape = MARKERS[index % len(MARKERS)]
        parts.extend(_marker(shape, x, y, colour) for x, y in points)
        last = [v for v in one.values if v is not None][-1]
        ends.append((points[-1][1], points[-1][0], index, last))
    parts.extend(_end_labels(ends, value_format))
    parts.append("</svg>")
    return Markup("".join(parts))
