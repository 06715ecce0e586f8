"""Procedurally rendered images: shapes and the letters b, d, p, q (drawn with Pillow).

Nothing is downloaded: every image is drawn from a seeded ``rng``. Images are
grayscale, float64 in [0, 1], shape (N, size, size); add a channel axis with
``X[..., None]`` for augmentation (N, H, W, C) or ``X[:, None]`` for Conv2D
(N, C, H, W).

Two families, chosen for the flip lesson of chapter 01:

* SHAPES: every shape is mirror-symmetric about the vertical axis in its
  canonical pose, so a horizontal flip never changes its label;
* LETTERS b, d, p, q: drawn as a stem and a bowl, so a horizontal flip turns
  b into d and p into q, and a vertical flip b into p: flipping changes labels.

Each image gets a random scale, position jitter and a small rotation.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from .._validate import check_float, check_int, check_rng

SHAPES = ("circle", "ring", "square", "triangle", "diamond", "plus", "cross", "star",
          "hexagon", "heart")
LETTERS = ("b", "d", "p", "q")
_SS = 4  # supersampling factor for anti-aliased edges


def _regular_polygon(k: int, r: float, phase: float = -np.pi / 2):
    t = phase + 2 * np.pi * np.arange(k) / k
    return [(r * np.cos(a), r * np.sin(a)) for a in t]


def _outline(name: str, r: float):
    """Polygons (lists of (x, y) around the origin, y down) or an ellipse spec for a shape."""
    if name == "square":
        s = 0.8 * r
        return [[(-s, -s), (s, -s), (s, s), (-s, s)]]
    if name == "triangle":
        return [_regular_polygon(3, r, -np.pi / 2)]
    if name == "diamond":
        return [[(0, -r), (0.7 * r, 0), (0, r), (-0.7 * r, 0)]]
    if name == "hexagon":
        return [_regular_polygon(6, r, 0.0)]
    if name == "star":
        outer = _regular_polygon(5, r)
        inner = _regular_polygon(5, 0.42 * r, -np.pi / 2 + np.pi / 5)
        return [[p for pair in zip(outer, inner) for p in pair]]
    if name == "plus":
        w = 0.28 * r
        return [[(-w, -r), (w, -r), (w, r), (-w, r)], [(-r, -w), (r, -w), (r, w), (-r, w)]]
    if name == "cross":
        w = 0.28 * r
        bar = np.array([(-w, -r), (w, -r), (w, r), (-w, r)])
        out = []
        for ang in (np.pi / 4, -np.pi / 4):
            rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
            out.append([tuple(p) for p in bar @ rot.T])
        return out
    if name == "heart":
        t = np.linspace(0, 2 * np.pi, 60)
        x = 16 * np.sin(t) ** 3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        scale = r / 17.0
        return [list(zip(x * scale, (y + 2) * scale))]
    raise ValueError(f"unknown shape {name!r}")


def _draw(name: str, size: int, rng: np.random.Generator, rotate: tuple[float, float],
          jitter: float):
    big = size * _SS
    img = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(img)
    r = big * rng.uniform(0.28, 0.40)
    cx = big / 2 + rng.uniform(-jitter, jitter) * big
    cy = big / 2 + rng.uniform(-jitter, jitter) * big
    ink = int(round(255 * rng.uniform(0.75, 1.0)))
    if name in ("circle", "ring"):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=ink)
        if name == "ring":
            ri = 0.55 * r
            draw.ellipse([cx - ri, cy - ri, cx + ri, cy + ri], fill=0)
    elif name in LETTERS:
        # a bowl (ring) and a stem; b: stem left, up; d: right, up; p: left, down; q: right, down
        rb = 0.55 * r
        stem_w = 0.40 * rb
        left = name in ("b", "p")
        up = name in ("b", "d")
        bx = cx
        by = cy + (0.45 * r if up else -0.45 * r)
        draw.ellipse([bx - rb, by - rb, bx + rb, by + rb], fill=ink)
        ri = rb - stem_w
        draw.ellipse([bx - ri, by - ri, bx + ri, by + ri], fill=0)
        sx = bx - rb if left else bx + rb - stem_w
        y0, y1 = (by - 1.9 * r * 0.9, by) if up else (by, by + 1.9 * r * 0.9)
        draw.rectangle([sx, y0, sx + stem_w, y1], fill=ink)
    else:
        for poly in _outline(name, r):
            draw.polygon([(cx + x, cy + y) for x, y in poly], fill=ink)
    if rotate != (0.0, 0.0):
        img = img.rotate(rng.uniform(*rotate), resample=Image.BICUBIC,
                         center=(cx, cy))
    img = img.resize((size, size), resample=Image.BOX)
    return np.asarray(img, dtype=np.float64) / 255.0


def _rotation_range(rotate) -> tuple[float, float]:
    """rotate r -> (-r, r); a pair (low, high) is kept (degrees, counter-clockwise)."""
    if isinstance(rotate, (tuple, list)):
        if len(rotate) != 2:
            raise ValueError(f"rotate must be a number or a pair (low, high), got {rotate!r}")
        lo = check_float(rotate[0], "rotate[0]", low=-180.0, high=180.0)
        hi = check_float(rotate[1], "rotate[1]", low=-180.0, high=180.0)
        if lo > hi:
            raise ValueError(f"rotate range must have low <= high, got {rotate!r}")
        return lo, hi
    r = check_float(rotate, "rotate", low=0.0, high=180.0)
    return -r, r


def render(names, size: int = 28, rng=None, rotate=10.0, jitter: float = 0.06):
    """Draw one image per name in ``names`` -> array (len(names), size, size) in [0, 1].

    rotate: maximum absolute rotation in degrees, or a range (low, high) of
    angles (counter-clockwise), e.g. (0, 30) for shapes that all lean the
    same way; jitter: maximum offset of the
    centre as a fraction of the image size.
    """
    size = check_int(size, "size", low=8, high=512)
    rotate = _rotation_range(rotate)
    jitter = check_float(jitter, "jitter", low=0.0, high=0.25)
    rng = check_rng(rng)
    known = set(SHAPES) | set(LETTERS)
    names = list(names)
    for nm in names:
        if nm not in known:
            raise ValueError(f"unknown shape name {nm!r}; known: {sorted(known)}")
    out = np.empty((len(names), size, size))
    for i, nm in enumerate(names):
        out[i] = _draw(nm, size, rng, rotate, jitter)
    return out


def _make(classes, n, size, rng, rotate, jitter, what):
    classes = tuple(classes)
    if len(classes) < 2:
        raise ValueError(f"{what} needs at least 2 classes, got {classes!r}")
    n = check_int(n, "n", low=1)
    rng = check_rng(rng)
    y = np.arange(n) % len(classes)
    y = y[rng.permutation(n)]
    X = render([classes[c] for c in y], size=size, rng=rng, rotate=rotate, jitter=jitter)
    return X, y.astype(np.int64)


def make_shapes(n: int = 1000, classes=SHAPES, size: int = 28, rng=None, rotate=10.0,
                jitter: float = 0.06):
    """Balanced set of mirror-symmetric shapes: X (n, size, size), y (n,) indices into classes."""
    return _make(classes, n, size, rng, rotate, jitter, "make_shapes")


def make_letters(n: int = 1000, letters=LETTERS, size: int = 28, rng=None,
                 rotate=10.0, jitter: float = 0.06):
    """Balanced set of the letters b, d, p, q: X (n, size, size), y (n,) indices into letters.

    A horizontal flip maps b <-> d and p <-> q: the label changes.
    """
    return _make(letters, n, size, rng, rotate, jitter, "make_letters")


FLIP_PARTNER = {"horizontal": {"b": "d", "d": "b", "p": "q", "q": "p"},
                "vertical": {"b": "p", "p": "b", "d": "q", "q": "d"}}
