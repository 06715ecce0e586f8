"""dlkit.augment: invariants of every op, batch = per image, dtypes, the pipeline, fit(augment=)."""

import numpy as np
import pytest

import dlkit as dl
from dlkit import augment as A


def img_float(seed=0, shape=(6, 5, 3)):
    return np.random.default_rng(seed).uniform(0, 1, size=shape)


def img_uint8(seed=0, shape=(6, 5, 3)):
    return np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)


def batch(seed=0, n=4, shape=(7, 6, 3), dtype=np.float64):
    x = np.random.default_rng(seed).uniform(0, 1, size=(n, *shape))
    return (np.rint(x * 255).astype(np.uint8) if dtype == np.uint8 else x.astype(dtype))


RANDOM_OPS = {
    "random_crop": lambda x, rng: A.random_crop(x, (4, 3), rng),
    "random_crop_resize": lambda x, rng: A.random_crop(x, (4, 3), rng, resize=True),
    "add_noise": lambda x, rng: A.add_noise(x, 0.1, rng),
    "information_loss": lambda x, rng: A.information_loss(x, 2, (2, 3), rng),
}
FIXED_OPS = {
    "flip_h": lambda x, rng: A.flip(x, "horizontal"),
    "flip_v": lambda x, rng: A.flip(x, "vertical"),
    "rotate": lambda x, rng: A.rotate(x, 17.0),
    "rotate_reflect": lambda x, rng: A.rotate(x, -33.0, fill="reflect"),
    "rotate_nearest": lambda x, rng: A.rotate(x, 50.0, fill="nearest"),
    "color_shift": lambda x, rng: A.color_shift(x, (0.1, -0.2, 0.05)),
    "adjust_contrast": lambda x, rng: A.adjust_contrast(x, 1.4, 0.8),
}
ALL_OPS = {**RANDOM_OPS, **FIXED_OPS}


# -- identities ------------------------------------------------------------------------
@pytest.mark.parametrize("axis", ["horizontal", "vertical"])
@pytest.mark.parametrize("make", [img_float, img_uint8, batch])
def test_flip_twice_is_the_identity(axis, make):
    x = make()
    np.testing.assert_array_equal(A.flip(A.flip(x, axis), axis), x)


def test_flip_mirrors_the_right_axis():
    x = np.arange(6, dtype=np.float64).reshape(2, 3, 1) / 5
    np.testing.assert_array_equal(A.flip(x, "horizontal")[..., 0], x[:, ::-1, 0])
    np.testing.assert_array_equal(A.flip(x, "vertical")[..., 0], x[::-1, :, 0])


@pytest.mark.parametrize("fill", A.FILL_MODES)
@pytest.mark.parametrize("make", [img_float, img_uint8, batch])
def test_rotation_by_zero_is_the_identity(fill, make):
    x = make()
    np.testing.assert_allclose(A.rotate(x, 0.0, fill=fill), x, atol=1e-12)
    assert A.rotate(x, 0.0, fill=fill).dtype == x.dtype


def test_rotation_by_90_degrees_on_a_square_image_is_rot90_counter_clockwise():
    x = img_float(1, (5, 5, 2))
    np.testing.assert_allclose(A.rotate(x, 90.0), np.rot90(x, k=1, axes=(0, 1)), atol=1e-12)
    np.testing.assert_allclose(A.rotate(x, -90.0), np.rot90(x, k=-1, axes=(0, 1)), atol=1e-12)
    np.testing.assert_allclose(A.rotate(x, 180.0), x[::-1, ::-1], atol=1e-12)


def test_rotation_agrees_with_pillow_bilinear_inside_the_image():
    from PIL import Image

    x = img_uint8(2, (40, 50, 3))
    ours = A.rotate(x, 20.0).astype(float)
    pil = np.asarray(Image.fromarray(x).rotate(20.0, resample=Image.BILINEAR)).astype(float)
    # same geometry: away from the borders, the two samplers differ by rounding only
    assert np.abs(ours - pil)[8:-8, 8:-8].mean() < 2.0


def test_rotation_fill_modes():
    x = np.ones((9, 9, 1))
    corner = A.rotate(x, 45.0, fill="constant", cval=0.25)[0, 0, 0]
    assert corner == pytest.approx(0.25)
    assert A.rotate(x, 45.0, fill="nearest")[0, 0, 0] == pytest.approx(1.0)
    assert A.rotate(x, 45.0, fill="reflect")[0, 0, 0] == pytest.approx(1.0)
    # a bilinear blend stays within the input's range
    y = A.rotate(img_float(3, (8, 8, 1)), 33.0, fill="reflect")
    assert y.min() >= 0.0 and y.max() <= 1.0


@pytest.mark.parametrize("make", [img_float, img_uint8, batch])
def test_contrast_and_brightness_one_is_the_identity(make):
    x = make()
    np.testing.assert_array_equal(A.adjust_contrast(x, 1.0, 1.0), x)


def test_contrast_formula_by_hand():
    x = np.array([0.2, 0.4, 0.6]).reshape(1, 3, 1)   # mean 0.4
    np.testing.assert_allclose(A.adjust_contrast(x, 2.0)[..., 0], [[0.0, 0.4, 0.8]])
    np.testing.assert_allclose(A.adjust_contrast(x, 0.0)[..., 0], [[0.4, 0.4, 0.4]])
    np.testing.assert_allclose(A.adjust_contrast(x, 1.0, 0.5)[..., 0], [[0.1, 0.2, 0.3]])
    np.testing.assert_allclose(A.adjust_contrast(x, 4.0)[..., 0], [[0.0, 0.4, 1.0]])  # clipped


@pytest.mark.parametrize("make", [img_float, img_uint8, batch])
def test_noise_std_zero_is_the_identity(make):
    x = make()
    np.testing.assert_array_equal(A.add_noise(x, 0.0, np.random.default_rng(0)), x)


def test_noise_has_the_requested_std_and_is_clipped():
    x = np.full((200, 200, 1), 0.5)
    y = A.add_noise(x, 0.1, np.random.default_rng(0))
    assert np.std(y - x) == pytest.approx(0.1, rel=0.02)
    y = A.add_noise(x, 2.0, np.random.default_rng(0))
    assert y.min() == 0.0 and y.max() == 1.0


def test_color_shift_per_channel():
    x = np.full((2, 2, 3), 0.5)
    y = A.color_shift(x, (0.1, 0.0, -0.2))
    np.testing.assert_allclose(y[0, 0], [0.6, 0.5, 0.3])
    np.testing.assert_allclose(A.color_shift(x, 0.7)[0, 0], [1.0, 1.0, 1.0])   # clipped
    u = A.color_shift(np.full((2, 2, 3), 100, np.uint8), (0.1, 0.0, -0.2))
    np.testing.assert_array_equal(u[0, 0], [100 + 26, 100, 100 - 51])  # 0.1*255 = 25.5 -> 26


# -- crops and patches -----------------------------------------------------------------
def test_crop_output_size_and_content():
    x = batch(0, n=5, shape=(10, 8, 3))
    y = A.random_crop(x, (4, 3), np.random.default_rng(1))
    assert y.shape == (5, 4, 3, 3)
    for i in range(5):   # each crop is a window of its own image
        found = any(np.array_equal(y[i], x[i, t:t + 4, s:s + 3])
                    for t in range(7) for s in range(6))
        assert found
    assert A.random_crop(x, 6, np.random.default_rng(1)).shape == (5, 6, 6, 3)
    assert A.random_crop(x, (4, 3), np.random.default_rng(1), resize=True).shape == x.shape
    assert A.random_crop(x, 0.5, np.random.default_rng(1)).shape == (5, 5, 4, 3)


def test_full_size_crop_is_the_identity():
    x = img_uint8(0, (6, 5, 3))
    np.testing.assert_array_equal(A.random_crop(x, (6, 5), np.random.default_rng(0)), x)
    np.testing.assert_array_equal(
        A.random_crop(x, (6, 5), np.random.default_rng(0), resize=True), x)


def test_several_crops_in_a_row():
    x = img_float(0, (12, 12, 3))
    crops = A.random_crops(x, 5, 7, np.random.default_rng(0))
    assert crops.shape == (7, 5, 5, 3)
    assert len({c.tobytes() for c in crops}) > 1   # different positions


def test_information_loss_blanks_k_patches():
    x = np.ones((1, 10, 10, 1))
    y = A.information_loss(x, 1, (3, 4), np.random.default_rng(0))
    assert (y == 0).sum() == 12
    y = A.information_loss(x, 3, 2, np.random.default_rng(0), fill=0.5)
    assert 4 <= (y == 0.5).sum() <= 12   # 3 patches of 4 pixels, overlaps allowed
    np.testing.assert_array_equal(A.information_loss(x, 0, 2, np.random.default_rng(0)), x)


def test_resize_keeps_a_constant_image_constant():
    x = np.full((1, 6, 4, 2), 0.3)
    y = A.resize(x, (9, 7))
    assert y.shape == (1, 9, 7, 2)
    np.testing.assert_allclose(y, 0.3)


# -- determinism, batches, dtypes --------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ALL_OPS))
def test_same_rng_same_output(name):
    op = ALL_OPS[name]
    x = batch(3)
    a = op(x, np.random.default_rng(42))
    b = op(x, np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(RANDOM_OPS))
def test_different_draws_differ(name):
    x = batch(3)
    rng = np.random.default_rng(0)
    assert not np.array_equal(RANDOM_OPS[name](x, rng), RANDOM_OPS[name](x, rng))


@pytest.mark.parametrize("name", sorted(ALL_OPS))
def test_a_batch_equals_its_images_one_by_one(name):
    op = ALL_OPS[name]
    x = batch(5)
    together = op(x, np.random.default_rng(7))
    rng = np.random.default_rng(7)
    alone = np.stack([op(img, rng) for img in x])
    np.testing.assert_allclose(together, alone, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ALL_OPS))
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_output_dtype_is_the_input_dtype_and_in_range(name, dtype):
    x = batch(1, dtype=dtype)
    y = ALL_OPS[name](x, np.random.default_rng(0))
    assert y.dtype == dtype
    if dtype != np.uint8:
        assert y.min() >= 0.0 and y.max() <= 1.0


@pytest.mark.parametrize("name", sorted(ALL_OPS))
def test_the_input_is_never_modified(name):
    x = batch(2)
    before = x.copy()
    ALL_OPS[name](x, np.random.default_rng(0))
    np.testing.assert_array_equal(x, before)


def test_uint8_and_float_agree_up_to_rounding():
    u = img_uint8(4, (8, 8, 3))
    f = u / 255.0
    for op in (lambda x: A.rotate(x, 10.0), lambda x: A.adjust_contrast(x, 1.3, 0.9),
               lambda x: A.color_shift(x, (0.05, -0.05, 0.0))):
        assert np.abs(op(u) / 255.0 - op(f)).max() <= 0.5 / 255 + 1e-6


# -- bad input ----------------------------------------------------------------------------
def test_crop_larger_than_the_image_is_rejected():
    with pytest.raises(ValueError, match="size"):
        A.random_crop(img_float(), (7, 2), np.random.default_rng(0))
    with pytest.raises(ValueError, match="size"):
        A.information_loss(img_float(), 1, 9, np.random.default_rng(0))


def test_bad_parameters_are_rejected_with_their_names():
    x = img_float()
    with pytest.raises(ValueError, match="std"):
        A.add_noise(x, -0.1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="contrast"):
        A.adjust_contrast(x, -1.0)
    with pytest.raises(ValueError, match="brightness"):
        A.adjust_contrast(x, 1.0, -0.5)
    with pytest.raises(ValueError, match="angle"):
        A.rotate(x, float("nan"))
    with pytest.raises(ValueError, match="angle"):
        A.rotate(batch(), [1.0, np.nan, 2.0, 3.0])
    with pytest.raises(TypeError, match="angle must be a number.*'ten'"):
        A.rotate(x, "ten")
    with pytest.raises(TypeError, match="angle"):
        A.rotate(batch(), [1.0, "a", 2.0, 3.0])
    with pytest.raises(ValueError, match="fill"):
        A.rotate(x, 10.0, fill="wrap")
    with pytest.raises(ValueError, match="axis"):
        A.flip(x, "diagonal")
    with pytest.raises(ValueError, match="shift"):
        A.color_shift(x, (0.1, 0.2))
    with pytest.raises(ValueError, match="k"):
        A.information_loss(x, -1, 2, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        A.add_noise(x, 0.1, rng=42)


def test_wrong_image_rank_or_dtype_is_rejected():
    with pytest.raises(ValueError, match=r"\(H, W, C\).*channel axis"):
        A.flip(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="one image"):
        A.flip(np.zeros((2, 2, 5, 5, 1)))
    with pytest.raises(ValueError, match="channels"):
        A.rotate(np.zeros((10, 28, 28)), 5.0)       # (N, H, W) grayscale without channel axis
    with pytest.raises(TypeError, match="dtype int64"):
        A.flip(np.zeros((4, 4, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="NumPy array"):
        A.flip("image")
    with pytest.raises(ValueError, match="NaN"):
        A.adjust_contrast(np.full((3, 3, 1), np.nan), 1.2)


# -- the pipeline ---------------------------------------------------------------------------
def full_pipeline(p=0.5, layout="NHWC"):
    return A.Pipeline([
        (A.Flip("horizontal"), p), (A.Rotate((-10, 10)), p), (A.RandomCrop(0.8), p),
        (A.ColorShift((-0.1, 0.1)), p), (A.AddNoise((0, 0.05)), p),
        (A.InformationLoss((1, 2), 2), p), (A.AdjustContrast((0.8, 1.2), (0.9, 1.1)), p),
    ], layout=layout)


def test_pipeline_probability_zero_is_the_identity_and_one_always_applies():
    x = batch(0)
    np.testing.assert_array_equal(full_pipeline(0.0)(x, np.random.default_rng(0)), x)
    flips = A.Pipeline([(A.Flip("horizontal"), 1.0)])
    np.testing.assert_array_equal(flips(x, np.random.default_rng(0)), A.flip(x))


def test_pipeline_applies_each_op_to_about_p_of_the_images():
    x = batch(0, n=2000, shape=(2, 3, 1))
    y = A.Pipeline([(A.Flip("horizontal"), 0.3)])(x, np.random.default_rng(0))
    flipped = np.mean([not np.array_equal(a, b) for a, b in zip(x, y)])
    assert flipped == pytest.approx(0.3, abs=0.04)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_pipeline_keeps_shape_and_dtype_and_is_deterministic(dtype):
    x = batch(1, n=16, dtype=dtype)
    pipe = full_pipeline()
    y = pipe(x, np.random.default_rng(3))
    assert y.shape == x.shape and y.dtype == dtype
    np.testing.assert_array_equal(y, pipe(x, np.random.default_rng(3)))
    assert not np.array_equal(y, pipe(x, np.random.default_rng(4)))


@pytest.mark.parametrize("layout,shape", [("NCHW", (4, 3, 7, 6)), ("NHW", (4, 7, 6))])
def test_pipeline_layouts(layout, shape):
    x = np.random.default_rng(0).uniform(size=shape)
    y = full_pipeline(1.0, layout)(x, np.random.default_rng(0))
    assert y.shape == x.shape
    flip = A.Pipeline([(A.Flip("horizontal"), 1.0)], layout=layout)
    np.testing.assert_array_equal(flip(x, np.random.default_rng(0)), x[..., ::-1])


def test_pipeline_rejects_ops_that_change_the_shape_and_bad_steps():
    crop = A.Pipeline([(lambda x, rng: A.random_crop(x, 3, rng), 1.0)])
    with pytest.raises(ValueError, match="changed the batch shape"):
        crop(batch(), np.random.default_rng(0))
    with pytest.raises(ValueError, match="probability"):
        A.Pipeline([(A.Flip(), 1.5)])
    with pytest.raises(TypeError, match="steps"):
        A.Pipeline([("flip", 0.5)])
    with pytest.raises(ValueError, match="layout"):
        A.Pipeline([A.Flip()], layout="HWC")
    with pytest.raises(ValueError, match="4-D"):
        A.Pipeline([A.Flip()])(np.zeros((5, 5, 1)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="low <= high"):
        A.Rotate((10, -10))


def test_random_ops_draw_parameters_within_their_ranges():
    x = np.full((500, 3, 3, 3), 0.5)
    y = A.ColorShift((-0.1, 0.2))(x, np.random.default_rng(0))
    shifts = y[:, 0, 0, :] - 0.5
    assert shifts.min() >= -0.1 - 1e-12 and shifts.max() <= 0.2 + 1e-12
    assert shifts.std() > 0.05   # really random, per image and channel
    z = A.AdjustContrast(1.0, (0.5, 0.5))(x, np.random.default_rng(0))
    np.testing.assert_allclose(z, 0.25)


# -- on the fly, inside fit ---------------------------------------------------------------
class Recorder:
    """An augment function that records every call and adds fresh noise."""

    def __init__(self):
        self.calls = []

    def __call__(self, X_b, rng):
        out = A.add_noise(X_b.reshape(len(X_b), 2, 2, 1).clip(0, 1), 0.05, rng)
        self.calls.append(out.copy())
        return out.reshape(X_b.shape)


def test_fit_augments_every_mini_batch_afresh_and_keeps_X():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(20, 4))
    y = (X.sum(axis=1) > 2).astype(float)
    X_before = X.copy()
    model = dl.Sequential(dl.Dense(4, 1, rng=rng))
    rec = Recorder()
    dl.fit(model, X, y, epochs=3, batch_size=8, augment=rec, rng=rng, shuffle=False)
    assert len(rec.calls) == 3 * 3          # ceil(20 / 8) = 3 mini-batches per epoch, 3 epochs
    assert [len(c) for c in rec.calls[:3]] == [8, 8, 4]
    np.testing.assert_array_equal(X, X_before)   # nothing stored
    # the same examples (no shuffling) get a different draw in every epoch
    assert not np.array_equal(rec.calls[0], rec.calls[3])
    assert not np.array_equal(rec.calls[3], rec.calls[6])


def test_fit_with_a_pipeline_on_images():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(32, 6, 6))
    y = rng.integers(0, 2, size=32)
    model = dl.Sequential(dl.Flatten(), dl.Dense(36, 2, rng=rng))
    pipe = A.Pipeline([(A.Flip("horizontal"), 0.5), (A.AddNoise((0, 0.1)), 0.5)], layout="NHW")
    h = dl.fit(model, X, y, loss="softmax_cross_entropy", epochs=2, batch_size=8, augment=pipe,
               rng=rng)
    assert len(h["loss"]) == 2 and np.isfinite(h["loss"]).all()


def test_fit_rejects_an_augment_that_drops_rows():
    rng = np.random.default_rng(0)
    model = dl.Sequential(dl.Dense(4, 1, rng=rng))
    with pytest.raises(ValueError, match="augment"):
        dl.fit(model, np.zeros((8, 4)), np.zeros(8), epochs=1, batch_size=4,
               augment=lambda X_b, rng: X_b[:1], rng=rng)
