"""Data augmentation: new training images from old ones, drawn afresh at every step.

The sheet's table, one function per row (all in NumPy, no image library):

    flip(x, axis)                        mirror about an axis that keeps the meaning
    rotate(x, angle, fill)               small rotation, same size ("horizon calibration")
    random_crop(x, size, rng, resize)    random focus on one part (several in a row:
                                         random_crops)
    color_shift(x, shift)                per-channel shift of the RGB nuances
    add_noise(x, std, rng)               Gaussian noise: tolerance to input quality
    information_loss(x, k, size, rng)    k random patches blanked ("cutout")
    adjust_contrast(x, contrast, brightness)   exposure / time of day

Images are one image ``(H, W, C)`` or a batch ``(N, H, W, C)`` (channels last,
C = 1, 3 or 4; add a channel axis to grayscale images with ``x[..., None]``),
uint8 in [0, 255] or float32/float64 in [0, 1]. The output has the input's
dtype: uint8 results are rounded and clipped to [0, 255], float results that
change values (colour, noise, contrast, fill) are clipped to [0, 1]. Every
intensity parameter (shift, std, fill, cval) is in units of the full range,
whatever the dtype: ``std=0.1`` is 10 % of the range, i.e. 25.5 grey levels for
uint8. The input is never modified.

Randomness comes only from the ``rng`` you pass (``np.random.Generator``):
the same rng state gives the same output, and a batch gets the same draws as
its images would one by one, in order.

The sheet's remark, "data is usually augmented on the fly during training",
is what ``Pipeline`` is for: it composes ops, each applied to an image with a
probability and with parameters drawn from ranges, and it is a function
``(X_batch, rng) -> X_batch`` that ``dl.fit(..., augment=pipeline)`` calls on
every mini-batch. Nothing is stored: each epoch sees new variants.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np

from ._validate import _show, check_float, check_int, check_rng

FILL_MODES = ("constant", "nearest", "reflect")
FLIP_AXES = {"horizontal": 2, "vertical": 1}   # axis of a (N, H, W, C) batch
LAYOUTS = ("NHWC", "NCHW", "NHW")


# -- input handling ---------------------------------------------------------------
def _images(x, name: str = "x") -> tuple[np.ndarray, bool]:
    """Check an image or batch; return it as a (N, H, W, C) view and whether it was one image."""
    if not isinstance(x, np.ndarray):
        if isinstance(x, (list, tuple)):
            x = np.asarray(x)
        else:
            raise TypeError(f"{name} must be a NumPy array of images, got {type(x).__name__}")
    if x.dtype != np.uint8 and x.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"{name} must hold uint8 (0..255) or float32/float64 (0..1) pixels, got dtype "
            f"{x.dtype}; convert with x.astype(np.float64) / 255 or x.astype(np.uint8)"
        )
    if x.ndim not in (3, 4):
        hint = " (a grayscale image? add a channel axis: x[..., None])" if x.ndim == 2 else ""
        raise ValueError(
            f"{name} must be one image (H, W, C) or a batch (N, H, W, C), got shape "
            f"{x.shape}{hint}"
        )
    if x.shape[-1] > 4:
        raise ValueError(
            f"{name} has {x.shape[-1]} channels (last axis of shape {x.shape}); images have "
            "1, 3 or 4 channels, last. For a batch of grayscale images (N, H, W) add a "
            "channel axis: x[..., None]; for (N, C, H, W) use x.transpose(0, 2, 3, 1)"
        )
    if min(x.shape[-3:-1]) < 1:
        raise ValueError(f"{name} has an empty spatial axis: shape {x.shape}")
    if x.dtype != np.uint8 and not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf")
    single = x.ndim == 3
    return (x[None] if single else x), single


def _to_float(x: np.ndarray) -> np.ndarray:
    """uint8 -> float32 in [0, 1]; float stays as it is (a copy is made by the callers' ops)."""
    return x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x


def _back(y: np.ndarray, dtype: np.dtype, single: bool, clip: bool = True) -> np.ndarray:
    """Float result -> the input's dtype (uint8: round and clip; float: clip to [0, 1])."""
    if dtype == np.uint8:
        y = np.clip(np.rint(y * 255), 0, 255).astype(np.uint8)
    else:
        y = y.astype(dtype, copy=False)
        if clip:
            y = np.clip(y, 0.0, 1.0, out=y)
    return y[0] if single else y


def _size_pair(size, name: str, shape: tuple[int, int] | None = None) -> tuple[int, int]:
    """A size as (h, w) pixels: an int, a pair of ints, or a float in (0, 1] (fraction of
    the image's sides, resolved against ``shape``)."""
    if isinstance(size, numbers.Real) and not isinstance(size, (bool, numbers.Integral)):
        frac = check_float(size, name, low=0.0, high=1.0, low_open=True)
        if shape is None:
            return frac  # resolved per image later
        return max(1, int(round(frac * shape[0]))), max(1, int(round(frac * shape[1])))
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise TypeError(f"{name} must be an int, a pair (height, width) or a fraction in "
                        f"(0, 1], got {_show(size)}")
    return (check_int(size[0], f"{name}[0] (height)", low=1),
            check_int(size[1], f"{name}[1] (width)", low=1))


# -- the sampler behind rotate and resize ------------------------------------------
def _reflect(coord: np.ndarray, n: int) -> np.ndarray:
    """Mirror coordinates about the edge pixel centres (numpy.pad's 'reflect': d c b|a b c d|c b a)."""
    if n == 1:
        return np.zeros_like(coord)
    period = 2 * (n - 1)
    t = np.mod(coord, period)
    return np.where(t > n - 1, period - t, t)


def _bilinear(x: np.ndarray, rr: np.ndarray, cc: np.ndarray, fill: str,
              cval: float = 0.0) -> np.ndarray:
    """Sample a float batch x (N, H, W, C) at real coordinates rr, cc (N, Ho, Wo).

    Inverse mapping: each OUTPUT pixel asks where it comes from in the input
    and blends the 4 input pixels around that point with weights
    (1 - fr)(1 - fc), (1 - fr) fc, fr (1 - fc), fr fc. Outside the image,
    ``fill`` decides: "constant" (cval), "nearest" (edge pixel), "reflect".
    """
    n, h, w, c = x.shape
    if fill == "constant":
        # a border of cval (1 pixel before, 2 after) makes every tap a valid index
        x = np.pad(x, ((0, 0), (1, 2), (1, 2), (0, 0)), constant_values=cval)
        rr = np.clip(rr + 1, 0, h + 1)
        cc = np.clip(cc + 1, 0, w + 1)
    elif fill == "nearest":
        rr = np.clip(rr, 0, h - 1)
        cc = np.clip(cc, 0, w - 1)
    else:  # reflect
        rr = _reflect(rr, h)
        cc = _reflect(cc, w)
    hp, wp = x.shape[1:3]
    r0f = np.floor(rr)
    c0f = np.floor(cc)
    fr = (rr - r0f).astype(x.dtype)
    fc = (cc - c0f).astype(x.dtype)
    r0 = r0f.astype(np.intp)
    c0 = c0f.astype(np.intp)
    r1 = np.minimum(r0 + 1, hp - 1)   # only reached with weight fr = 0 at the last row
    c1 = np.minimum(c0 + 1, wp - 1)
    base = (np.arange(n) * (hp * wp)).reshape(n, 1, 1)
    planes = np.moveaxis(x, 3, 0).reshape(c, -1)   # (C, N Hp Wp): a fast 1-D gather per channel
    row0, row1 = base + r0 * wp, base + r1 * wp
    top = planes[:, row0 + c0] * (1 - fc) + planes[:, row0 + c1] * fc
    bottom = planes[:, row1 + c0] * (1 - fc) + planes[:, row1 + c1] * fc
    out = top * (1 - fr) + bottom * fr                # (C, N, Ho, Wo)
    return np.moveaxis(out, 0, 3)


def _resize_float(x: np.ndarray, out_hw: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a float batch (N, H, W, C) to (N, Ho, Wo, C), pixel-centre aligned."""
    n, h, w, _ = x.shape
    ho, wo = out_hw
    if (ho, wo) == (h, w):
        return x.copy()
    rows = (np.arange(ho) + 0.5) * (h / ho) - 0.5
    cols = (np.arange(wo) + 0.5) * (w / wo) - 0.5
    rr = np.broadcast_to(rows[None, :, None], (n, ho, wo))
    cc = np.broadcast_to(cols[None, None, :], (n, ho, wo))
    return _bilinear(x, rr, cc, "nearest")


def resize(x, size) -> np.ndarray:
    """Bilinear resize of an image (H, W, C) or batch (N, H, W, C) to ``size`` (h, w) or int."""
    xb, single = _images(x)
    out = _resize_float(_to_float(xb), _size_pair(size, "size", xb.shape[1:3]))
    return _back(out, x.dtype, single, clip=False)


# -- the seven operations -------------------------------------------------------------
def flip(x, axis: str = "horizontal") -> np.ndarray:
    """Mirror an image or batch. x: (H, W, C) or (N, H, W, C) -> same shape and dtype.

    axis="horizontal" mirrors left and right (column j -> W - 1 - j),
    axis="vertical" mirrors top and bottom. Only use an axis that keeps the
    label: a horizontal flip is harmless for a cat, not for the letter b (it
    becomes a d), and a vertical flip turns a 6 into a 9. Flipping twice is
    the identity.
    """
    if axis not in FLIP_AXES:
        raise ValueError(f"axis must be one of {sorted(FLIP_AXES)}, got {_show(axis)}")
    xb, single = _images(x)
    out = np.flip(xb, axis=FLIP_AXES[axis]).copy()
    return out[0] if single else out


def _angles(angle, n: int) -> np.ndarray:
    if isinstance(angle, numbers.Real) and not isinstance(angle, bool):
        return np.full(n, check_float(angle, "angle"))
    if isinstance(angle, (str, bytes, bool)) or angle is None:
        raise TypeError(f"angle must be a number of degrees or one per image, got {_show(angle)}")
    try:
        arr = np.asarray(angle, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"angle must be a number of degrees or one per image, got "
                        f"{_show(angle)}") from err
    if arr.shape != (n,):
        raise ValueError(f"angle must be a number or one angle per image ({n},), got shape "
                         f"{arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"angle must be finite, got {arr[~np.isfinite(arr)][0]}")
    return arr


def rotate(x, angle, fill: str = "constant", cval: float = 0.0) -> np.ndarray:
    """Rotate by ``angle`` degrees counter-clockwise about the image centre; same size.

    x: (H, W, C) or (N, H, W, C); angle: a number, or one per image (N,).
    Inverse mapping with bilinear interpolation: the output pixel at offset
    (dr, dc) from the centre ((H-1)/2, (W-1)/2) reads the input at

        r = centre_r + cos(a) dr + sin(a) dc,   c = centre_c - sin(a) dr + cos(a) dc.

    Corners that come from outside the input are filled by ``fill``:
    "constant" (the value ``cval`` in [0, 1] units), "nearest" (edge pixels
    repeated) or "reflect" (mirrored about the edge pixels).
    """
    if fill not in FILL_MODES:
        raise ValueError(f"fill must be one of {FILL_MODES}, got {_show(fill)}")
    cval = check_float(cval, "cval", low=0.0, high=1.0)
    xb, single = _images(x)
    n, h, w, _ = xb.shape
    a = np.deg2rad(_angles(angle, n)).reshape(n, 1, 1)
    dr = (np.arange(h) - (h - 1) / 2).reshape(1, h, 1)
    dc = (np.arange(w) - (w - 1) / 2).reshape(1, 1, w)
    cos, sin = np.cos(a), np.sin(a)
    rr = (h - 1) / 2 + cos * dr + sin * dc
    cc = (w - 1) / 2 - sin * dr + cos * dc
    out = _bilinear(_to_float(xb), rr, cc, fill, cval)
    return _back(out, x.dtype, single, clip=False)


def random_crop(x, size, rng=None, resize: bool = False) -> np.ndarray:
    """Cut one random window of ``size`` (int, (h, w), or a fraction of the sides) from each image.

    x: (H, W, C) -> (h, w, C), or (N, H, W, C) -> (N, h, w, C); each image
    gets its own position (top, left) drawn uniformly so that the window fits.
    resize=True scales the crop back to (H, W) bilinearly (a zoom-in), so the
    shape does not change and the result can go through the same network.
    """
    xb, single = _images(x)
    n, h, w, _ = xb.shape
    ch, cw = _size_pair(size, "size", (h, w))
    if ch > h or cw > w:
        raise ValueError(f"size={(ch, cw)} is larger than the image ({h}, {w}): a crop must "
                         "fit inside the image")
    rng = check_rng(rng)
    # (top, left) of image 0, then of image 1, ...: the draws images would get one by one
    pos = rng.integers(0, np.array([h - ch + 1, w - cw + 1]), size=(n, 2))
    rows = pos[:, :1, None] + np.arange(ch)[None, :, None]          # (N, ch, 1)
    cols = pos[:, None, 1:] + np.arange(cw)[None, None, :]          # (N, 1, cw)
    out = xb[np.arange(n)[:, None, None], rows, cols]               # (N, ch, cw, C)
    if resize:
        out = _back(_resize_float(_to_float(out), (h, w)), x.dtype, False, clip=False)
    return out[0] if single else out


def random_crops(image, size, n: int, rng=None, resize: bool = False) -> np.ndarray:
    """Several random crops of ONE image in a row: (H, W, C) -> (n, h, w, C) (or (n, H, W, C))."""
    img, single = _images(image, "image")
    if not single:
        raise ValueError(f"image must be one image (H, W, C), got shape {image.shape}")
    n = check_int(n, "n", low=1)
    return random_crop(np.repeat(img, n, axis=0), size, rng, resize=resize)


def color_shift(x, shift) -> np.ndarray:
    """Add a shift to each colour channel: y[..., c] = clip(x[..., c] + shift[c]).

    shift: a number (all channels) or one value per channel, e.g. (0.1, 0, -0.05)
    for (R, G, B), in [0, 1] units; each in [-1, 1].
    """
    xb, single = _images(x)
    c = xb.shape[3]
    if isinstance(shift, numbers.Real) and not isinstance(shift, bool):
        s = np.full(c, check_float(shift, "shift", low=-1.0, high=1.0))
    else:
        s = np.asarray(shift, dtype=np.float64).reshape(-1)
        if s.shape != (c,):
            raise ValueError(f"shift must be a number or one value per channel ({c}), got "
                             f"{_show(shift)}")
        for i, v in enumerate(s):
            check_float(float(v), f"shift[{i}]", low=-1.0, high=1.0)
    xf = _to_float(xb)
    out = xf + s.astype(xf.dtype)
    return _back(out, x.dtype, single)


def add_noise(x, std: float, rng=None) -> np.ndarray:
    """Add Gaussian noise N(0, std^2) to every pixel and channel, then clip.

    std in [0, 1] units (0.05 = 5 % of the range); std=0 returns x unchanged.
    """
    std = check_float(std, "std", low=0.0)
    xb, single = _images(x)
    rng = check_rng(rng)
    xf = _to_float(xb)
    out = xf + (std * rng.standard_normal(xb.shape)).astype(xf.dtype)
    return _back(out, x.dtype, single)


def _patch_mask(tops: np.ndarray, lefts: np.ndarray, size: tuple[int, int],
                shape: tuple[int, int], use: np.ndarray | None = None) -> np.ndarray:
    """(N, H, W) mask of the union of patches; tops, lefts: (N, k); use: (N, k) which count."""
    (ph, pw), (h, w) = size, shape
    rows = np.arange(h)
    cols = np.arange(w)
    in_r = (rows >= tops[..., None]) & (rows < tops[..., None] + ph)     # (N, k, H)
    in_c = (cols >= lefts[..., None]) & (cols < lefts[..., None] + pw)   # (N, k, W)
    if use is not None:
        in_r &= use[..., None]
    return np.einsum("nkh,nkw->nhw", in_r.astype(np.uint8), in_c.astype(np.uint8)) > 0


def information_loss(x, k: int, size, rng=None, fill: float = 0.0) -> np.ndarray:
    """Blank ``k`` random patches of ``size`` (int, (h, w) or a fraction) in each image ("cutout").

    Each patch lies fully inside the image, at a position drawn uniformly;
    patches may overlap. Its pixels are set to ``fill`` (in [0, 1] units, 0 =
    black) in every channel. Parts of the image are ignored: the model must
    use the rest.
    """
    k = check_int(k, "k", low=0)
    fill = check_float(fill, "fill", low=0.0, high=1.0)
    xb, single = _images(x)
    n, h, w, _ = xb.shape
    ph, pw = _size_pair(size, "size", (h, w))
    if ph > h or pw > w:
        raise ValueError(f"size={(ph, pw)} is larger than the image ({h}, {w})")
    rng = check_rng(rng)
    # image by image: k tops then k lefts (the draws images would get one by one)
    pos = rng.integers(0, np.array([[h - ph + 1], [w - pw + 1]]), size=(n, 2, k))
    out = xb.copy()
    out[_patch_mask(pos[:, 0], pos[:, 1], (ph, pw), (h, w))] = (
        np.rint(fill * 255).astype(np.uint8) if xb.dtype == np.uint8 else fill)
    return out[0] if single else out


def adjust_contrast(x, contrast: float = 1.0, brightness: float = 1.0) -> np.ndarray:
    """Change contrast and brightness (luminosity), as exposure changes with the time of day.

        y = clip( brightness * (contrast * x + (1 - contrast) * m) ),

    m the mean of each image over all its pixels and channels. contrast > 1
    spreads values away from m, < 1 pulls them towards m (0 = uniform grey m);
    brightness scales the light (1 = unchanged, 0 = black). contrast=1 and
    brightness=1 give x back exactly.
    """
    contrast = check_float(contrast, "contrast", low=0.0)
    brightness = check_float(brightness, "brightness", low=0.0)
    xb, single = _images(x)
    xf = _to_float(xb)
    m = xf.mean(axis=(1, 2, 3), keepdims=True)
    out = xf.dtype.type(brightness) * (xf.dtype.type(contrast) * xf
                                       + xf.dtype.type(1 - contrast) * m)
    return _back(out, x.dtype, single)


# -- random versions for a pipeline ------------------------------------------------
def _range(spec, name: str, low=None, high=None) -> tuple[float, float]:
    """A parameter given as a number (fixed) or a (low, high) range -> (low, high)."""
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        v = check_float(spec, name, low=low, high=high)
        return v, v
    if not isinstance(spec, (tuple, list)) or len(spec) != 2:
        raise TypeError(f"{name} must be a number or a range (low, high), got {_show(spec)}")
    a = check_float(spec[0], f"{name}[0]", low=low, high=high)
    b = check_float(spec[1], f"{name}[1]", low=low, high=high)
    if a > b:
        raise ValueError(f"{name} range must have low <= high, got {_show(spec)}")
    return a, b


class Op:
    """A random augmentation: ``op(x, rng)`` on one image or a batch, parameters drawn per image."""

    def __call__(self, x, rng=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Flip(Op):
    """Mirror every image about ``axis`` (the Pipeline's probability makes it random)."""

    def __init__(self, axis: str = "horizontal"):
        if axis not in FLIP_AXES:
            raise ValueError(f"axis must be one of {sorted(FLIP_AXES)}, got {_show(axis)}")
        self.axis = axis

    def __call__(self, x, rng=None):
        return flip(x, self.axis)


class Rotate(Op):
    """Rotate each image by an angle drawn uniformly from ``angle`` = (low, high) degrees."""

    def __init__(self, angle=(-15.0, 15.0), fill: str = "constant", cval: float = 0.0):
        self.angle = _range(angle, "angle")
        if fill not in FILL_MODES:
            raise ValueError(f"fill must be one of {FILL_MODES}, got {_show(fill)}")
        self.fill, self.cval = fill, check_float(cval, "cval", low=0.0, high=1.0)

    def __call__(self, x, rng=None):
        rng = check_rng(rng)
        n = 1 if np.ndim(x) == 3 else len(x)
        angles = rng.uniform(*self.angle, size=n)
        return rotate(x, angles[0] if np.ndim(x) == 3 else angles, self.fill, self.cval)


class RandomCrop(Op):
    """A random crop of ``size`` (pixels or a fraction), resized back to the input size by default."""

    def __init__(self, size, resize: bool = True):
        self.size = _size_pair(size, "size")
        self.resize = bool(resize)

    def __call__(self, x, rng=None):
        return random_crop(x, self.size, rng, resize=self.resize)


class ColorShift(Op):
    """Shift each channel of each image by a value drawn uniformly from ``shift`` = (low, high)."""

    def __init__(self, shift=(-0.1, 0.1)):
        self.shift = _range(shift, "shift", low=-1.0, high=1.0)

    def __call__(self, x, rng=None):
        rng = check_rng(rng)
        xb, single = _images(x)
        s = rng.uniform(*self.shift, size=(xb.shape[0], 1, 1, xb.shape[3]))
        xf = _to_float(xb)
        return _back(xf + s.astype(xf.dtype), x.dtype, single)


class AddNoise(Op):
    """Gaussian noise with a std drawn uniformly from ``std`` = (low, high) per image."""

    def __init__(self, std=(0.0, 0.05)):
        self.std = _range(std, "std", low=0.0)

    def __call__(self, x, rng=None):
        rng = check_rng(rng)
        xb, single = _images(x)
        stds = rng.uniform(*self.std, size=(xb.shape[0], 1, 1, 1))
        xf = _to_float(xb)
        out = xf + (stds * rng.standard_normal(xb.shape)).astype(xf.dtype)
        return _back(out, x.dtype, single)


class InformationLoss(Op):
    """Blank ``k`` patches of ``size`` (pixels or a fraction); k an int or a range (low, high)."""

    def __init__(self, k=1, size=8, fill: float = 0.0):
        if isinstance(k, (tuple, list)):
            if len(k) != 2:
                raise TypeError(f"k must be an int or a range (low, high), got {_show(k)}")
            lo, hi = check_int(k[0], "k[0]", low=0), check_int(k[1], "k[1]", low=0)
            if lo > hi:
                raise ValueError(f"k range must have low <= high, got {_show(k)}")
            self.k = (lo, hi)
        else:
            self.k = (check_int(k, "k", low=0),) * 2
        self.size = _size_pair(size, "size")
        self.fill = check_float(fill, "fill", low=0.0, high=1.0)

    def __call__(self, x, rng=None):
        rng = check_rng(rng)
        xb, single = _images(x)
        n, h, w, _ = xb.shape
        ph, pw = size = _size_pair(self.size, "size", (h, w))
        if ph > h or pw > w:
            raise ValueError(f"size={size} is larger than the image ({h}, {w})")
        ks = rng.integers(self.k[0], self.k[1] + 1, size=n)
        kmax = self.k[1]
        pos = rng.integers(0, np.array([[h - ph + 1], [w - pw + 1]]), size=(n, 2, kmax))
        use = np.arange(kmax) < ks[:, None]
        out = xb.copy()
        out[_patch_mask(pos[:, 0], pos[:, 1], size, (h, w), use)] = (
            np.rint(self.fill * 255).astype(np.uint8) if xb.dtype == np.uint8 else self.fill)
        return out[0] if single else out


class AdjustContrast(Op):
    """Contrast and brightness factors drawn uniformly from their (low, high) ranges per image."""

    def __init__(self, contrast=(0.7, 1.3), brightness=(0.8, 1.2)):
        self.contrast = _range(contrast, "contrast", low=0.0)
        self.brightness = _range(brightness, "brightness", low=0.0)

    def __call__(self, x, rng=None):
        rng = check_rng(rng)
        xb, single = _images(x)
        n = xb.shape[0]
        c = rng.uniform(*self.contrast, size=(n, 1, 1, 1))
        b = rng.uniform(*self.brightness, size=(n, 1, 1, 1))
        xf = _to_float(xb)
        m = xf.mean(axis=(1, 2, 3), keepdims=True)
        out = (b * (c * xf + (1 - c) * m)).astype(xf.dtype)
        return _back(out, x.dtype, single)


class Pipeline:
    """Compose augmentations, each applied to each image with its own probability.

        pipe = Pipeline([(Flip("horizontal"), 0.5),
                         (Rotate((-10, 10)), 0.5),
                         (AddNoise((0, 0.05)), 0.3)])
        X_aug = pipe(X_batch, rng)              # a new random draw at every call
        dl.fit(model, X, y, augment=pipe, ...)  # on the fly, every mini-batch

    steps : list of ``(op, p)`` pairs or bare ops (p = 1): op is an Op or any
        function ``(x_batch, rng) -> x_batch`` that keeps the batch's shape.
        The ops run in the listed order; for each op, every image is picked
        independently with probability p.
    layout : how the batches are laid out: "NHWC" (images, the default),
        "NCHW" (what Conv2D takes) or "NHW" (grayscale without a channel axis).
        The ops always see (N, H, W, C); the output has the input's layout.
    """

    def __init__(self, steps: Sequence, layout: str = "NHWC"):
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {_show(layout)}")
        self.layout = layout
        self.steps: list[tuple[Callable, float]] = []
        for i, step in enumerate(steps):
            op, p = step if isinstance(step, (tuple, list)) else (step, 1.0)
            if not callable(op):
                raise TypeError(f"steps[{i}] must be an op (x, rng) -> x or a pair (op, p), "
                                f"got {_show(op)}")
            self.steps.append((op, check_float(p, f"steps[{i}] probability p",
                                               low=0.0, high=1.0)))

    def __call__(self, X, rng=None) -> np.ndarray:
        rng = check_rng(rng)
        X = np.asarray(X)
        want = {"NHWC": 4, "NCHW": 4, "NHW": 3}[self.layout]
        if X.ndim != want:
            raise ValueError(f"Pipeline(layout={self.layout!r}) expects a {want}-D batch "
                             f"{self.layout}, got shape {X.shape}")
        if self.layout == "NCHW":
            xb = X.transpose(0, 2, 3, 1)
        elif self.layout == "NHW":
            xb = X[..., None]
        else:
            xb = X
        xb, _ = _images(xb, "X")
        out = xb.copy()
        for i, (op, p) in enumerate(self.steps):
            picked = np.flatnonzero(rng.random(len(out)) < p)
            if picked.size == 0:
                continue
            new = np.asarray(op(out[picked], rng))
            if new.shape != (picked.size,) + out.shape[1:]:
                raise ValueError(
                    f"steps[{i}] {op!r} changed the batch shape from "
                    f"{(picked.size,) + out.shape[1:]} to {new.shape}; inside a pipeline an "
                    "op must keep the shape (use RandomCrop(size, resize=True))"
                )
            out[picked] = new
        if self.layout == "NCHW":
            return np.ascontiguousarray(out.transpose(0, 3, 1, 2))
        if self.layout == "NHW":
            return out[..., 0]
        return out

    def __repr__(self) -> str:
        inner = ", ".join(f"({op!r}, {p:g})" for op, p in self.steps)
        return f"Pipeline([{inner}], layout={self.layout!r})"
