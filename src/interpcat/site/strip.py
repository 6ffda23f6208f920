"""A small inline strip plot of a check's per-unit values, its 95 % interval and its threshold.

Numbers only go into the SVG (never record text), so its markup is safe to inline.
"""

from __future__ import annotations

import math

from ..records import CheckSpec
from ..results import CheckResult

WIDTH, HEIGHT, PAD = 132, 20, 6
MAX_POINTS = 40  # above this, the values are drawn as a box plot, so a page stays small


def _quantile(ordered: list[float], q: float) -> float:
    """Linear-interpolation quantile of already sorted values."""
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def strip_svg(check: CheckResult | None, spec: CheckSpec) -> str:
    """'' for booleans, missing results or fewer than two values; else an <svg> strip."""
    if check is None or spec.expect.boolean:
        return ""
    values = _finite([float(v) for v in check.values if not isinstance(v, bool)])
    if len(values) < 2:
        return ""
    lo_b, hi_b, _, _ = spec.expect.bounds()
    marks = _finite([lo_b, hi_b])
    points = values + marks + (list(check.interval) if check.interval else [])
    a, b = min(points), max(points)
    if b - a < 1e-12:
        a, b = a - 1.0, b + 1.0
    span = b - a
    a, b = a - 0.05 * span, b + 0.05 * span

    def x(v: float) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (v - a) / (b - a), 1)

    parts = [
        f'<svg class="ic-strip" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{len(values)} values{" (quartiles and range)" if len(values) > MAX_POINTS else ""}, '
        'interval and threshold">'
    ]
    # The accepted region, shaded.
    left = x(max(lo_b, a)) if math.isfinite(lo_b) else PAD
    right = x(min(hi_b, b)) if math.isfinite(hi_b) else WIDTH - PAD
    parts.append(f'<rect class="ic-strip-ok" x="{left}" y="2" width="{max(0.0, right - left)}" height="{HEIGHT - 4}"/>')
    for m in marks:
        parts.append(f'<line class="ic-strip-thr" x1="{x(m)}" x2="{x(m)}" y1="1" y2="{HEIGHT - 1}"/>')
    if check.interval:
        lo, hi = check.interval
        y = HEIGHT / 2
        parts.append(f'<line class="ic-strip-ci" x1="{x(lo)}" x2="{x(hi)}" y1="{y}" y2="{y}"/>')
    if len(values) <= MAX_POINTS:
        for v in values:
            parts.append(f'<circle class="ic-strip-pt" cx="{x(v)}" cy="{HEIGHT / 2}" r="2.5"/>')
    else:  # many units (examples, images): a box of the quartiles and a whisker from min to max
        q1, med, q3 = (_quantile(sorted(values), q) for q in (0.25, 0.5, 0.75))
        y = HEIGHT / 2
        parts.append(f'<line class="ic-strip-pt" x1="{x(min(values))}" x2="{x(max(values))}" y1="{y}" y2="{y}"/>')
        parts.append(
            f'<rect class="ic-strip-box" x="{x(q1)}" y="{y - 3}" width="{max(0.5, x(q3) - x(q1))}" height="6"/>'
        )
        parts.append(f'<line class="ic-strip-med" x1="{x(med)}" x2="{x(med)}" y1="{y - 4}" y2="{y + 4}"/>')
    parts.append("</svg>")
    return "".join(parts)
