"""Chapter 01, "Data processing": data augmentation and batch normalization."""

from nbbuild import Notebook


def build() -> Notebook:
    nb = Notebook("01_data_processing")
    nb.md(r"""
    # Chapter 01 — Data processing

    > **Data augmentation** ― Deep learning models usually need a lot of data to be properly
    > trained. It is often useful to get more data from the existing ones using data
    > augmentation techniques. [...]
    >
    > *Remark: data is usually augmented on the fly during training.*
    >
    > **Batch normalization** ― It is a step of hyperparameter $\gamma, \beta$ that normalizes
    > the batch $\{x_i\}$. [...] It is usually done after a fully connected/convolutional layer
    > and before a non-linearity layer and aims at allowing higher learning rates and reducing
    > the strong dependence on initialization.
    >
    > — *CS 230 Deep Learning Tips and Tricks*, A. Amidi and S. Amidi

    **In this chapter you will**

    1. reproduce the sheet's augmentation table on a real photograph, one explicit function per
       technique, and play with each one's parameters;
    2. see *why* the sheet insists on "an axis for which the meaning of the image is preserved":
       measure flips helping on symmetric shapes and corrupting the letters b, d, p, q;
    3. measure augmentation against overfitting on 200 handwritten digits, on the fly, inside
       the training loop;
    4. derive batch normalization forward and backward, learn why $\gamma, \beta$ are
       *parameters*, and why training and evaluation use different statistics;
    5. test the sheet's two claims, "higher learning rates" and "less dependence on
       initialization", with numbers over a grid of learning rates and initial scales;
    6. look at the layer that images really need: a convolution written as one matrix product.

    Three exercises are graded (a contrast change, batch-norm forward, batch-norm backward).
    Their solutions are in collapsed cells: try first, then click to expand.

    *Data:* the photograph is Grace Hopper's portrait, a U.S. Navy photograph in the public
    domain, shipped with matplotlib. The digits are 5,000 MNIST images (LeCun, Cortes and
    Burges; CC BY-SA 3.0) shipped with dlkit.
    """)
    nb.code("""
    import numpy as np
    import dlkit as dl
    from dlkit import augment as A
    from dlkit.figures import data_processing as fig01
    from dlkit.interactive import LivePlot, choice_slider, dropdown, float_slider, int_slider

    rng = np.random.default_rng(230)
    np.set_printoptions(precision=3, suppress=True)
    """)

    # ------------------------------------------------------------------ images
    nb.md(r"""
    ## 1. Data augmentation

    A label is a property of what the image *shows*, not of its pixels. Many transformations of
    the pixels keep what is shown: a portrait mirrored, slightly rotated, zoomed in, taken at
    dusk, with a noisy sensor or a smudge on the lens, is still the same person. Each such
    transformation turns one labelled example into infinitely many, and teaches the network
    that the transformation does not matter (an *invariance*) without a single new label.

    An image is an array of shape $(H, W, C)$: height, width, channels (3 for RGB); a batch is
    $(N, H, W, C)$. Pixels are `uint8` in $0..255$ or floats in $[0, 1]$; `dlkit.augment`
    accepts both, returns the dtype it was given, and expresses every intensity parameter in
    units of the full range (a noise of `std=0.1` is 10 % of the range, 25.5 grey levels in
    `uint8`).
    """)
    nb.code("""
    photo = dl.datasets.load_photo()
    print(photo.shape, photo.dtype, photo.min(), photo.max())
    print(dl.datasets.PHOTO_CREDIT)
    """)
    nb.md(r"""
    Here is the sheet's table, computed: the original and the seven techniques, each with the
    sheet's own explanation and the exact parameters used.
    """)
    nb.code("""
    fig01.render_augmentation_table()
    """)
    nb.md(r"""
    Every function is deterministic given its parameters and, for the random ones, the
    `np.random.Generator` it is handed: same generator state, same output. The widgets below
    use a 160-pixel version of the photo so that each redraw takes a fraction of a second.
    """)
    nb.code("""
    small = fig01.photo()          # the photo with its longer side at 160 px, uint8
    print(small.shape)
    """)

    # ------------------------------------------------------------------ flip
    nb.md(r"""
    ### 1.1 Flip

    > Flipped with respect to an axis for which the meaning of the image is preserved.

    A horizontal flip maps pixel $(i, j)$ to $(i, W - 1 - j)$; a vertical flip maps it to
    $(H - 1 - i, j)$. Both are their own inverse. The sheet's condition is the whole point:
    a face mirrored is a face, but a mirrored **b** is a **d**, a mirrored road sign is
    wrong, and a 6 flipped upside down is a 9. `A.flip` therefore takes the axis as an explicit
    argument; there is no "flip in a random direction".
    """)
    nb.code("""
    x = np.arange(6, dtype=np.uint8).reshape(2, 3, 1)
    print(x[..., 0])
    print(A.flip(x, "horizontal")[..., 0])
    print(A.flip(x, "vertical")[..., 0])
    print("flip twice = identity:", np.array_equal(A.flip(A.flip(photo, "horizontal"), "horizontal"), photo))
    """)
    nb.widget("""
    LivePlot(fig01.render_flip, axis=dropdown("axis", ["horizontal", "vertical"], "horizontal"))
    """)

    # ------------------------------------------------------------------ rotation
    nb.md(r"""
    ### 1.2 Rotation

    > Rotation with a slight angle. Simulates incorrect horizon calibration.

    Rotating by $\alpha$ (counter-clockwise, about the centre $(c_r, c_c) = ((H-1)/2, (W-1)/2)$)
    is done by **inverse mapping**: each *output* pixel at offset $(d_r, d_c)$ from the centre
    asks where it comes from,

    $$ r = c_r + \cos\alpha\, d_r + \sin\alpha\, d_c, \qquad
       c = c_c - \sin\alpha\, d_r + \cos\alpha\, d_c, $$

    and reads the input there by **bilinear interpolation**, a weighted mean of the 4 pixels
    around the (non-integer) point $(r, c)$, with weights $(1-f_r)(1-f_c)$, $(1-f_r)f_c$,
    $f_r(1-f_c)$, $f_r f_c$ where $f_r, f_c$ are the fractional parts. Output pixels whose
    source falls outside the input are filled: `"constant"` (a value), `"nearest"` (repeat the
    edge) or `"reflect"` (mirror the image about its edge).

    Why not push every input pixel to its rotated position instead? Because the rotated
    positions are not integers: rounding them leaves holes, as the next cell counts.
    """)
    nb.code("""
    h = w = 100
    alpha = np.deg2rad(30)
    rr, cc = np.mgrid[0:h, 0:w] - (h - 1) / 2
    r_out = np.rint((h - 1) / 2 + np.cos(alpha) * rr - np.sin(alpha) * cc).astype(int)
    c_out = np.rint((w - 1) / 2 + np.sin(alpha) * rr + np.cos(alpha) * cc).astype(int)
    inside = (r_out >= 0) & (r_out < h) & (c_out >= 0) & (c_out < w)
    hit = np.zeros((h, w), bool)
    hit[r_out[inside], c_out[inside]] = True
    central = np.hypot(*(np.mgrid[0:h, 0:w] - (h - 1) / 2)) < 40   # away from the corners
    print(f"forward mapping: {np.mean(~hit[central]):.1%} of the central output pixels are holes")
    """)
    nb.code("""
    x = np.arange(9, dtype=float).reshape(3, 3, 1) / 8
    print("rotate by 90 degrees == np.rot90:", np.allclose(A.rotate(x, 90), np.rot90(x)))
    print("rotate by 0 is the identity:    ", np.array_equal(A.rotate(photo, 0), photo))
    print(np.round(A.rotate(x, 45, fill="constant")[..., 0], 3))
    """)
    nb.widget("""
    LivePlot(fig01.render_rotation, angle=float_slider("angle (°)", -45, 45, 15, 1),
             fill=dropdown("fill", ["constant", "nearest", "reflect"], "constant"))
    """)

    # ------------------------------------------------------------------ crop
    nb.md(r"""
    ### 1.3 Random crop

    > Random focus on one part of the image. Several random crops can be done in a row.

    A crop of size $(h, w)$ keeps the window whose top-left corner $(t, \ell)$ is drawn
    uniformly in $\{0..H-h\} \times \{0..W-w\}$. The network learns to recognise the object
    wherever it sits and whatever part is visible. Several crops of the same image give several
    examples at once (`A.random_crops`); `resize=True` scales a crop back to $(H, W)$, a zoom-in,
    so that it fits the same network. A crop larger than the image is an error.
    """)
    nb.code("""
    crops = A.random_crops(small, 96, 5, np.random.default_rng(0))
    print("5 crops in a row:", crops.shape)
    print("resized back:    ", A.random_crop(small, 96, np.random.default_rng(0), resize=True).shape)
    try:
        A.random_crop(small, 200, np.random.default_rng(0))
    except ValueError as err:
        print("ValueError:", err)
    """)
    nb.widget("""
    LivePlot(fig01.render_random_crop, reseed=True,
             size=int_slider("crop size (px)", 40, 130, 96, 2),
             count=int_slider("crops in a row", 1, 5, 3),
             resize=dropdown("resize back", [False, True], False))
    """)

    # ------------------------------------------------------------------ colour
    nb.md(r"""
    ### 1.4 Colour shift

    > Nuances of RGB is slightly changed. Captures noise that can occur with light exposure.

    Each channel $c$ gets its own shift $s_c$: $y_{ijc} = \operatorname{clip}(x_{ijc} + s_c)$.
    A warm light raises red and lowers blue; a white balance error does the same. In training
    the shifts are drawn at random, e.g. $s_c \sim U(-0.1, 0.1)$ for every image and channel.
    """)
    nb.code("""
    shifted = A.color_shift(photo, (0.10, 0.0, -0.10))
    print("channel means before:", np.round(photo.reshape(-1, 3).mean(0) / 255, 3))
    print("channel means after: ", np.round(shifted.reshape(-1, 3).mean(0) / 255, 3))
    """)
    nb.md(r"""
    The red mean rises by less than 0.10 and the blue one falls by less than 0.10: pixels
    already near 255 (or 0) are clipped. A shift is exact only away from the ends of the range.
    """)
    nb.widget("""
    LivePlot(fig01.render_color_shift,
             red=float_slider("red shift", -0.3, 0.3, 0.1, 0.02),
             green=float_slider("green shift", -0.3, 0.3, 0.0, 0.02),
             blue=float_slider("blue shift", -0.3, 0.3, -0.1, 0.02))
    """)

    # ------------------------------------------------------------------ noise
    nb.md(r"""
    ### 1.5 Noise addition

    > Addition of noise. More tolerance to quality variation of inputs.

    Gaussian noise $y = \operatorname{clip}(x + \varepsilon)$, $\varepsilon \sim
    \mathcal{N}(0, \sigma^2)$ independently for every pixel and channel, imitates sensor noise
    and compression. Its strength is usually quoted as a peak signal-to-noise ratio,
    $\text{PSNR} = 10 \log_{10}(1 / \text{MSE})$ dB for images in $[0, 1]$: about 30 dB is
    hard to see, 20 dB is obvious.
    """)
    nb.code("""
    x = photo / 255.0
    print(f"{'std':>5} {'measured std':>13} {'PSNR (dB)':>10}")
    for std in [0.02, 0.05, 0.1, 0.2]:
        y = A.add_noise(x, std, np.random.default_rng(0))
        mse = np.mean((y - x) ** 2)
        print(f"{std:>5} {np.std(y - x):>13.4f} {10 * np.log10(1 / mse):>10.1f}")
    """)
    nb.md(r"""
    For small $\sigma$ the measured noise is $\sigma$ and PSNR $= -20\log_{10}\sigma$ (34 dB
    for 0.02). At $\sigma = 0.2$ the clipping at 0 and 1 eats part of the noise: the measured
    standard deviation falls below 0.2.
    """)
    nb.widget("""
    LivePlot(fig01.render_noise, reseed=True, std=float_slider("noise std", 0.0, 0.4, 0.1, 0.01))
    """)

    # ------------------------------------------------------------------ information loss
    nb.md(r"""
    ### 1.6 Information loss

    > Parts of image ignored. Mimics potential loss of parts of image.

    Blank $k$ patches of size $p \times p$ at random positions (known as *cutout*, DeVries and
    Taylor 2017). A network that sees a face with the eyes hidden must learn to use the mouth,
    the hair, the shape: it stops relying on one small region. With $k$ independent patches
    that each cover a fraction $a = p^2 / (HW)$ of the image, about
    $1 - (1 - a)^k$ of the image is hidden (a little less near the borders, which fewer
    patches can reach).
    """)
    nb.code("""
    x = np.ones((200, 100, 100, 1))
    for k in [1, 3, 10]:
        y = A.information_loss(x, k, 20, np.random.default_rng(0))
        print(f"k = {k:>2}: hidden {np.mean(y == 0):.3f}, 1 - (1 - a)^k = {1 - (1 - 0.04) ** k:.3f}")
    """)
    nb.widget("""
    LivePlot(fig01.render_information_loss, reseed=True,
             k=int_slider("patches k", 0, 8, 3), size=int_slider("patch size (px)", 5, 80, 30))
    """)

    # ------------------------------------------------------------------ contrast
    nb.md(r"""
    ### 1.7 Contrast change

    > Luminosity changes. Controls difference in exposition due to time of day.

    With $m$ the mean of the image (over pixels and channels),

    $$ y = \operatorname{clip}\big(b\,(c\,x + (1 - c)\,m)\big), $$

    the contrast factor $c$ stretches values away from the mean ($c > 1$) or squeezes them
    towards it ($c < 1$, $c = 0$ is a uniform grey), and the brightness factor $b$ scales the
    light as an exposure change does. Before clipping, the mean becomes $b\,m$ and the standard
    deviation $b\,c\,\sigma$: check it.
    """)
    nb.code("""
    x = photo / 255.0
    print(f"original:             mean {x.mean():.3f}, std {x.std():.3f}")
    for c, b in [(0.5, 1.0), (1.0, 0.7), (1.5, 1.0)]:
        y = A.adjust_contrast(x, c, b)
        print(f"contrast {c}, bright. {b}: mean {y.mean():.3f}, std {y.std():.3f}"
              f"   (b m = {b * x.mean():.3f}, b c s = {b * c * x.std():.3f})")
    """)
    nb.md(r"""
    The factors 0.5 and 0.7 match the prediction exactly. Contrast 1.5 pushes many pixels past 0
    and 1, and the clipping keeps the standard deviation below $1.5\sigma$.
    """)
    nb.widget("""
    LivePlot(fig01.render_contrast, contrast=float_slider("contrast", 0.0, 3.0, 1.5, 0.05),
             brightness=float_slider("brightness", 0.2, 2.0, 1.0, 0.05))
    """)

    # ------------------------------------------------------------------ exercise 1
    nb.md(r"""
    ### Exercise 1 — contrast change (2 points)

    Write `adjust_contrast(x, contrast, brightness)` for a batch `x` of float images of shape
    $(N, H, W, C)$ with values in $[0, 1]$:

    $$ y = \operatorname{clip}\big(b\,(c\,x + (1 - c)\,m),\ 0,\ 1\big) $$

    where $m$ is the mean of **each image** over its pixels and channels (one number per
    image). Return a new array of the same shape; do not modify `x`.
    """)
    nb.solution("ex_contrast", """
    def adjust_contrast(x, contrast, brightness):
        ### BEGIN SOLUTION
        m = x.mean(axis=(1, 2, 3), keepdims=True)
        return np.clip(brightness * (contrast * x + (1 - contrast) * m), 0.0, 1.0)
        ### END SOLUTION
    """)
    nb.graded_test("ex_contrast_test", 2, """
    from dlkit.checks.data_processing import check_adjust_contrast

    check_adjust_contrast(adjust_contrast)
    print("adjust_contrast: correct")
    ### BEGIN HIDDEN TESTS
    y = adjust_contrast(np.full((2, 3, 3, 1), 0.5), 2.0, 1.0)
    assert np.allclose(y, 0.5), "a uniform image has no contrast to change"
    ### END HIDDEN TESTS
    """)

    # ------------------------------------------------------------------ pipeline
    nb.md(r"""
    ### 1.8 On the fly: a pipeline

    > Remark: data is usually augmented on the fly during training.

    Rather than storing ten augmented copies of the data set (ten times the memory, and always
    the same ten variants), we draw a fresh variant of each example every time it is used. An
    `A.Pipeline` lists ops with a probability each; ranges such as `(-15, 15)` are drawn anew
    for every image. A pipeline is a function `(X_batch, rng) -> X_batch`, which is exactly
    what `dl.fit(..., augment=...)` calls on every mini-batch, after shuffling, before the
    forward pass.
    """)
    nb.code("""
    pipe = fig01.example_pipeline(p=0.5)
    for op, p in pipe.steps:
        print(f"p = {p}: {op!r}")
    """)
    nb.md(r"""
    Let us watch `fit` do it: a tiny model on 20 images, a wrapper that records each call.
    There is one call per mini-batch, each draw is new (the same images in the same order get
    different augmentations in different epochs), and the stored data never change.
    """)
    nb.code("""
    X_small = np.random.default_rng(0).uniform(size=(20, 8, 8))
    y_small = np.arange(20) % 2
    calls = []

    def recording_augment(X_batch, rng):
        out = A.Pipeline([(A.AddNoise(0.1), 1.0)], layout="NHW")(X_batch, rng)
        calls.append(out)
        return out

    X_before = X_small.copy()
    net = dl.Sequential(dl.Flatten(), dl.Dense(64, 2, rng=np.random.default_rng(0)))
    _ = dl.fit(net, X_small, y_small, loss="softmax_cross_entropy", epochs=3, batch_size=8,
               shuffle=False, augment=recording_augment, rng=np.random.default_rng(1))
    print("calls:", len(calls), "= 3 epochs x 3 mini-batches; sizes", [len(c) for c in calls[:3]])
    print("epoch 1 and epoch 2 see different draws:", not np.allclose(calls[0], calls[3]))
    print("stored X unchanged:", np.array_equal(X_small, X_before))
    """)
    nb.md(r"""
    Each click of the button below is one more draw: what the network would see of this photo
    in eight successive epochs.
    """)
    nb.widget("""
    LivePlot(fig01.render_pipeline, reseed=True,
             p=float_slider("probability p of each op", 0.0, 1.0, 0.5, 0.05))
    """)

    # ------------------------------------------------------------------ flip lesson
    nb.md(r"""
    ### 1.9 Measured: a flip helps, or corrupts the labels

    Two procedurally drawn data sets (`dl.datasets.make_shapes`, `make_letters`):

    * ten **shapes** that are all mirror-symmetric (circle, square, star, heart, ...). To make
      the help of flips visible, the 200 training shapes all *lean the same way* (rotated by
      0 to 30 degrees counter-clockwise) while the test shapes lean both ways, like a training
      set of photos in which every car faces left. A mirrored shape leaning left is a valid
      example of the same shape leaning right;
    * the **letters b, d, p, q**, where a horizontal flip turns b into d and p into q.

    The same small network (784 → 64 → classes) is trained for 40 epochs with and without
    horizontal flips ($p = 0.5$), three times with different seeds (mean ± standard deviation
    over the seeds 0, 1, 2; each seed draws its own data, initialization and batches).
    """)
    nb.code("""
    def flip_experiment(make, train_kw, test_kw, flip, seed):
        r = np.random.default_rng(seed)
        X_tr, y_tr = make(200, rng=r, **train_kw)
        X_te, y_te = make(500, rng=r, **test_kw)
        k = int(y_tr.max()) + 1
        model = dl.Sequential(dl.Flatten(), dl.Dense(28 * 28, 64, init="he", rng=r), dl.ReLU(),
                              dl.Dense(64, k, rng=r))
        augment = A.Pipeline([(A.Flip("horizontal"), 0.5)], layout="NHW") if flip else None
        dl.fit(model, X_tr, y_tr, loss="softmax_cross_entropy", lr=0.1, epochs=40,
               batch_size=32, augment=augment, rng=r)
        return dl.evaluate(model, X_te, y_te, "softmax_cross_entropy")[1]

    setups = {"shapes": (dl.datasets.make_shapes, {"rotate": (0, 30)}, {"rotate": 30}),
              "letters": (dl.datasets.make_letters, {}, {})}
    flip_results = {}
    print(f"{'data set':<9} {'no flip':>16} {'with flips':>16}")
    for name, (make, train_kw, test_kw) in setups.items():
        accs = [[flip_experiment(make, train_kw, test_kw, flip, seed) for seed in range(3)]
                for flip in (False, True)]
        flip_results[name] = (np.mean(accs[0]), np.mean(accs[1]))
        better = sum(f > p for p, f in zip(*accs))
        print(f"{name:<9} " + " ".join(f"{np.mean(a):.3f} ± {np.std(a):.3f}".rjust(16) for a in accs)
              + f"   flips better on {better} of 3 seeds")
    """)
    nb.code("""
    fig01.render_flip_lesson(flip_results, chance={"shapes": 0.1, "letters": 0.25})
    """)
    nb.md(r"""
    On the symmetric shapes, flips add the missing orientation and test accuracy rises by about
    0.1, on every seed. On the letters they are a disaster, on every seed too: half of the
    training b's now show a d with the label b, so the network cannot tell b from d (nor p from
    q) and falls to about 50 %, the accuracy of
    telling only $\{b, d\}$ from $\{p, q\}$. Same operation, same code: whether it is an
    augmentation or label noise depends only on the data's symmetries. A vertical flip would
    be wrong for both data sets' *up* and *down* too (b ↔ p); for photos of scenes it is almost
    always wrong.
    """)

    # ------------------------------------------------------------------ overfitting
    nb.md(r"""
    ### 1.10 Measured: augmentation against overfitting

    With only 200 training digits a network memorises them: training accuracy reaches 100 %
    while validation accuracy stalls. Augmentation makes memorising harder (every epoch shows
    new variants) and teaches invariances the validation digits need. We train the same
    network without and with small rotations (±10°) and random crops of 24 × 24 zoomed back to
    28 × 28, each with probability 0.5, and validate on 1,000 other digits.

    Two precautions make the comparison honest. **Which training accuracy?** The accuracy that
    `fit` logs is measured on the mini-batches as trained on, which here are *augmented*: harder
    than the digits themselves. The gap that measures overfitting is between the *clean*
    training digits and the validation digits, so a callback evaluates the model on the clean
    training set every 5 epochs. **Which seed?** One run decides little: the seed fixes the
    initial weights, the order of the batches and every augmentation draw, and the validation
    accuracy moves by a few points from one seed to the next. So each condition runs with the
    seeds 0 to 4.
    """)
    nb.code("""
    X_digits, y_digits = dl.datasets.load_digits()
    X_tr, y_tr = X_digits[:200], y_digits[:200]
    X_val, y_val = X_digits[1000:2000], y_digits[1000:2000]
    digits_augment = A.Pipeline([(A.Rotate((-10, 10)), 0.5), (A.RandomCrop(24, resize=True), 0.5)],
                                layout="NHW")

    def train_digits(augment, seed, epochs=100, every=5):
        \"\"\"Train on the 200 digits; returns fit's History and, every `every` epochs, the rows
        (epoch, accuracy on the clean training digits, validation accuracy).\"\"\"
        r = np.random.default_rng(seed)
        model = dl.Sequential(dl.Flatten(), dl.Dense(784, 128, init="he", rng=r), dl.ReLU(),
                              dl.Dense(128, 10, rng=r))
        records = []

        def record(epoch, logs):
            if (epoch + 1) % every == 0:
                records.append((epoch + 1, dl.evaluate(model, X_tr, y_tr, "softmax_cross_entropy")[1],
                                dl.evaluate(model, X_val, y_val, "softmax_cross_entropy")[1]))

        history = dl.fit(model, X_tr, y_tr, loss="softmax_cross_entropy", lr=0.1, epochs=epochs,
                         batch_size=32, augment=augment, rng=r,
                         callbacks=[dl.LambdaCallback(on_epoch_end=record)])
        return history, np.array(records)

    seeds = range(5)
    runs = {name: [train_digits(augment, seed) for seed in seeds]
            for name, augment in [("no augmentation", None), ("augmented on the fly", digits_augment)]}
    """)
    nb.code("""
    final = {}    # name -> (clean training, validation, as logged by fit): per seed, after 100 epochs
    for name, seed_runs in runs.items():
        final[name] = np.array([(rec[-1, 1], rec[-1, 2], h["accuracy"][-1]) for h, rec in seed_runs]).T
    print("mean ± std over seeds 0-4    train (clean)   train (as logged)      validation"
          "             gap")
    for name, (clean, val, logged) in final.items():
        print(f"{name:<22} " + " ".join(f"{np.mean(a):.3f} ± {np.std(a):.3f}".rjust(15)
                                        for a in (clean, logged, val, clean - val)))
    gain = final["augmented on the fly"][1] - final["no augmentation"][1]
    print("validation gain per seed:", " ".join(f"{g:+.3f}" for g in gain))
    """)
    nb.code("""
    fig01.render_overfitting(runs)
    """)
    nb.md(r"""
    Read the table column by column. On the clean training digits both networks end at 100 %:
    augmentation did not stop the network from fitting every training digit. The 0.93 that
    `fit` logs for the augmented runs is the accuracy on the harder, augmented batches; taking
    it for the training accuracy would shrink the gap to 0.93 − 0.82 instead of 1.00 − 0.82.
    What
    augmentation did is raise the validation accuracy, on every seed, by 0.027 on average
    (from +0.002 to +0.052 depending on the seed), and the train/validation gap shrinks by just
    that much: from 0.205 to 0.178. A real but modest effect with 200 digits and these two
    mild transformations; the figure shows the augmented network needs more epochs to fit the
    clean digits, and that its validation accuracy varies more from seed to seed. Augmentation
    is a regularizer: chapter 04 meets the others (dropout, weight penalties, early stopping).
    """)

    # ------------------------------------------------------------------ batch norm
    nb.md(r"""
    ## 2. Batch normalization

    For a mini-batch $\{x_i\}_{i=1}^m$ of one feature, with the batch mean $\mu_B$ and the
    (biased) batch variance $\sigma_B^2$:

    $$ \mu_B = \frac{1}{m}\sum_i x_i, \qquad \sigma_B^2 = \frac{1}{m}\sum_i (x_i - \mu_B)^2, $$
    $$ \hat{x}_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad
       y_i = \gamma\,\hat{x}_i + \beta. $$

    Each feature (each column of an $(N, D)$ input, each channel of an $(N, C, H, W)$ input,
    where the statistics run over $N H W$ values) gets its own $\mu_B, \sigma_B, \gamma, \beta$.
    The small $\epsilon$ (here $10^{-5}$) sits **inside** the square root and keeps a
    constant feature from dividing by zero.

    **Where the sheet is loose.** The sheet calls $\gamma, \beta$ hyperparameters. They are
    **learned parameters**, updated by gradient descent like weights, one pair per feature:
    they give back to the layer the scale and offset that normalization took away (with
    $\gamma = \sqrt{\sigma^2 + \epsilon}$, $\beta = \mu$ it is the identity), so normalizing
    never reduces what the network can represent. The hyperparameters are $\epsilon$ and the
    momentum of the running statistics below. And at test time the batch statistics are
    **replaced by running averages**, so that a prediction does not depend on which other
    examples happen to share its batch.

    After normalization each column has mean 0 and standard deviation
    $\sigma_B / \sqrt{\sigma_B^2 + \epsilon}$, just below 1 (0.999 for the column whose
    $\sigma_B^2 = 0.0074$ is not much larger than $\epsilon$). The mean is 0 in exact
    arithmetic; in floating point it is a round-off of about $10^{-16}$, whose size and even
    sign change from one processor to another (NumPy would print `-0.` on some machines and
    `0.` on others), so the cell checks it against $10^{-12}$ instead of printing it.
    """)
    nb.code("""
    x = np.random.default_rng(0).normal(loc=[5.0, -3.0, 0.0], scale=[10.0, 0.1, 1.0], size=(64, 3))
    bn = dl.BatchNorm(3)
    y = bn.forward(x)
    print("before: mean", x.mean(0), " std", x.std(0))
    print("after:  mean 0 up to round-off:", np.abs(y.mean(0)).max() < 1e-12, " std", y.std(0))
    print([(p.name, p.shape, "regularized" if p.regularize else "not regularized")
           for p in bn.parameters()])
    """)
    nb.md(r"""
    **Where it goes.** The sheet: after a fully connected or convolutional layer, before the
    non-linearity: `Dense → BatchNorm → ReLU`. One consequence is worth seeing: the Dense
    layer's bias $b$ is useless there, because adding a constant to a feature shifts
    $\mu_B$ by the same constant and $\hat{x}$ does not change; $\beta$ plays its role. Its
    gradient is zero (exactly, in exact arithmetic; here about 1e-17, round-off, against
    weight gradients of order 0.1):
    """)
    nb.code("""
    r = np.random.default_rng(1)
    model = dl.Sequential(dl.Dense(4, 3, rng=r), dl.BatchNorm(3), dl.ReLU(), dl.Dense(3, 2, rng=r))
    print(model.summary())
    _, dz = dl.softmax_cross_entropy(model.forward(r.standard_normal((16, 4))), r.integers(0, 2, 16))
    model.backward(dz)
    print("gradient of the Dense bias before BatchNorm:", np.round(model[0].b.grad, 12) + 0.0)  # no -0.
    """)
    nb.md(r"""
    (That is why `Dense` and `Conv2D` accept `bias=False`.)

    ### 2.1 Training mode and evaluation mode

    In training mode the layer uses the batch's statistics, so an example's output depends on
    its batch-mates, and it updates running averages (the "decay" convention of Keras, with
    `momentum=0.9`; PyTorch's `momentum=0.1` names the weight of the new value, the same
    update):

    $$ \mu_{\text{run}} \leftarrow 0.9\,\mu_{\text{run}} + 0.1\,\mu_B, \qquad
       \sigma^2_{\text{run}} \leftarrow 0.9\,\sigma^2_{\text{run}} + 0.1\,\tfrac{m}{m-1}\sigma_B^2 $$

    (the unbiased variance for the running estimate, as in PyTorch). In evaluation mode
    (`model.eval()`, or `model.predict`, or the validation inside `fit`) they replace the
    batch statistics and the layer becomes a fixed affine map.
    """)
    nb.code("""
    r = np.random.default_rng(2)
    bn = dl.BatchNorm(1)
    for step in range(1, 51):
        bn.forward(r.normal(4.0, 2.0, size=(32, 1)))       # data with mean 4, variance 4
        if step in (1, 5, 20, 50):
            print(f"after {step:>2} batches: running mean {bn.running_mean[0]:.3f}, "
                  f"running var {bn.running_var[0]:.3f}")
    """)
    nb.code("""
    batch = r.normal(4.0, 2.0, size=(8, 1))
    alone = batch[:1]
    print("training mode: first example in its batch ->", np.round(bn.forward(batch)[0, 0], 3),
          "| in another batch ->", np.round(bn.forward(np.r_[alone, alone + 1])[0, 0], 3))
    bn.eval()
    print("eval mode:     first example in its batch ->", np.round(bn.forward(batch)[0, 0], 3),
          "| alone ->", np.round(bn.forward(alone)[0, 0], 3))
    bn.train()
    try:
        bn.forward(alone)
    except ValueError as err:
        print("training on a batch of one:", str(err)[:88], "...")
    """)

    # ------------------------------------------------------------------ backward
    nb.md(r"""
    ### 2.2 Backward

    $\mu_B$ and $\sigma_B$ depend on every $x_j$ of the batch, so $\partial y_i / \partial x_j
    \neq 0$ for $j \neq i$. With $\sigma = \sqrt{\sigma_B^2 + \epsilon}$ and
    $g_i = \partial L / \partial y_i$, the chain rule through $\hat{x}_i$, $\sigma_B^2$ and
    $\mu_B$ collapses (using $\sum_i \hat{x}_i = 0$) to the compact form

    $$ \frac{\partial L}{\partial \beta} = \sum_i g_i, \qquad
       \frac{\partial L}{\partial \gamma} = \sum_i g_i \hat{x}_i, \qquad
       \frac{\partial L}{\partial x_i} = \frac{\gamma}{m\,\sigma}
       \Big( m\, g_i - \sum_j g_j - \hat{x}_i \sum_j g_j \hat{x}_j \Big). $$

    The two subtracted terms remove from the gradient its component along the mean and along
    $\hat{x}$: directions in which moving $x$ changes nothing after normalization. In eval mode
    the statistics are constants and $\partial L / \partial x_i = g_i\,\gamma /
    \sqrt{\sigma^2_{\text{run}} + \epsilon}$. Both pass a gradient check (chapter 05): the
    relative errors between these formulas and central differences are of order $10^{-10}$,
    the round-off of a finite difference, whose exact digits differ from one machine to the
    next; a wrong formula gives errors near 1. So the cell lists the arrays whose error is below
    $10^{-8}$:
    """)
    nb.code("""
    r = np.random.default_rng(3)
    for mode, shape in [("train", (8, 4)), ("train", (4, 4, 3, 3)), ("eval", (8, 4))]:
        bn = dl.BatchNorm(4)
        bn.gamma.value[:] = r.uniform(0.5, 2.0, 4)
        if mode == "eval":
            bn.running_var[:] = r.uniform(0.5, 2.0, 4)
            bn.eval()
        result = dl.gradcheck.check_layer(bn, r.normal(1.0, 3.0, size=shape))
        print(f"{mode:<5} x {str(shape):<13} relative error below 1e-8 for",
              [k for k, v in result.errors.items() if v < 1e-8])
    """)

    # ------------------------------------------------------------------ claims
    nb.md(r"""
    ### 2.3 Measured: "higher learning rates" and "less dependence on initialization"

    The network: three hidden layers `Dense(·, 64) → [BatchNorm] → ReLU`, then `Dense(64, 10)`,
    on 1,000 digits (flattened to 784 numbers), plain SGD, batches of 50, 5 epochs. The hidden
    weights start as $\mathcal{N}(0, (s \cdot \sigma_{\text{He}})^2)$ with
    $\sigma_{\text{He}} = \sqrt{2 / \text{fan-in}}$: scale $s = 1$ is the well-tuned He
    initialization (chapter 03), $s = 0.1$ and $s = 10$ are badly scaled.

    First, what a bad scale does to the signal at initialization: the standard deviation of
    the last hidden layer's output, before the ReLU.
    """)
    nb.code("""
    X_flat = X_digits.reshape(len(X_digits), -1)[:256]
    print(f"{'init scale':>10} {'without BN':>11} {'with BN':>8}")
    for s in [0.1, 1.0, 10.0]:
        stds = []
        for use_bn in (False, True):
            net = fig01.bn_mlp(use_bn, s, np.random.default_rng(0))
            h = X_flat
            for layer in net.layers[:-2]:          # up to the last hidden layer, before its ReLU
                h = layer.forward(h)
            stds.append(h.std())
        print(f"{s:>10} {stds[0]:>11.3g} {stds[1]:>8.3f}")
    """)
    nb.md(r"""
    Without batch norm the scale compounds layer after layer, $s^3$ after three layers: a
    thousandth of the healthy signal for $s = 0.1$ (the gradients vanish alike), a thousand
    times too large for $s = 10$. With batch norm every layer's output is brought back to unit
    variance whatever $s$: the layer is invariant to the scale of the weights before it. Now
    train over a grid of learning rates and scales, three times (seeds 0, 1, 2: each seed draws
    other initial weights and other batches). `fit` raises `dl.TrainingDiverged` when the loss
    stops being finite; such a run counts as diverged and is left out of the mean.

    A run that never leaves chance level (10 classes: about 0.1) is a different kind of result.
    Its weights drift without learning, and the digits of its final accuracy, somewhere around
    0.1 or 0.2, mean nothing: they are the kind of number that round-off moves from one machine
    to another. What holds is the coarse fact, so a setting whose runs all end below 0.25 is
    shown as `< 0.25`.
    """)
    nb.code("""
    lrs, scales, seeds = [0.01, 0.1, 0.5, 2.0], [0.1, 1.0, 10.0], [0, 1, 2]
    grid = fig01.bn_grid(lrs, scales, seeds, epochs=5)    # (seed, scale, lr); NaN = diverged

    def setting(accs):
        \"\"\"One setting over the seeds: the mean of the finished runs, or a coarse fact.\"\"\"
        done = accs[~np.isnan(accs)]
        if done.size == 0:
            return "diverged"
        return "< 0.25" if done.max() < 0.25 else f"{done.mean():.2f}"

    bn_tables = {}
    for use_bn, name in [(False, "without batch norm"), (True, "with batch norm")]:
        acc = grid[use_bn]
        bn_tables[name] = fig01.mean_over_seeds(acc)
        print(f"{name}: validation accuracy, mean over seeds {seeds} "
              f"(rows: init scale {scales}, columns: lr {lrs})")
        for i, s in enumerate(scales):
            print(f"  s = {s:>4}: " + "  ".join(f"{setting(acc[:, i, j]):>8}" for j in range(len(lrs))))
        diverged = [(scales[i], lrs[j], seeds[k]) for k, i, j in np.argwhere(np.isnan(acc))]
        print(f"  diverged runs (s, lr, seed): {diverged or 'none'}")
        passed = np.sum(acc > 0.75, axis=(1, 2))
        print(f"  settings above 0.75 on average: {int(np.sum(bn_tables[name] > 0.75))} of 12;"
              f" per seed: {', '.join(str(n) for n in passed)}")
    """)
    nb.code("""
    fig01.render_bn_grid(bn_tables, lrs, scales)
    """)
    nb.md(r"""
    Which learning rates work, for each initial scale? Reading the tables row by row:
    """)
    nb.code("""
    def listed(rates):
        return ", ".join(f"{lr:g}" for lr in rates) if rates else "none"

    for use_bn, (name, table) in zip((False, True), bn_tables.items()):
        print(f"{name}: learning rates reaching 0.75 on average | on at least one seed")
        for i, s in enumerate(scales):
            on_average = [lr for lr, v in zip(lrs, table[i]) if v > 0.75]
            on_one = [lr for j, lr in enumerate(lrs) if np.any(grid[use_bn][:, i, j] > 0.75)]
            print(f"  s = {s:>4}: {listed(on_average):<18}| {listed(on_one)}")
    """)
    nb.md(r"""
    Both claims hold on this grid, within limits the tables show. Without batch norm only the
    well-scaled initialization learns, and only for learning rates around 0.1 to 0.5 (only
    lr = 0.1 passes 0.75 on average; lr = 0.5 on one seed only, hence the counts 2, 1, 1); at
    $s = 0.1$ nothing moves in 5 epochs (vanishing signal), at $s = 10$ the logits are huge and
    training goes nowhere, and at lr = 2 even the good initialization collapses to chance.
    With batch norm 9 of the 12
    settings pass 0.75 on average instead of 1 (8 or 9 on each seed, against 1 or 2), lr = 2
    works at every scale, and every initial scale learns at some learning rate. But not at
    every one: at $s = 10$ only the two largest rates pass (lr = 0.01 stays near chance and
    lr = 0.1 below 0.6), and at $s = 1$ lr = 0.01 is too slow for 5 epochs.

    The pattern that remains with batch norm is diagonal, and it has a precise cause. A layer
    followed by batch norm is invariant to the scale of its weights: $\mathrm{BN}(x\,cW) =
    \mathrm{BN}(x W)$. Differentiating, the gradient at $cW$ is the gradient at $W$ divided by
    $c$, so one SGD step changes $W$ *relative to its size* by $\text{lr}/c^2$: starting 10 times
    too large acts like a learning rate 100 times smaller (slow at lr = 0.01), starting 10 times
    too small like one 100 times larger. Batch norm does not remove the dependence on
    initialization, it turns a scale that breaks training into a change of effective learning
    rate.

    Move the sliders to see the training curves behind any cell of the table (a smaller run:
    400 digits, 3 epochs):
    """)
    nb.widget("""
    LivePlot(fig01.render_batchnorm,
             lr=choice_slider("learning rate", [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0], 0.5),
             init_scale=choice_slider("init scale", [0.1, 0.3, 1.0, 3.0, 10.0], 0.1))
    """)

    # ------------------------------------------------------------------ exercises 2, 3
    nb.md(r"""
    ### Exercise 2 — batch-norm forward, training mode (2 points)

    Write `batchnorm_forward(x, gamma, beta, eps)` for `x` of shape $(N, D)$ and `gamma`,
    `beta` of shape $(D,)$: normalize each feature (column) with the mean and the **biased**
    variance (divide by $N$) of the batch, $\epsilon$ **inside** the square root, then scale by
    $\gamma$ and shift by $\beta$. Return `y` of shape $(N, D)$.
    """)
    nb.solution("ex_bn_forward", """
    def batchnorm_forward(x, gamma, beta, eps):
        ### BEGIN SOLUTION
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        x_hat = (x - mu) / np.sqrt(var + eps)
        return gamma * x_hat + beta
        ### END SOLUTION
    """)
    nb.graded_test("ex_bn_forward_test", 2, """
    from dlkit.checks.data_processing import check_batchnorm_forward

    check_batchnorm_forward(batchnorm_forward)
    print("batchnorm_forward: correct")
    ### BEGIN HIDDEN TESTS
    x = np.random.default_rng(7).normal(size=(16, 3))
    y = batchnorm_forward(x, np.ones(3), np.zeros(3), 1e-5)
    assert np.allclose(y.mean(axis=0), 0.0) and np.allclose(y.std(axis=0), 1.0, atol=1e-4)
    ### END HIDDEN TESTS
    """)
    nb.md(r"""
    ### Exercise 3 — batch-norm backward, training mode (3 points)

    Write `batchnorm_backward(dy, x, gamma, eps)` returning the tuple `(dx, dgamma, dbeta)`
    for the forward pass of exercise 2: `dy`, `x` and `dx` have shape $(N, D)$, `dgamma` and
    `dbeta` shape $(D,)$. Sums run over the batch. Use the compact formula of section 2.2.
    """)
    nb.solution("ex_bn_backward", """
    def batchnorm_backward(dy, x, gamma, eps):
        ### BEGIN SOLUTION
        n = x.shape[0]
        sigma = np.sqrt(x.var(axis=0) + eps)
        x_hat = (x - x.mean(axis=0)) / sigma
        dbeta = dy.sum(axis=0)
        dgamma = (dy * x_hat).sum(axis=0)
        dx = gamma / (n * sigma) * (n * dy - dbeta - x_hat * dgamma)
        return dx, dgamma, dbeta
        ### END SOLUTION
    """)
    nb.graded_test("ex_bn_backward_test", 3, """
    from dlkit.checks.data_processing import check_batchnorm_backward

    check_batchnorm_backward(batchnorm_backward)
    print("batchnorm_backward: correct")
    ### BEGIN HIDDEN TESTS
    r = np.random.default_rng(8)
    x, g, dy = r.normal(size=(6, 2)), r.uniform(0.5, 2, 2), r.normal(size=(6, 2))
    f = lambda x_: np.sum(batchnorm_forward(x_, g, np.zeros(2), 1e-5) * dy)
    num = dl.gradcheck.numerical_gradient(f, x.copy())
    assert dl.gradcheck.relative_error(num, batchnorm_backward(dy, x, g, 1e-5)[0]) < 1e-6
    ### END HIDDEN TESTS
    """)

    # ------------------------------------------------------------------ convolution
    nb.md(r"""
    ## 3. Images need convolutions

    The networks above flatten a digit into 784 numbers and forget which pixels are
    neighbours. A convolution keeps the grid: each output value is a weighted sum of a small
    window ($k \times k$ pixels over all input channels) with the same weights everywhere, so a
    pattern is detected wherever it is (the layer is *translation-equivariant*) with only
    $C_{\text{out}} C_{\text{in}} k^2$ weights. For input $(N, C, H, W)$, stride $s$ and
    padding $p$ the output is $(N, C_{\text{out}}, H', W')$ with
    $H' = \lfloor (H + 2p - k)/s \rfloor + 1$.

    `dl.Conv2D` computes it as **one matrix product** (*im2col*): every window becomes a column
    of a matrix, and the layer is `W.reshape(C_out, -1) @ cols`. NumPy's
    `sliding_window_view` builds the windows as a view, without copying:
    """)
    nb.code("""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    print(x[0, 0])
    win = dl.conv.windows(x, (3, 3), (1, 1))         # (N, C, H', W', k, k): a strided view
    print("windows:", win.shape, "shares memory with x:", np.shares_memory(win, x))
    cols = win.transpose(1, 4, 5, 0, 2, 3).reshape(9, -1)
    print("cols, one column per output position:")
    print(cols)
    """)
    nb.code("""
    conv = dl.Conv2D(1, 1, 3, init="zeros")
    conv.W.value[0, 0] = [[0, 0, 0], [-1, 0, 1], [0, 0, 0]]   # horizontal gradient filter
    print(conv.forward(x)[0, 0], "=", (conv.W.value.reshape(1, -1) @ cols).reshape(2, 2))
    """)
    nb.md(r"""
    The backward pass reuses `cols`: $dW = dY\,\text{cols}^\top$, and $dx$ is obtained by
    scattering $W^\top dY$ back onto the windows (*col2im*: one strided addition per kernel
    offset). Every layer of this chapter passes a gradient check in float64 (errors of order
    $10^{-10}$, round-off again):
    """)
    nb.code("""
    r = np.random.default_rng(4)
    layers = {"Conv2D(2->3, k=3, stride=2, pad=1)": dl.Conv2D(2, 3, 3, stride=2, padding=1, rng=r),
              "MaxPool2D(2)": dl.MaxPool2D(2),
              "BatchNorm(2) on (N, C, H, W)": dl.BatchNorm(2)}
    for name, layer in layers.items():
        result = dl.gradcheck.check_layer(layer, r.standard_normal((3, 2, 6, 6)))
        print(f"{name:<34} max relative error below 1e-8: {result.max_error < 1e-8}")
    """)
    nb.md(r"""
    A small convolutional network against the dense one, on the same 2,000 training digits for
    3 epochs. Batch norm after the convolution (channel-wise), before the ReLU, as the sheet
    says, and the convolution without its useless bias:
    """)
    nb.code("""
    X_img = X_digits[:, None]                           # (N, 1, 28, 28): channels first
    r = np.random.default_rng(0)
    models = {
        "dense 784-128-10": dl.Sequential(dl.Flatten(), dl.Dense(784, 128, init="he", rng=r),
                                          dl.ReLU(), dl.Dense(128, 10, rng=r)),
        "conv net": dl.Sequential(dl.Conv2D(1, 8, 3, rng=r, bias=False), dl.BatchNorm(8), dl.ReLU(),
                                  dl.MaxPool2D(2), dl.Flatten(), dl.Dense(8 * 13 * 13, 10, rng=r)),
    }
    for name, model in models.items():
        h = dl.fit(model, X_img[:2000], y_digits[:2000], loss="softmax_cross_entropy", lr=0.1,
                   epochs=3, batch_size=32, validation_data=(X_img[4000:], y_digits[4000:]),
                   rng=np.random.default_rng(1))
        print(f"{name:<17} {model.num_parameters():>6} parameters, "
              f"validation accuracy {h['val_accuracy'][-1]:.3f}")
    """)
    nb.md(r"""
    With seven times fewer parameters (13,618 against 101,770) the convolutional network does
    better: it does not have to learn the same stroke detector separately at every position.

    ## Summary

    * **Augmentation** multiplies the data by transformations that keep the label: flip (only
      along an axis that preserves the meaning), small rotation, random crops, colour shift,
      noise, information loss, contrast and brightness. `dlkit.augment` implements each as an
      explicit function of its parameters and an `rng`.
    * It is done **on the fly**: `dl.fit(..., augment=pipeline)` draws a fresh variant of every
      mini-batch, nothing is stored. Measured here over five seeds: with 200 digits, rotations
      and crops raised validation accuracy on every seed (by 0.027 on average) while the network
      still fitted every clean training digit; the gap shrank from 0.205 to 0.178. Measure the
      training accuracy on the clean data, not on the augmented batches.
    * The symmetries of the data decide what is an augmentation: horizontal flips help on
      symmetric shapes and turn b into d, corrupting the letters' labels.
    * **Batch normalization** normalizes each feature over the mini-batch with $\epsilon$
      inside the square root, then applies a learned $\gamma, \beta$ (parameters, not
      hyperparameters). Running averages replace the batch statistics in evaluation mode.
    * Placed after a dense or convolutional layer and before the non-linearity, it widened
      the settings that train: on a grid of learning rates (0.01 to 2) and initial weight
      scales (0.1 to 10 times He), 9 of the 12 settings passed 0.75 validation accuracy with
      batch norm against 1 without (means over three seeds), including lr = 2 at every scale.
      The three that did not are all small learning rates (0.01 and 0.1 at $s = 10$, 0.01 at $s = 1$): training
      became less dependent on the initial scale, not independent of it. Normalized layers
      ignore the scale of their weights, which turns a bad scale into a change of the
      effective learning rate, about $\text{lr}/s^2$ for the layers before a batch norm.
    """)
    return nb
