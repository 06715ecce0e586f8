"""Chapter 03, "Parameter tuning"."""

from nbbuild import Notebook


def build() -> Notebook:
    nb = Notebook("03_parameter_tuning")
    nb.md(r"""
    # Chapter 03 — Parameter tuning

    > **Xavier initialization** ― Instead of initializing the weights in a purely random manner,
    > Xavier initialization enables to have initial weights that take into account
    > characteristics that are unique to the architecture.
    >
    > **Transfer learning** ― Training a deep learning model requires a lot of data and more
    > importantly a lot of time. It is often useful to take advantage of pre-trained weights on
    > huge datasets that took days/weeks to train, and leverage it towards our use case.
    >
    > **Learning rate** ― The learning rate, often noted $\alpha$ or sometimes $\eta$, indicates
    > at which pace the weights get updated. It can be fixed or adaptively changed. The current
    > most popular method is called Adam, which is a method that adapts the learning rate.
    >
    > **Adaptive learning rates** ― Letting the learning rate vary when training a model can
    > reduce the training time and improve the numerical optimal solution. While Adam optimizer
    > is the most commonly used technique, others can also be useful.
    >
    > — *CS 230 Deep Learning Tips and Tricks*, A. Amidi and S. Amidi

    **In this chapter you will**

    1. see why all-zero weights cannot learn (symmetry), and derive Xavier's and He's variances
       from how signals grow or shrink through a deep network;
    2. test the sheet's transfer-learning table by experiment: a network pretrained on
       30,000 images, a new task, and three amounts of data, over three seeds;
    3. watch learning rates that are too small, too large and just right, and schedules that
       lower the rate over time;
    4. complete the sheet's Momentum / RMSprop / Adam table (the recurrences it leaves out, with
       Adam's bias correction), add SGD, Adagrad and Adadelta, and race them on 2-D surfaces and
       a real task.

    Three exercises are graded (Xavier initialization, a momentum step, an Adam step). Their
    solutions are in collapsed cells: try first, then click to expand.
    """)
    nb.code("""
    import numpy as np
    import dlkit as dl
    from dlkit import initializers, optimizers, schedules, transfer
    from dlkit.figures import parameter_tuning as fig03

    rng = np.random.default_rng(230)
    np.set_printoptions(precision=4, suppress=True)
    """)

    # ================================================================ 1. initialization
    nb.md(r"""
    ## 1. Weight initialization

    ### 1.1 Why not start from zero? Symmetry

    Gradient descent needs a starting point. Zero looks neutral, but in a network it is a trap.
    If two hidden units start with the same weights, they compute the same output, receive the
    same gradient, take the same step, and so stay identical forever: the layer behaves like a
    single unit, however wide it is. All-zero weights are the extreme case: with $W_2 = 0$ the
    gradient reaching the hidden layer, $\partial L/\partial h = \frac{\partial L}{\partial z}
    W_2^\top$, is zero, and with $h = \tanh(0) = 0$ so is $\partial L/\partial W_2 = h^\top
    \frac{\partial L}{\partial z}$: only the output bias ever learns. Let us count the distinct
    hidden units after training a 2-8-1 network on the two moons:
    """)
    nb.code("""
    X, y = dl.datasets.make_moons(200, noise=0.2, rng=rng)


    def constant(value):
        return lambda shape, rng: np.full(shape, value)


    for name, init in [("zeros", "zeros"), ("constant 0.5", constant(0.5)), ("Xavier", "xavier")]:
        net = dl.Sequential(dl.Dense(2, 8, init=init, rng=np.random.default_rng(0)), dl.Tanh(),
                            dl.Dense(8, 1, init=init, rng=np.random.default_rng(1)))
        history = dl.fit(net, X, y, lr=0.5, epochs=100, batch_size=32, rng=np.random.default_rng(2))
        W1 = net[0].W.value
        distinct = len(np.unique(np.round(W1.T, 8), axis=0))
        print(f"{name:>12}: {distinct} distinct hidden unit(s) of 8, |W1| max {np.abs(W1).max():.3f}, "
              f"training accuracy {history['accuracy'][-1]:.1%}")
    """)
    nb.md(r"""
    Zeros leave $W_1$ exactly at zero; a constant start moves the weights but keeps all eight
    units identical, so the network draws a boundary a single tanh unit could draw. Random
    weights break the symmetry. The question is then *how large* they should be.

    ### 1.2 How large? Variance through the layers

    Take a dense layer $z = x W$ with $n_\text{in}$ inputs and $n_\text{out}$ outputs, all
    entries independent with zero mean. Each output sums $n_\text{in}$ products, so

    $$ \operatorname{Var}(z_j) = n_\text{in}\,\operatorname{Var}(W)\,\operatorname{Var}(x)
       \qquad\text{(forward)},\qquad
       \operatorname{Var}\Big(\frac{\partial L}{\partial x_i}\Big)
       = n_\text{out}\,\operatorname{Var}(W)\,\operatorname{Var}\Big(\frac{\partial L}{\partial z}\Big)
       \qquad\text{(backward)}. $$

    Through $L$ layers these factors multiply: if $n\operatorname{Var}(W)$ is 2, the *variance*
    of the signal grows like $2^L$, so its standard deviation like $2^{L/2}$; if it is 1/2, the
    variance vanishes like $2^{-L}$. Measured on 10 linear layers of width 128 ($z = xW$, no
    activation, one random draw of the weights):
    """)
    nb.code("""
    x0 = np.random.default_rng(1).standard_normal((256, 128))
    print(f"{'n Var(W)':>8} {'Var(x10) / Var(x0)':>19} {'2^10, 1, 2^-10':>15} {'std ratio':>10} {'2^5, 1, 2^-5':>13}")
    for gain in [2.0, 1.0, 0.5]:                      # gain = n Var(W)
        x, w_rng = x0, np.random.default_rng(2)
        for _ in range(10):
            x = x @ w_rng.normal(0.0, np.sqrt(gain / 128), size=(128, 128))
        print(f"{gain:>8} {x.var() / x0.var():>19.3g} {gain**10:>15.3g} {x.std() / x0.std():>10.3g} {gain**5:>13.3g}")
    """)
    nb.md(r"""
    The variance follows $(n\operatorname{Var}(W))^{10}$ and the standard deviation its square
    root, within 6% for this one draw. Keeping the forward pass steady needs
    $\operatorname{Var}(W) = 1/n_\text{in}$, the backward pass $1/n_\text{out}$. **Xavier
    (Glorot) initialization** (Glorot and Bengio, 2010) takes the compromise

    $$ \operatorname{Var}(W) = \frac{2}{n_\text{in} + n_\text{out}}, \qquad
       W \sim \mathcal{N}\Big(0, \frac{2}{n_\text{in}+n_\text{out}}\Big) \quad\text{or}\quad
       W \sim \mathcal{U}\big(-a, a\big),\; a = \sqrt{\frac{6}{n_\text{in}+n_\text{out}}}, $$

    since a uniform on $[-a, a]$ has variance $a^2/3$. This is what the sheet means by
    "characteristics that are unique to the architecture": the fans $n_\text{in}$ and
    $n_\text{out}$ of each layer. The derivation assumes a roughly linear activation around 0,
    which tanh is. A ReLU zeroes half of its inputs and halves the second moment, so **He
    initialization** (He et al., 2015) doubles the variance: $\operatorname{Var}(W) =
    2/n_\text{in}$. For a convolution kernel of shape $(C_\text{out}, C_\text{in}, k_H, k_W)$
    the fans are $C_\text{in} k_H k_W$ and $C_\text{out} k_H k_W$.

    dlkit's initializers, measured on a 784 x 128 weight:
    """)
    nb.code("""
    for name in ["xavier_uniform", "xavier_normal", "he_normal", "he_uniform"]:
        W = initializers.get_initializer(name)((784, 128), np.random.default_rng(0))
        fan_in, fan_out = initializers.fans(W.shape)
        target = 2 / (fan_in + fan_out) if name.startswith("xavier") else 2 / fan_in
        print(f"{name:>15}: Var(W) = {W.var():.6f}   formula {target:.6f}   max |W| = {np.abs(W).max():.4f}")
    print("fans of a conv kernel (16, 3, 5, 5):", initializers.fans((16, 3, 5, 5)))
    """)
    nb.md(r"""
    Now the experiment behind the derivation: a stack of 10 dense layers of width 128, a batch
    of 256 random inputs, one forward pass and one backward pass. The left panel shows the
    distribution of the outputs of layers 1, 5 and 10 for Xavier; the middle one the spread of
    each layer's outputs for four schemes; the right one the spread of $\partial L/\partial W$.
    """)
    nb.code("""
    fig03.render_init_stats(depth=10, scheme="xavier", activation="tanh")
    """)
    nb.code("""
    fig03.render_init_stats(depth=10, scheme="he", activation="relu")
    """)
    nb.md(r"""
    Read the numbers rather than the colours: the standard deviation of the last layer's output
    for each scheme, in both networks.
    """)
    nb.code("""
    print(f"{'scheme':>22} {'tanh: std of layer 10':>22} {'relu: std of layer 10':>22}")
    for scheme in fig03.INIT_SCHEMES:
        t = fig03.layer_statistics(10, scheme, "tanh")["act_std"][-1]
        r = fig03.layer_statistics(10, scheme, "relu")["act_std"][-1]
        print(f"{fig03.INIT_LABELS[scheme]:>22} {t:>22.3g} {r:>22.3g}")
    """)
    nb.md(r"""
    * **naive N(0, 0.01²)** ("small random", a common default): $n\operatorname{Var}(W) =
      128 \cdot 10^{-4} \approx 0.013$, so every layer shrinks the signal about 9-fold; after 10
      layers nothing is left, and the gradients of the first layers vanish with it.
    * **naive N(0, 1)**: $n \operatorname{Var}(W) = 128$. Tanh saturates at $\pm 1$, where its
      derivative is 0; ReLU has no ceiling and the activations explode (around $8^{10}$).
    * **Xavier** keeps tanh in its useful range; in a ReLU net the second moment still halves
      at every layer (the std shrinks by $\sqrt{2}$: $2^{-5} \approx 0.03$ after 10 layers).
    * **He** is flat through the ReLU net: exactly what its factor 2 was derived for.

    Move the sliders: with depth 20 the differences become dramatic; the *scale* multiplies
    the chosen scheme's weights (scale 2 on He: explosion; scale 0.5: vanishing).
    """)
    nb.widget("""
    from dlkit.interactive import LivePlot, choice_slider, dropdown, float_slider, int_slider, log_slider

    init_widget = LivePlot(
        fig03.render_init_stats,
        depth=int_slider("depth", 2, 20, 10),
        scheme=dropdown("scheme", list(fig03.INIT_SCHEMES), "xavier"),
        activation=dropdown("activation", ["tanh", "relu"], "tanh"),
        scale=log_slider("scale", 0.25, 4.0, 1.0),
    )
    init_widget
    """)
    nb.md(r"""
    ### Exercise 1 — Xavier uniform initialization (2 points)

    Complete `xavier_uniform(shape, rng)` for a dense weight of shape `(fan_in, fan_out)`:
    return an array of that shape drawn from $\mathcal{U}(-a, a)$ with
    $a = \sqrt{6/(n_\text{in} + n_\text{out})}$. Draw from the generator `rng` you are given
    (not from `np.random`), so that the same seed gives the same weights. The checker tests the
    bound, the variance $2/(n_\text{in}+n_\text{out})$ and the shape of the distribution on
    large draws.
    """)
    nb.solution("xavier_uniform", """
    def xavier_uniform(shape, rng):
        \"\"\"W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)), for shape = (fan_in, fan_out).\"\"\"
        ### BEGIN SOLUTION
        fan_in, fan_out = shape
        a = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=shape)
        ### END SOLUTION
    """)
    nb.graded_test("xavier_uniform_test", 2, """
    from dlkit.checks.parameter_tuning import check_xavier_uniform

    check_xavier_uniform(xavier_uniform)
    ### BEGIN HIDDEN TESTS
    _W = xavier_uniform((2, 6), np.random.default_rng(0))
    assert _W.shape == (2, 6) and np.abs(_W).max() <= np.sqrt(6 / 8)
    ### END HIDDEN TESTS
    print("xavier_uniform: all checks passed")
    """)

    # ================================================================ 2. transfer learning
    nb.md(r"""
    ## 2. Transfer learning

    > Depending on how much data we have at hand, here are the different ways to leverage this:
    >
    > | Training size | Explanation |
    > |---|---|
    > | Small | Freezes all layers, trains weights on softmax |
    > | Medium | Freezes most layers, trains weights on last layers and softmax |
    > | Large | Trains weights on layers and softmax by initializing weights on pre-trained ones |

    We test this claim instead of believing it. The **source task**: 30,000 images of ten
    shapes, 28 x 28, drawn procedurally with rotations up to $\pm 30°$ and offsets, on which
    dlkit ships a pretrained MLP 784-128-64-10 (`dlkit/data/pretrained_shapes.npz`, 0.4 MB,
    regenerated by `python -m dlkit.pretrain` in about a minute). The **target task**: the same
    ten shapes drawn at **70% of the scale**, which the network never saw. Related, but
    different: the pretrained network applied as it is gets less than half of them right.
    """)
    nb.code("""
    info = transfer.pretrained_info()
    print("layer sizes:", info["sizes"], "| classes:", ", ".join(info["classes"]))
    print("pretraining:", {k: info["config"][k] for k in ["n_train", "epochs", "lr", "seed"]},
          "| source validation accuracy:", info["metrics"]["val_accuracy"])
    pretrained = transfer.load_pretrained()
    X_pool, y_pool, X_test, y_test = fig03.target_data()
    _, acc = dl.evaluate(pretrained, X_test, y_test, loss="softmax_cross_entropy")
    print(f"pretrained network on the target test set, no training: {acc:.1%}")
    fig03.render_transfer_data()
    """)
    nb.md(r"""
    Freezing is a flag on each parameter: `model.freeze(k)` sets `trainable = False` on the
    first `k` layers, and every optimizer skips frozen parameters. `transfer.transfer_model`
    loads the pretrained body, puts a new, randomly initialized softmax layer on top (the target
    task has its own output layer) and freezes according to the strategy:
    """)
    nb.code("""
    for strategy in ["freeze_all", "freeze_most", "fine_tune"]:
        model = transfer.transfer_model(strategy, num_classes=10, rng=np.random.default_rng(0))
        print(f"--- {strategy}")
        print(model.summary())
    """)
    nb.md(r"""
    A frozen layer never changes, so its output for a given image never changes either:
    `transfer.run_transfer` computes the frozen layers' output once and trains only the
    layers above it, which is the same computation (the tests check the weights are identical)
    and much faster. Every run sees the same number of training examples in total (30,000,
    i.e. more epochs for smaller sets), uses Adam, and is scored on 1,000 test images; the
    softmax-only strategy gets a 10x larger learning rate (0.01: it is a convex problem,
    logistic regression on fixed features), the others 0.001 to 0.003, chosen by a small sweep on
    a validation split. Each run draws its training set from a pool of 5,000 images with its
    own seed; the table gives the mean test accuracy over seeds 0, 1 and 2 with its standard
    deviation, and in how many of the 3 seeds each strategy has the best accuracy of its row
    (the strategies of one seed share their training set, so this compares them like for like).
    All runs are in float64. This cell trains 36 networks (about half a minute):
    """)
    nb.code("""
    accs = fig03.transfer_accuracies(sizes=(50, 1000, 5000), seeds=(0, 1, 2))
    strategies = transfer.STRATEGIES
    print(f"{'target data':>14} " + " ".join(f"{fig03.STRATEGY_LABELS[s]:>31}" for s in strategies))
    for regime, n in [("small", 50), ("medium", 1000), ("large", 5000)]:
        wins = fig03.best_counts(accs, n, strategies)
        cells = [f"{fig03.mean_std(accs[(n, s)])}, best in {wins[s]}" for s in strategies]
        print(f"{regime + ' (' + str(n) + ')':>14} " + " ".join(f"{c:>31}" for c in cells))
    print("test accuracy, mean ± std over seeds 0-2; best in k: the seeds in which it is the best of its row")
    """)
    nb.md(r"""
    What the measured table shows, against the sheet's:

    * **small data** (50 images, 5 per class): as the sheet says, freezing everything and
      training only the new softmax layer is the best strategy in every seed, 6 points ahead of
      freezing most and 23 ahead of training from scratch. With 50 examples there is too little
      signal to fit 110,000 weights; 650 weights on top of good features are enough.
    * **medium data** (1,000): the sheet's "freeze most" has the best mean and is the best in 2
      of the 3 seeds, fine-tuning in the third; but the three pretrained strategies are within
      0.7 points of each other, while each moves by ± 0.6 to 1.5 points from seed to seed. This
      row is a tie between them, not a confirmation of the sheet's middle row. What it does show
      is that all three are ahead of training from scratch, by 2.5 to 3.2 points.
    * **large data** (5,000): as the sheet says, fine-tuning everything from the pretrained
      weights is the best in every seed; training from scratch comes second, 1.8 points behind,
      and the frozen networks fall behind because their features were not learned for this
      scale.

    Pretrained weights are a good *starting point* at every size (fine-tuning has a higher mean
    than training from scratch in every row), but what to *train* depends on how much data
    there is to train it with, and between the two ends the choice matters less than the
    sheet's table suggests: try more than one strategy, over more than one seed.

    Choose a training-set size and a strategy below: the left panel places it among the others
    (seed 0), the right one shows its predictions on twelve test images.
    """)
    nb.widget("""
    transfer_widget = LivePlot(
        fig03.render_transfer,
        n=choice_slider("target examples", [50, 1000, 5000], 50),
        strategy=dropdown("strategy", list(transfer.STRATEGIES), "freeze_all"),
    )
    transfer_widget
    """)

    # ================================================================ 3. learning rate
    nb.md(r"""
    ## 3. The learning rate

    The learning rate $\alpha$ (`lr`) scales every step $w \leftarrow w - \alpha\,\partial L/
    \partial w$. Why a too large one is fatal shows on the simplest loss, $f(w) = \frac{c}{2}
    w^2$, whose gradient is $c w$: one step gives $w \leftarrow (1 - \alpha c)\, w$, so after $k$
    steps $w_k = (1 - \alpha c)^k w_0$. It converges if and only if $|1 - \alpha c| < 1$, that is
    $0 < \alpha < 2/c$; it is fastest at $\alpha = 1/c$; it oscillates for $1/c < \alpha < 2/c$
    and diverges beyond. In a network $c$ is the curvature along the steepest direction, which
    is why the usable range of $\alpha$ is set by the sharpest direction while progress in the
    flattest ones is slow.
    """)
    nb.code("""
    c = 2.0
    for lr in [0.05, 0.5, 0.9, 1.1]:
        w = [1.0]
        for _ in range(6):
            w.append((1 - lr * c) * w[-1])
        print(f"lr = {lr:<4}: factor {1 - lr * c:+.1f} per step, w = " + " ".join(f"{v:+.3f}" for v in w))
    """)
    nb.md(r"""
    The same three regimes on a real network: an MLP 2-32-32-1 on two concentric circles,
    SGD with batches of 32, 60 epochs.
    """)
    nb.code("""
    for label, lr in fig03.REFERENCE_LRS.items():
        loss, _, note = fig03.lr_run(lr)
        print(f"lr = {lr:<6} ({label:>10}): first epoch loss {loss[0]:10.3f}, last {loss[-1]:.3f} {note}")
    fig03.render_learning_rate(lr=0.3, schedule="constant")
    """)
    nb.md(r"""
    Too small (0.003): the loss creeps down, the network is still near chance level
    ($\log 2 \approx 0.69$) after 60 epochs. Too large (10): the first steps throw the weights
    so far that the first epoch's mean loss is 50 times chance level; many ReLUs then sit in
    their flat zero region and training stalls above chance for good. Just right (0.3): the
    loss falls by two orders of magnitude.

    ### Learning-rate schedules

    "It can be fixed or adaptively changed": a *schedule* lowers the rate as training proceeds:
    large steps early to travel, small steps late to settle. `dlkit.schedules` has the usual ones,
    each a function epoch $\to$ lr for `fit(..., lr_schedule=...)`:

    | schedule | $\alpha_e$ at epoch $e = 0, 1, \dots$ |
    |---|---|
    | step decay | $\alpha_0 \cdot d^{\lfloor e / k \rfloor}$ (divide by $1/d$ every $k$ epochs) |
    | exponential | $\alpha_0 \gamma^e$ |
    | $1/t$ (inverse time) | $\alpha_0 / (1 + r e)$ |
    | cosine (with warmup) | $\alpha_\min + \frac12(\alpha_0 - \alpha_\min)(1 + \cos \pi q)$, $q$ = fraction of the epochs after the warmup |
    """)
    nb.code("""
    fig03.render_schedules(lr0=0.1, epochs=60)
    """)
    nb.md(r"""
    A rate of 3 is too large to settle with a constant rate; decaying it turns the same start
    into a good run:
    """)
    nb.code("""
    for name in fig03.SCHEDULE_NAMES:
        loss, lrs, note = fig03.lr_run(3.0, name)
        print(f"lr0 = 3, {name:>12}: final lr {lrs[-1]:.4f}, final loss {loss[-1]:.4f} {note}")
    """)
    nb.md(r"""
    Try it: the bold curve follows the learning rate and schedule you choose, against the three
    fixed references; the right panel shows the rate epoch by epoch.
    """)
    nb.widget("""
    lr_widget = LivePlot(
        fig03.render_learning_rate,
        lr=log_slider("learning rate", 1e-3, 30, 0.3),
        schedule=dropdown("schedule", list(fig03.SCHEDULE_NAMES), "constant"),
    )
    lr_widget
    """)

    # ================================================================ 4. adaptive
    nb.md(r"""
    ## 4. Adaptive learning rates: Momentum, RMSprop, Adam and the others

    The sheet's table, as printed:

    > | Method | Explanation | Update of $w$ | Update of $b$ |
    > |---|---|---|---|
    > | Momentum | Dampens oscillations; improvement to SGD; 2 parameters to tune | $w - \alpha v_{dw}$ | $b - \alpha v_{db}$ |
    > | RMSprop | Root Mean Square propagation; speeds up learning algorithm by controlling oscillations | $w - \alpha\frac{dw}{\sqrt{s_{dw}}}$ | $b \leftarrow b - \alpha \frac{db}{\sqrt{s_{db}}}$ |
    > | Adam | Adaptive Moment estimation; most popular method; 4 parameters to tune | $w - \alpha\frac{v_{dw}}{\sqrt{s_{dw}}+\epsilon}$ | $b \leftarrow b - \alpha\frac{v_{db}}{\sqrt{s_{db}}+\epsilon}$ |
    >
    > Remark: other methods include Adadelta, Adagrad and SGD.

    **Where the sheet is loose.** It never says what $v_{dw}$ and $s_{dw}$ are; RMSprop has no
    $\epsilon$ (a zero gradient history divides by zero); Adam has no bias correction, without
    which its early steps are 3 to 6.6 times too large (measured below); and "momentum" comes in
    two conventions that differ by a factor $1/(1-\beta)$ in the learning rate. The complete rules, as
    implemented in `dlkit.optimizers` (here $g = \partial L/\partial w$, everything is
    element-wise, buffers start at 0 and $t = 1, 2, \dots$ counts the steps, incremented *before*
    it is used; $b$ is updated exactly like $w$):

    | method | state update | weight update | hyper-parameters |
    |---|---|---|---|
    | SGD | — | $w \leftarrow w - \alpha g$ | $\alpha$ |
    | Momentum (damped: the sheet's course) | $v \leftarrow \beta v + (1-\beta) g$ | $w \leftarrow w - \alpha v$ | $\alpha$, $\beta$ (0.9) |
    | Momentum (undamped: PyTorch) | $v \leftarrow \beta v + g$ | $w \leftarrow w - \alpha v$ | $\alpha$, $\beta$ |
    | RMSprop | $s \leftarrow \beta s + (1-\beta) g^2$ | $w \leftarrow w - \alpha\, \dfrac{g}{\sqrt{s} + \epsilon}$ | $\alpha$, $\beta$ (0.9), $\epsilon$ |
    | Adam | $v \leftarrow \beta_1 v + (1-\beta_1) g$, $\; s \leftarrow \beta_2 s + (1-\beta_2) g^2$, $\;\hat v = \dfrac{v}{1-\beta_1^t}$, $\;\hat s = \dfrac{s}{1-\beta_2^t}$ | $w \leftarrow w - \alpha\, \dfrac{\hat v}{\sqrt{\hat s} + \epsilon}$ | $\alpha$ (0.001), $\beta_1$ (0.9), $\beta_2$ (0.999), $\epsilon$ ($10^{-8}$) |
    | Adagrad | $G \leftarrow G + g^2$ | $w \leftarrow w - \alpha\, \dfrac{g}{\sqrt{G} + \epsilon}$ | $\alpha$, $\epsilon$ |
    | Adadelta | $s \leftarrow \rho s + (1-\rho) g^2$, $\;\Delta = \dfrac{\sqrt{u + \epsilon}}{\sqrt{s + \epsilon}}\, g$, $\; u \leftarrow \rho u + (1-\rho) \Delta^2$ | $w \leftarrow w - \alpha \Delta$ ($\alpha = 1$ in the paper) | $\rho$ (0.9), $\epsilon$ |

    So $v_{dw}$ is a running average of the gradients (the *first moment*: momentum), $s_{dw}$ a
    running average of their squares (the *second moment*). Dividing by $\sqrt{s}$ gives every
    weight its own step size: large where gradients have been small, small where they have been
    large or noisy. Adam is momentum and RMSprop together, plus the correction; its "4
    parameters" are $\alpha, \beta_1, \beta_2, \epsilon$; momentum's "2" are $\alpha$ and $\beta$.

    **Where $\epsilon$ sits.** The sheet leaves $\epsilon$ out of RMSprop and adds it outside
    the root for Adam; the frameworks do not all agree:

    | method | dlkit and PyTorch | Keras 3 |
    |---|---|---|
    | RMSprop | outside: $g / (\sqrt{s} + \epsilon)$ | inside: $g / \sqrt{s + \epsilon}$ |
    | Adam | outside the corrected root: $\hat v / (\sqrt{\hat s} + \epsilon)$ | outside the *uncorrected* root: $\alpha_t\, v / (\sqrt{s} + \epsilon)$, $\alpha_t = \alpha \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)$ (the paper's "$\hat\epsilon$") |
    | Adagrad | outside: $g / (\sqrt{G} + \epsilon)$ | inside: $g / \sqrt{G + \epsilon}$, with $G$ starting at 0.1, not 0 |
    | Adadelta | inside both roots, as its paper | inside both roots |
    | default $\epsilon$ | $10^{-8}$ (RMSprop, Adam), $10^{-10}$ (Adagrad), $10^{-6}$ (Adadelta) | $10^{-7}$ for all |

    Keras's Adam is the corrected rule with $\epsilon$ replaced by $\epsilon / \sqrt{1 -
    \beta_2^t}$ (32 times larger at the first step, close to $\epsilon$ later). Inside the root,
    $\epsilon$ sets a floor of $\sqrt{\epsilon}$ on the RMS gradient, $3 \cdot 10^{-4}$ for
    $\epsilon = 10^{-7}$: a weight whose gradients are smaller than that takes steps smaller than
    $\alpha$, like SGD's. Outside, $\epsilon$ only matters for gradients near $\epsilon$ itself.
    The first RMSprop step, the same $\epsilon = 10^{-7}$ placed either way:
    """)
    nb.code("""
    print(f"{'gradient g':>10} {'eps outside the root':>21} {'eps inside the root':>20}   first RMSprop step / lr")
    for g in [1.0, 1e-2, 1e-3, 1e-4, 1e-6]:
        w = dl.Parameter(np.zeros(1))
        w.grad[...] = g
        optimizers.RMSprop([w], lr=1.0, beta=0.9, eps=1e-7).step()   # dlkit, PyTorch
        inside = g / np.sqrt((1 - 0.9) * g**2 + 1e-7)                 # Keras
        print(f"{g:>10g} {-w.value[0]:>21.3g} {inside:>20.3g}")
    """)
    nb.md(r"""
    With large gradients the two agree (the first step is $\alpha / \sqrt{1 - \beta} = 3.16\,
    \alpha$, since RMSprop has no bias correction). From $g \approx 10^{-3}$ down, $\epsilon$
    inside the root shrinks the step: by 30% at $10^{-3}$, tenfold at $10^{-4}$, 760-fold at
    $10^{-6}$, where $\epsilon$ outside the root starts to matter too (2.4 instead of 3.16).
    "The same optimizer" with the same hyper-parameters is not the same update in two
    frameworks: check where $\epsilon$ sits before comparing runs.

    **The two momentum conventions are the same algorithm.** Starting from $v = 0$, the
    undamped velocity is always the damped one divided by $1 - \beta$, so both give the same
    weights when $\alpha_\text{undamped} = (1-\beta)\,\alpha_\text{damped}$: with $\beta = 0.9$,
    PyTorch's `lr=0.01` is the sheet's $\alpha = 0.1$. dlkit has both:
    """)
    nb.code("""
    grads = np.random.default_rng(0).standard_normal((20, 3))
    runs = {}
    for convention, lr in [("damped", 0.1), ("undamped", 0.01)]:
        w = dl.Parameter(np.zeros(3))
        opt = optimizers.Momentum([w], lr=lr, beta=0.9, convention=convention)
        for g in grads:
            w.grad[...] = g
            opt.step()
        runs[convention] = w.value.copy()
        print(f"{opt!r}: w after 20 steps = {w.value}")
    print("identical:", np.allclose(runs["damped"], runs["undamped"], rtol=1e-12))
    """)
    nb.md(r"""
    **Keras's momentum is a third form.** Keras writes $m \leftarrow \beta m - \alpha g$, $w
    \leftarrow w + m$: the learning rate goes *into* the velocity. While $\alpha$ is constant,
    $m = -\alpha v$ at every step (with $v$ the undamped velocity) and the weights are the same
    as PyTorch's. Once $\alpha$ changes, as with any schedule, they are not: in the undamped
    form the new $\alpha$ multiplies the whole velocity at once, while in Keras's the steps taken
    with the old $\alpha$ stay in $m$ and fade out at rate $\beta$. A constant gradient $g = 1$,
    $\beta = 0.9$, and $\alpha$ divided by 10 after step 10:
    """)
    nb.code("""
    def lr_at(k):                     # a step schedule: 0.1 for steps 1-10, then 0.01
        return 0.1 if k < 10 else 0.01


    w = dl.Parameter(np.zeros(1))
    opt = optimizers.Momentum([w], lr=0.1, beta=0.9, convention="undamped")
    m = 0.0
    print(f"{'step':>4} {'lr':>5} {'undamped (PyTorch)':>19} {'Keras':>7}   size of the step")
    for k in range(14):
        before = w.value[0]
        opt.lr = lr_at(k)
        w.grad[...] = 1.0
        opt.step()                    # v <- beta v + g;  w <- w - lr v
        m = 0.9 * m - lr_at(k) * 1.0  # m <- beta m - lr g;  w <- w + m
        if k >= 8:
            print(f"{k + 1:>4} {lr_at(k):>5g} {before - w.value[0]:>19.4f} {-m:>7.4f}")
    """)
    nb.md(r"""
    Up to step 10 the two are the same; at step 11 PyTorch's step drops tenfold at once, Keras's
    only by about $\beta = 0.9$ per step. So "momentum 0.9 with this schedule" trains differently
    in the two frameworks: state the form along with the convention.

    **Why Adam needs its bias correction.** The averages start at 0, so early on they are biased
    towards 0: with a constant gradient $g$, $v_t = (1 - \beta_1^t)\, g$ and $s_t = (1 -
    \beta_2^t)\, g^2$. Dividing by $1 - \beta^t$ removes exactly that factor: the corrected step
    is $\alpha\,\operatorname{sign}(g)$, whatever the size of $g$. Without it, the step is
    $(1 - \beta_1^t) / \sqrt{1 - \beta_2^t}$ times larger: $0.1 / \sqrt{0.001} \approx 3.16$ at
    the first step, and the ratio does not shrink from there, because $\beta_1^t$ decays much
    faster than $\beta_2^t$:
    """)
    nb.code("""
    beta1, beta2 = 0.9, 0.999


    def uncorrected_over_corrected(t):
        \"\"\"Adam's step without bias correction / with it, for a constant gradient.\"\"\"
        return (1 - beta1**t) / np.sqrt(1 - beta2**t)


    print(f"{'t':>5} {'v_t / g':>8} {'s_t / g^2':>10} {'step without correction':>24}")
    for t in [1, 2, 5, 10, 12, 20, 50, 100, 1000, 2000, 5000]:
        print(f"{t:>5} {1 - beta1**t:>8.4f} {1 - beta2**t:>10.5f} {uncorrected_over_corrected(t):>21.2f} lr")
    ratios = [uncorrected_over_corrected(t) for t in range(1, 10_001)]
    print(f"largest: {max(ratios):.2f} lr, at t = {1 + int(np.argmax(ratios))}; the corrected step is lr")
    for scale in [1e-3, 1.0, 1e3]:
        w = dl.Parameter(np.zeros(1))
        w.grad[...] = scale
        optimizers.Adam([w], lr=0.01).step()
        print(f"gradient {scale:g}: first Adam step = {-w.value[0]:.6f} (lr = 0.01)")
    """)
    nb.md(r"""
    So without the correction the steps are not "a little too large at the start": 3.2 times
    too large at $t = 1$, 6.6 times near $t = 12$, still 3.2 times at $t = 100$, and within 10% of
    the corrected step only after about 2,000 steps, when $s$ has forgotten its zero start.
    dlkit's `Adam` corrects, and its first step is $\alpha$ for a gradient of $10^{-3}$ as for
    one of $10^3$.

    ### Trajectories on 2-D surfaces

    To see what the state variables do, run the optimizers on functions of two variables. The
    "network" is a single `dl.Parameter` holding the point $(x, y)$; each step writes the
    surface's gradient into `.grad` and calls the optimizer's `step()`: the same code that
    trains the networks in this book. Three classic landscapes, each optimizer with a learning
    rate that suits it there:

    * an **elongated valley** $x^2/100 + y^2$: the curvature is 100 times larger across the
      valley than along it, so SGD must keep $\alpha$ below $2/2 = 1$ for the steep direction
      and then crawls along the flat one;
    * the **Rosenbrock** function $(1-x)^2 + 100(y-x^2)^2$: a curved, flat-bottomed valley;
    * a **saddle** $x^2/2 - y^2/2 + y^4/4$, started almost exactly on the ridge ($y = 10^{-3}$):
      the gradient there is nearly zero in the direction that leads down.
    """)
    nb.code("""
    fig03.render_all_trajectories("valley")
    """)
    nb.code("""
    fig03.render_all_trajectories("rosenbrock")
    """)
    nb.code("""
    fig03.render_all_trajectories("saddle")
    """)
    nb.code("""
    print(f"{'f - f_min after the steps shown':>32} " + " ".join(f"{fig03.OPTIMIZER_LABELS[o]:>9}" for o in fig03.OPTIMIZER_NAMES))
    for surface, spec in fig03.SURFACES.items():
        f_min = spec["fn"](np.array(spec["minimum"]))[0]
        gaps = [fig03.trajectory(surface, o, fig03.GOOD_LR[surface][o], steps=spec["steps"])[1][-1] - f_min
                for o in fig03.OPTIMIZER_NAMES]
        print(f"{surface + ' (' + str(spec['steps']) + ' steps)':>32} " + " ".join(f"{g:>9.1e}" for g in gaps))
    escape = [int(np.argmax(np.abs(fig03.trajectory("saddle", o, fig03.GOOD_LR["saddle"][o])[0][:, 1]) > 0.5))
              for o in fig03.OPTIMIZER_NAMES]
    print(f"{'saddle: steps until |y| > 0.5':>32} " + " ".join(f"{k:>9}" for k in escape))
    """)
    nb.md(r"""
    What to notice:

    * **Momentum** "dampens oscillations": across the valley consecutive gradients alternate in
      sign and cancel in $v$, along it they agree and add up. In the damped convention the
      steady-state step is $\alpha g$, as for SGD, so the gain comes from a larger usable
      $\alpha$ (1.0 in the valley, where SGD must stay below 1; 0.01 on Rosenbrock, where SGD
      at the same rate diverges within 4 steps).
    * **RMSprop** and **Adam** rescale each coordinate by its own RMS gradient, so the flat
      direction gets large steps: Adam is one of the two fastest on Rosenbrock. But the step of
      RMSprop stays about $\alpha$ in size even near the minimum, so with a constant rate it
      hovers around it (the plateau of its curve): a schedule or a smaller $\alpha$ is needed
      for the last digits.
    * **Adagrad** looks perfect on the valley: the valley's axes are the coordinate axes, and
      Adagrad's per-coordinate scaling fixes exactly that kind of ill-conditioning. On a long
      run its ever-growing $G$ makes its steps ever smaller, its known weakness.
    * **Adadelta** needs no learning rate in its paper, but starts slowly: its first step is
      about $\sqrt{\epsilon / s}\, g$, tiny; here $\alpha$ multiplies its steps to compare.
    * At the **saddle**, the methods that divide by $\sqrt{s}$ or $\sqrt{G}$ escape within a few
      steps, because the division magnifies the tiny gradient along $y$; plain SGD needs dozens of
      steps to leave the ridge, and damped momentum even more, since its velocity has to build
      up from zero (the last line of the table above).

    Explore: choose a surface and an optimizer and move $\alpha$, $\beta$ (Momentum's and
    RMSprop's $\beta$, Adam's $\beta_1$, Adadelta's $\rho$) and $\beta_2$ (Adam's). Try Momentum
    with $\beta = 0.99$ on the valley (long oscillations: too much inertia), SGD on Rosenbrock
    with $\alpha = 0.01$ (divergence), Adam with $\beta_2 = 0.9$.
    """)
    nb.widget("""
    trajectory_widget = LivePlot(
        fig03.render_trajectories,
        surface=dropdown("surface", list(fig03.SURFACES), "valley"),
        optimizer=dropdown("optimizer", list(fig03.OPTIMIZER_NAMES), "adam"),
        lr=log_slider("learning rate", 1e-4, 30, 0.3),
        beta=float_slider("beta (beta1, rho)", 0.0, 0.999, 0.9, 0.01),
        beta2=float_slider("beta2", 0.9, 0.9999, 0.999, 0.0001),
        steps=int_slider("steps", 10, 1000, 200, 10),
    )
    trajectory_widget
    """)
    nb.md(r"""
    ### On a real task

    Surfaces in two dimensions flatter some methods. Here are all six on a real network: an
    MLP 784-64-10 trained from scratch on 1,000 rendered shapes for 10 epochs, each at its
    usual default learning rate (SGD and Momentum 0.1, RMSprop and Adam 0.001, Adagrad 0.03,
    Adadelta 1). One run says little: the initial weights and the order of the mini-batches
    change the result by a few points. So every optimizer runs with seeds 0 to 4, and runs
    with the same seed start from the same weights and see the same mini-batches, which makes
    "ahead of SGD" a like-for-like comparison, seed by seed. The training loss and accuracy are
    measured after training on the whole training set (not averaged over the epoch's
    mini-batches while the weights were still moving), the validation accuracy on 500 other
    images:
    """)
    nb.code("""
    races = fig03.compare_optimizers(seeds=(0, 1, 2, 3, 4))
    sgd = [run["val_accuracy"] for run in races["sgd"]]
    print(f"{'optimizer':>9} {'lr':>6} {'training loss':>14} {'training accuracy':>18} "
          f"{'validation accuracy':>20} {'ahead of SGD':>13}")
    for name, runs in races.items():
        val = [run["val_accuracy"] for run in runs]
        ahead = "" if name == "sgd" else f"{np.sum(np.greater(val, sgd))} of {len(runs)} seeds"
        print(f"{fig03.OPTIMIZER_LABELS[name]:>9} {fig03.COMPARE_LR[name]:>6g} "
              f"{fig03.seed_summary(runs, 'train_loss'):>14} {fig03.seed_summary(runs, 'train_accuracy'):>18} "
              f"{fig03.seed_summary(runs, 'val_accuracy'):>20} {ahead:>13}")
    print("mean ± std over seeds 0-4; ahead of SGD: higher validation accuracy than SGD with the same seed")
    fig03.render_optimizer_comparison(races)
    """)
    nb.md(r"""
    At their default learning rates every adaptive method is ahead of SGD in at least 4 of the
    5 seeds, and momentum, at the same $\alpha$ as SGD, in 4 of 5 as well. Adam has the best
    mean validation accuracy with the smallest spread, and on the training set by far the
    smallest spread: with no tuning at all it trains reliably, the reason it is "the most
    popular method". The others vary more from seed to seed (± 1.4 to 2.7 points against
    Adam's ± 0.8). But each optimizer ran at one learning rate only, so this table says
    nothing about how sensitive each one is to the choice of $\alpha$. To measure that, train
    SGD and Adam on the same task over a grid of learning rates in steps of about 3, half a
    decade, with seeds 0, 1 and 2. A run *diverged* when its first epoch's mean loss is above 3, well
    above the chance level $\log 10 \approx 2.3$ where every run starts: its first steps threw
    the weights uphill. Such a run is stopped there, and the table gives how many seeds
    diverged, not an accuracy:
    """)
    nb.code("""
    sweep = fig03.lr_sweep(("sgd", "adam"), seeds=(0, 1, 2))
    print(f"{'lr':>7} {'SGD':>19} {'Adam':>19}   validation accuracy after 10 epochs")
    for k, lr in enumerate(fig03.SWEEP_LRS):
        print(f"{lr:>7g} " + " ".join(f"{fig03.seed_summary(runs[k]):>19}" for runs in sweep.values()))
    print("mean ± std over seeds 0-2")
    for name, runs in sweep.items():
        works = fig03.working_lrs(runs, target=0.9)
        print(f"{fig03.OPTIMIZER_LABELS[name]}: 90% or more at {len(works)} of {len(runs)} learning rates, "
              f"from {min(works):g} to {max(works):g} (a factor {max(works) / min(works):.0f})")
    """)
    nb.md(r"""
    On this task Adam is less sensitive to $\alpha$ than SGD, by a measured margin: the last two
    lines give the range of learning rates at which each reaches a mean validation accuracy of
    90% (a level both reach: SGD's best is about 93%, Adam's 98%), a factor 100 for Adam against
    10 for SGD. Above its range each one diverges (Adam from 0.1, in every seed; SGD at 1).
    Below it SGD is too slow to reach 90% in 10 epochs (at the smallest rate of the grid it is
    still at chance level, 9%), while Adam, whose step is about $\alpha$ per coordinate
    whatever the size of the gradient, still reaches 85% there. The adaptive methods are not magic (this is one task, and in
    practice a tuned SGD with momentum and a schedule is often as good in the end, which is
    not measured here), but a good default and a wider range of working learning rates are
    what make Adam the safe first choice.

    ### Exercise 2 — one momentum step (2 points)

    Complete `momentum_step(w, dw, v, lr, beta)` in the sheet's **damped** convention:
    $v_\text{new} = \beta v + (1-\beta)\, dw$, then $w_\text{new} = w - \alpha\, v_\text{new}$.
    All arrays have the shape of `w`; return the pair `(w_new, v_new)`.
    """)
    nb.solution("momentum_step", """
    def momentum_step(w, dw, v, lr, beta):
        \"\"\"One damped-momentum update; returns (w_new, v_new).\"\"\"
        ### BEGIN SOLUTION
        v_new = beta * v + (1 - beta) * dw
        w_new = w - lr * v_new
        ### END SOLUTION
        return w_new, v_new
    """)
    nb.graded_test("momentum_step_test", 2, """
    from dlkit.checks.parameter_tuning import check_momentum_step

    check_momentum_step(momentum_step)
    ### BEGIN HIDDEN TESTS
    _w, _v = momentum_step(np.array([1.0]), np.array([0.5]), np.array([0.0]), 0.1, 0.9)
    assert np.allclose(_v, [0.05]) and np.allclose(_w, [0.995])
    ### END HIDDEN TESTS
    print("momentum_step: all checks passed")
    """)
    nb.md(r"""
    ### Exercise 3 — one Adam step with bias correction (3 points)

    Complete `adam_step(w, dw, m, v, t, lr, beta1, beta2, eps)`: `m` and `v` are the running
    first and second moments before this step (the sheet's $v_{dw}$ and $s_{dw}$), and `t` is
    **the number of this step** ($t = 1$ at the first step: already incremented). Update the
    moments, correct them by $1 - \beta_1^t$ and $1 - \beta_2^t$, and update the weights with
    $\epsilon$ **outside** the square root. Return `(w_new, m_new, v_new)` with the *uncorrected*
    moments (they are the state carried to the next step).
    """)
    nb.solution("adam_step", """
    def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):
        \"\"\"One Adam update; returns (w_new, m_new, v_new).\"\"\"
        ### BEGIN SOLUTION
        m_new = beta1 * m + (1 - beta1) * dw
        v_new = beta2 * v + (1 - beta2) * dw ** 2
        m_hat = m_new / (1 - beta1 ** t)
        v_hat = v_new / (1 - beta2 ** t)
        w_new = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        ### END SOLUTION
        return w_new, m_new, v_new
    """)
    nb.graded_test("adam_step_test", 3, """
    from dlkit.checks.parameter_tuning import check_adam_step

    check_adam_step(adam_step)
    ### BEGIN HIDDEN TESTS
    _w, _m, _v = adam_step(np.array([1.0]), np.array([0.5]), np.zeros(1), np.zeros(1), 1,
                           0.1, 0.9, 0.999, 1e-8)
    assert np.allclose(_w, [0.9]), "Adam's first step is lr * sign(g)"
    ### END HIDDEN TESTS
    print("adam_step: all checks passed")
    """)
    nb.md(r"""
    Your `adam_step` is a complete optimizer: wrapped around a parameter it trains the same as
    `dl.optimizers.Adam`:
    """)
    nb.code("""
    w_mine, m, v = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2)
    p = dl.Parameter(np.array([1.0, -2.0]))
    adam = optimizers.Adam([p], lr=0.1)
    for t in range(1, 51):
        grad_mine, p.grad[...] = 2 * w_mine, 2 * p.value   # the gradient of f(w) = ||w||^2
        w_mine, m, v = adam_step(w_mine, grad_mine, m, v, t, 0.1, 0.9, 0.999, 1e-8)
        adam.step()
    print("yours:", w_mine, " dlkit:", p.value, " same:", np.allclose(w_mine, p.value))
    """)

    # ================================================================ summary
    nb.md(r"""
    ## Summary

    * **Initialization** must break symmetry (never all-equal weights) and keep the signal's
      variance constant through the layers: **Xavier** $\operatorname{Var}(W) = 2/(n_\text{in} +
      n_\text{out})$ for tanh/linear layers, **He** $2/n_\text{in}$ for ReLU. Too small vanishes,
      too large explodes or saturates, exponentially in the depth.
    * **Transfer learning**, measured over three seeds: with little target data train only a new
      softmax on frozen pretrained features; with a lot, fine-tune everything from the
      pretrained weights; in between, every pretrained strategy beats training from scratch but
      none beats the others by more than the seed-to-seed spread. Frozen parameters
      (`trainable=False`) are skipped by every optimizer; frozen layers are fixed feature
      extractors.
    * **Learning rate**: on a quadratic of curvature $c$, gradient descent converges iff
      $\alpha < 2/c$. Schedules (step, exponential, $1/t$, cosine with warmup) start large and
      end small.
    * **Adaptive methods**: momentum averages gradients ($v$), RMSprop divides by the RMS of
      recent gradients ($\sqrt{s}$), Adam does both and corrects the zero-initialization bias
      with $1 - \beta^t$ (without it the early steps are 3 to 6.6 times too large). State which
      momentum convention you use (damped or undamped: $\alpha_u = (1 - \beta)\alpha_d$; Keras's
      form differs from both once the learning rate changes) and where $\epsilon$ sits.

    **Going further.** Chapter 04 regularizes what these optimizers fit (dropout, weight
    penalties, early stopping); chapter 05 checks the gradients they consume.
    """)
    return nb
