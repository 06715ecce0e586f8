"""Chapter 02, "Training a neural network"."""

from nbbuild import Notebook


def build() -> Notebook:
    nb = Notebook("02_training")
    nb.md(r"""
    # Chapter 02 — Training a neural network

    > **Epoch** ― In the context of training a model, epoch is a term used to refer to one
    > iteration where the model sees the whole training set to update its weights.
    >
    > **Mini-batch gradient descent** ― During the training phase, updating weights is usually
    > not based on the whole training set at once due to computation complexities or one data
    > point due to noise issues. Instead, the update step is done on mini-batches, where the
    > number of data points in a batch is a hyperparameter that we can tune.
    >
    > — *CS 230 Deep Learning Tips and Tricks*, A. Amidi and S. Amidi

    **In this chapter you will**

    1. tell an *epoch* from an *iteration*, and count both;
    2. measure why mini-batches are the sheet's middle way between one example and the whole set;
    3. derive the cross-entropy loss from logits and implement it so that it never overflows;
    4. backpropagate through a two-layer network by hand, shape by shape, and check it;
    5. write the sheet's three-step weight update as code, then use `dl.fit`;
    6. move sliders for the learning rate, the batch size, the epochs and the width and watch a
       network learn.

    Three exercises are graded (cross-entropy from logits, the dense backward pass, the SGD
    step). Their solutions are in collapsed cells: try first, then click to expand.
    """)
    nb.code("""
    import numpy as np
    import dlkit as dl
    from dlkit.figures import training as fig02

    rng = np.random.default_rng(230)
    np.set_printoptions(precision=4, suppress=True)
    """)

    # ---------------------------------------------------------------- epoch
    nb.md(r"""
    ## 1. Epoch and iteration

    The sheet calls an epoch "one iteration where the model sees the whole training set". Most
    libraries and papers use the two words differently, and we will too:

    | term | meaning | how many |
    |---|---|---|
    | **iteration** (step) | one weight update, computed on one mini-batch of $B$ examples | $\lceil N/B \rceil$ per epoch |
    | **epoch** | one pass over the whole training set of $N$ examples | `epochs` |

    So with $N = 1000$ examples and batches of $B = 32$, one epoch is $\lceil 1000/32 \rceil = 32$
    iterations, the last batch holding only $1000 - 31 \cdot 32 = 8$ examples. With $B = N$
    (*full-batch* or *batch* gradient descent) an epoch is a single iteration; with $B = 1$
    (*stochastic* gradient descent in its original sense) it is $N$ iterations.
    """)
    nb.code("""
    N = 1000
    for B in [1, 32, 100, 1000]:
        print(f"batch size {B:>4}: {dl.num_batches(N, B):>4} iterations per epoch")
    """)
    nb.md(r"""
    An epoch visits every example exactly once, in a fresh random order each time. `dl.batch_indices`
    shuffles with the generator it is given, so the same seed always yields the same batches:
    """)
    nb.code("""
    batches = list(dl.batch_indices(10, batch_size=4, rng=np.random.default_rng(0)))
    for b in batches:
        print(b)
    seen = np.sort(np.concatenate(batches))
    print("every example exactly once:", bool(np.array_equal(seen, np.arange(10))))
    """)

    # ---------------------------------------------------------------- mini-batch
    nb.md(r"""
    ## 2. Mini-batch gradient descent

    The training loss is an average over the $N$ examples,
    $L(w) = \frac{1}{N}\sum_{i=1}^{N} \ell_i(w)$, so its gradient is the average of the
    per-example gradients. A mini-batch $\mathcal{B}$ of $B$ examples drawn at random gives

    $$ g_{\mathcal{B}} = \frac{1}{B}\sum_{i\in\mathcal{B}} \nabla \ell_i(w),
       \qquad \mathbb{E}[g_{\mathcal{B}}] = \nabla L(w),
       \qquad \operatorname{Var}[g_{\mathcal{B}}] \approx \frac{\sigma^2}{B}, $$

    an *unbiased* estimate of the full gradient whose noise shrinks like $1/B$, while its cost
    grows like $B$. That is the sheet's trade-off: one example is cheap but noisy ("noise
    issues"), the whole set is exact but costly ("computation complexities"). Let us measure the
    noise on a small network: the product *variance × B* should stay roughly constant.
    """)
    nb.code("""
    X, y = dl.datasets.make_moons(1000, noise=0.25, rng=rng)
    model = fig02.mlp(16, np.random.default_rng(1))

    def gradient(idx):
        \"\"\"The loss gradient w.r.t. every parameter, on the examples idx, as one vector.\"\"\"
        for p in model.parameters():
            p.zero_grad()
        _, dz = dl.binary_cross_entropy(model.forward(X[idx]), y[idx])
        model.backward(dz)
        return np.concatenate([p.grad.ravel() for p in model.parameters()])

    full = gradient(np.arange(len(X)))
    print(f"{'B':>5} {'mean squared error of g_B':>27} {'x B':>8}")
    for B in [1, 4, 16, 64, 256]:
        draws = [gradient(rng.choice(len(X), B, replace=False)) for _ in range(200)]
        err = np.mean([np.sum((g - full) ** 2) for g in draws])
        print(f"{B:>5} {err:>27.4f} {err * B:>8.2f}")
    """)
    nb.md(r"""
    The error falls as $1/B$ (the last column is nearly flat; it dips at $B=256$ because we sample
    a quarter of the whole set without replacement). In training, this noise shows up in the loss
    of each iteration: below, three runs with the same number of epochs.
    """)
    nb.code("""
    runs = {}
    for B in [1, 16, 1000]:
        net = fig02.mlp(16, np.random.default_rng(1))
        runs[f"B = {B}"] = dl.fit(net, X, y, lr=0.05 if B == 1 else 0.3, epochs=6, batch_size=B,
                                  rng=np.random.default_rng(2))
    for name, h in runs.items():
        print(f"{name:>8}: {len(h.batch_loss):>5} iterations, final epoch loss {h['loss'][-1]:.3f}")
    fig02.plot_iteration_losses(runs)
    """)
    nb.md(r"""
    With $B=1$ there are 6000 updates, each cheap and noisy; with the full batch there are 6,
    each exact and expensive. In practice $B$ between 16 and 512 wins on real hardware because a
    matrix product on $B$ rows costs little more than on one row. (The learning rate for $B=1$
    is smaller: noisier steps need smaller strides.)
    """)

    # ---------------------------------------------------------------- loss
    nb.md(r"""
    ## 3. Loss functions and the cross-entropy

    > **Loss function** ― In order to quantify how a given model performs, the loss function $L$
    > is usually used to evaluate to what extent the actual outputs $y$ are correctly predicted
    > by the model outputs $z$.
    >
    > **Cross-entropy loss** ― In the context of binary classification in neural networks, the
    > cross-entropy loss $L(z,y)$ is commonly used and is defined as follows:
    > $$L(z,y) = -\big[y\log(z) + (1-y)\log(1-z)\big]$$

    In the sheet $z$ is a *probability*. A network's last layer, however, outputs a real number,
    the **logit** $z \in \mathbb{R}$, and the probability is $p = \sigma(z) = 1/(1+e^{-z})$.
    Substituting $\log \sigma(z) = -\log(1+e^{-z})$ and $\log(1-\sigma(z)) = -z - \log(1+e^{-z})$:

    $$ L(z, y) = \log(1 + e^{-z}) + (1-y)\,z \;=\; \max(z,0) - yz + \log\!\big(1+e^{-|z|}\big). $$

    The last form is algebraically the same but never exponentiates a positive number, so it
    cannot overflow; and its derivative is strikingly simple:

    $$ \frac{\partial L}{\partial z} = \sigma(z) - y = p - y. $$

    The naive route — compute $p = \sigma(z)$, then $\log p$ — fails for confident logits:
    """)
    nb.code("""
    z = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    y1 = np.ones_like(z)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        p = 1 / (1 + np.exp(-z))
        other_class = (1 - y1) * np.log(1 - p)       # the y = 0 term, times 1 - y = 0
        naive = -(y1 * np.log(p) + other_class)
    stable = np.maximum(z, 0) - y1 * z + np.log1p(np.exp(-np.abs(z)))
    for zi, a, b in zip(z, naive, stable):
        print(f"z = {zi:>7.1f}   naive L = {a:>9.4g}   stable L = {b:>9.4g}")
    print(f"at z = 40: p == 1.0 exactly: {p[3] == 1.0}, (1 - y) log(1 - p) = {other_class[3]}")
    """)
    nb.md(r"""
    Two different failures, both from rounding $p$ to exactly 0 or 1:

    * At $z=-800$, a confident *mistake*, the probability underflows to exactly 0 and
      $\log 0 = -\infty$: the loss is `inf` instead of 800.
    * At $z=+40$ and $z=+800$, a confident and *correct* prediction, the naive loss is `nan`.
      $p = 1/(1+e^{-40}) = 1 - 4 \cdot 10^{-18}$ is closer to 1 than the spacing of float64
      numbers near 1 ($1.1 \cdot 10^{-16}$), so it rounds to exactly 1.0. The formula still
      evaluates the term of the other class, $(1-y)\log(1-p) = 0 \cdot \log 0 = 0 \cdot (-\infty)$,
      and IEEE arithmetic defines $0 \cdot \infty$ as `nan`: multiplying by $1 - y = 0$ does not
      remove an infinity. No overflow is needed, just a logit of 40.

    Either way one such example turns the whole batch loss, and every gradient after it, into
    `inf` or `nan`. The stable form returns 800 for the mistake and a loss of
    $\log(1 + e^{-40}) \approx 4.2 \cdot 10^{-18}$ (exactly 0 at 800) for the confident right
    answers. (The sheet is loose here: compute the cross-entropy from the logits, never as
    `log(sigmoid(z))`.) `dl.binary_cross_entropy` uses the stable form and returns the mean loss
    over the batch with its gradient:
    """)
    nb.code("""
    loss, dz = dl.binary_cross_entropy(np.array([1e4, -1e4, 0.0]), np.array([0, 1, 1]))
    print(f"loss = {loss:.2f}")
    print("dL/dz =", dz)
    """)
    nb.md(r"""
    The loss grows *linearly* in $|z|$ for a confident mistake and vanishes for a confident
    correct answer, which is why the gradient $p - y$ never saturates when the model is wrong:
    """)
    nb.code("""
    fig02.plot_cross_entropy()
    """)
    nb.md(r"""
    For $C > 2$ classes the same reasoning gives the softmax cross-entropy
    $L = -\log \operatorname{softmax}(z)_y = \log\sum_c e^{z_c} - z_y$, with gradient
    $\operatorname{softmax}(z) - \mathrm{onehot}(y)$; `dl.softmax_cross_entropy` subtracts
    $\max_c z_c$ before exponentiating (the log-sum-exp trick). For regression, `dl.mse`.

    ### Exercise 1 — cross-entropy from logits (2 points)

    Complete `bce_from_logits(z, y)`: `z` and `y` have shape `(N,)`; return the **mean** loss over
    the batch (a float) and $\partial L/\partial z$ of shape `(N,)`. Because the loss is a mean,
    the gradient carries a factor $1/N$. It must stay finite for logits of $\pm 10^4$.
    `dl.sigmoid` is a stable sigmoid you may use.
    """)
    nb.solution("bce_from_logits", """
    def bce_from_logits(z, y):
        \"\"\"Mean binary cross-entropy of logits z (N,) and labels y (N,); returns (loss, dz).\"\"\"
        ### BEGIN SOLUTION
        n = z.shape[0]
        loss = np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))) / n
        dz = (dl.sigmoid(z) - y) / n
        ### END SOLUTION
        return loss, dz
    """)
    nb.graded_test("bce_from_logits_test", 2, """
    from dlkit.checks.training import check_binary_cross_entropy

    check_binary_cross_entropy(bce_from_logits)
    ### BEGIN HIDDEN TESTS
    _loss, _dz = bce_from_logits(np.array([30.0, -30.0]), np.array([1.0, 0.0]))
    assert _loss < 1e-12 and np.all(np.abs(_dz) < 1e-12), "confident and right: loss ~ 0"
    ### END HIDDEN TESTS
    print("bce_from_logits: all checks passed")
    """)

    # ---------------------------------------------------------------- backprop
    nb.md(r"""
    ## 4. Backpropagation

    > **Backpropagation** ― Backpropagation is a method to update the weights in the neural network
    > by taking into account the actual output and the desired output. The derivative with respect
    > to each weight $w$ is computed using the chain rule.

    One correction first: backpropagation *computes the gradients*; it does not update anything.
    The update is a separate step (section 5) done by an optimizer, and keeping the two apart is
    what lets us check gradients, swap optimizers, or freeze layers.

    Take a two-layer network on a batch $X$ of shape $(N, D)$, with $H$ hidden units:

    | forward | shape | backward (chain rule) | shape |
    |---|---|---|---|
    | $Z_1 = X W_1 + b_1$ | $(N, H)$ | $\dfrac{\partial L}{\partial W_1} = X^\top \dfrac{\partial L}{\partial Z_1}$, $\;\dfrac{\partial L}{\partial b_1} = \sum_n \dfrac{\partial L}{\partial Z_1}$ | $(D, H)$, $(H,)$ |
    | $A_1 = \operatorname{ReLU}(Z_1)$ | $(N, H)$ | $\dfrac{\partial L}{\partial Z_1} = \dfrac{\partial L}{\partial A_1} \odot \mathbb{1}[Z_1 > 0]$ | $(N, H)$ |
    | $z = A_1 W_2 + b_2$ | $(N, 1)$ | $\dfrac{\partial L}{\partial A_1} = \dfrac{\partial L}{\partial z} W_2^\top$, $\;\dfrac{\partial L}{\partial W_2} = A_1^\top \dfrac{\partial L}{\partial z}$, $\;\dfrac{\partial L}{\partial b_2} = \sum_n \dfrac{\partial L}{\partial z}$ | $(N, H)$, $(H, 1)$, $(1,)$ |
    | $L = \frac1N \sum_n \ell(z_n, y_n)$ | scalar | $\dfrac{\partial L}{\partial z} = \dfrac{\sigma(z) - y}{N}$ | $(N, 1)$ |

    Read the backward column from the bottom up: each line needs only the line below it and what
    the forward pass stored. Every gradient has the shape of the thing it is the gradient of — the
    quickest bug check there is. Here is that table as NumPy, next to dlkit's layers:
    """)
    nb.code("""
    Xs, ys = X[:8], y[:8].reshape(-1, 1).astype(float)
    net = dl.Sequential(dl.Dense(2, 5, rng=np.random.default_rng(3)), dl.ReLU(),
                        dl.Dense(5, 1, rng=np.random.default_rng(4)))
    W1, b1, W2, b2 = (p.value for p in net.parameters())

    # forward, by hand
    Z1 = Xs @ W1 + b1
    A1 = np.maximum(Z1, 0)
    z = A1 @ W2 + b2
    # backward, by hand: the table read from the bottom up
    dz = (dl.sigmoid(z) - ys) / len(Xs)
    dW2, db2 = A1.T @ dz, dz.sum(axis=0)
    dA1 = dz @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    dW1, db1 = Xs.T @ dZ1, dZ1.sum(axis=0)

    # the same with dlkit's layers
    for p in net.parameters():
        p.zero_grad()
    _, dz_lib = dl.binary_cross_entropy(net.forward(Xs), ys)
    net.backward(dz_lib)
    for name, mine, p in zip(["W1", "b1", "W2", "b2"], [dW1, db1, dW2, db2], net.parameters()):
        print(f"d{name}: shape {str(mine.shape):<7} same as dlkit: {np.allclose(mine, p.grad)}")
    """)
    nb.md(r"""
    And both agree with the *numerical* gradient, the central difference
    $\frac{L(w+h) - L(w-h)}{2h}$ taken one weight at a time (chapter 05 is all about this check).
    The relative errors are of order $10^{-11}$: the round-off of the finite difference, whose
    exact digits differ from one processor to another, while a wrong formula gives errors near 1.
    So the cell compares them with thresholds rather than printing those digits:
    """)
    nb.code("""
    result = dl.gradcheck.check_model(net, dl.binary_cross_entropy, Xs, ys)
    for name, error in result.errors.items():
        print(f"{name}: relative error below 1e-8: {error < 1e-8}")
    print("all below 1e-7:", result.ok(1e-7))
    """)
    nb.md(r"""
    ### Exercise 2 — the dense layer's backward pass (3 points)

    For $y = xW + b$ with `x` of shape `(N, D_in)`, `W` of shape `(D_in, D_out)` and the upstream
    gradient `dy` $= \partial L/\partial y$ of shape `(N, D_out)`, return `(dx, dW, db)` with the
    shapes of `x`, `W` and `b`. Do not divide by $N$: `dy` already carries the loss's $1/N$.
    """)
    nb.solution("dense_backward", """
    def dense_backward(x, W, dy):
        \"\"\"Gradients of y = x W + b: returns dx (N, D_in), dW (D_in, D_out), db (D_out,).\"\"\"
        ### BEGIN SOLUTION
        dx = dy @ W.T
        dW = x.T @ dy
        db = dy.sum(axis=0)
        ### END SOLUTION
        return dx, dW, db
    """)
    nb.graded_test("dense_backward_test", 3, """
    from dlkit.checks.training import check_dense_backward

    check_dense_backward(dense_backward)
    ### BEGIN HIDDEN TESTS
    _layer = dl.Dense(3, 2, rng=np.random.default_rng(9))
    _x = np.random.default_rng(10).standard_normal((5, 3))
    _layer.forward(_x)
    _dy = np.ones((5, 2))
    _dx = _layer.backward(_dy)
    _mine = dense_backward(_x, _layer.W.value, _dy)
    assert np.allclose(_mine[0], _dx) and np.allclose(_mine[1], _layer.W.grad)
    ### END HIDDEN TESTS
    print("dense_backward: all checks passed")
    """)

    # ---------------------------------------------------------------- update
    nb.md(r"""
    ## 5. Updating the weights: the sheet's three steps

    > Using this method, each weight is updated with the rule
    > $\boxed{w \longleftarrow w - \alpha \dfrac{\partial L(z,y)}{\partial w}}$
    >
    > **Updating weights** ― Step 1: Take a batch of training data and perform forward propagation
    > to compute the loss. Step 2: Backpropagate the loss to get the gradient of the loss with
    > respect to each weight. Step 3: Use the gradients to update the weights of the network.

    $\alpha$ is the learning rate (`lr`). Moving against the gradient decreases the loss to first
    order: $L(w - \alpha g) \approx L(w) - \alpha \lVert g\rVert^2$.

    ### Exercise 3 — the SGD step (1 point)

    Return the updated weights $w - \alpha\, g$.
    """)
    nb.solution("sgd_step", """
    def sgd_step(w, grad, lr):
        \"\"\"One gradient-descent step: returns w - lr * grad (same shape as w).\"\"\"
        ### BEGIN SOLUTION
        return w - lr * grad
        ### END SOLUTION
    """)
    nb.graded_test("sgd_step_test", 1, """
    from dlkit.checks.training import check_sgd_step

    check_sgd_step(sgd_step)
    print("sgd_step: all checks passed")
    """)
    nb.md(r"""
    Now the three steps as a complete training loop, written out with the pieces from this
    chapter: mini-batches, forward, cross-entropy, backward, update.
    """)
    nb.code("""
    X_train, y_train, X_val, y_val = dl.datasets.train_val_split(
        *dl.datasets.make_moons(400, noise=0.2, rng=np.random.default_rng(5)),
        rng=np.random.default_rng(6))
    net = fig02.mlp(16, np.random.default_rng(7))
    lr, epochs, batch_size = 0.3, 60, 32
    shuffle_rng = np.random.default_rng(8)
    for epoch in range(epochs):
        for idx in dl.batch_indices(len(X_train), batch_size, rng=shuffle_rng):
            z = net.forward(X_train[idx])                              # step 1: forward, loss
            loss, dz = dl.binary_cross_entropy(z, y_train[idx])
            for p in net.parameters():
                p.zero_grad()
            net.backward(dz)                                           # step 2: gradients
            for p in net.parameters():
                p.value = sgd_step(p.value, p.grad, lr)                # step 3: update
        if epoch % 20 == 19:
            val_loss, val_acc = dl.evaluate(net, X_val, y_val)
            print(f"epoch {epoch + 1:>2}: last batch loss {loss:.3f}, "
                  f"validation loss {val_loss:.3f}, accuracy {val_acc:.1%}")
    """)
    nb.md(r"""
    `dl.fit` is that loop, plus validation after every epoch, a `History` of the losses, callbacks
    (chapter 04's early stopping), on-the-fly augmentation (chapter 01) and a clear stop if the
    loss stops being finite. With the same seeds it reproduces the hand-written loop exactly:
    """)
    nb.code("""
    net2 = fig02.mlp(16, np.random.default_rng(7))
    history = dl.fit(net2, X_train, y_train, lr=0.3, epochs=60, batch_size=32,
                     validation_data=(X_val, y_val), rng=np.random.default_rng(8))
    same = all(np.allclose(a.value, b.value) for a, b in zip(net.parameters(), net2.parameters()))
    print("identical weights to the hand-written loop:", same)
    print(f"final training accuracy {history['accuracy'][-1]:.1%}, "
          f"validation accuracy {history['val_accuracy'][-1]:.1%}")
    """)
    nb.md(r"""
    A learning rate that is far too large makes the loss explode: here a linear model with a
    squared error on inputs of scale 10, where every step overshoots the minimum by more than it
    corrects. `fit` stops as soon as the loss is no longer a finite number and says why, instead
    of silently filling plots with `nan`:
    """)
    nb.code("""
    linear = dl.Sequential(dl.Dense(2, 1, rng=np.random.default_rng(0)))
    try:
        dl.fit(linear, 10 * X_train, y_train, loss="mse", lr=1.0, epochs=50, batch_size=32,
               rng=np.random.default_rng(0))
    except dl.TrainingDiverged as err:
        print(err)
        print("epochs completed before it:", len(err.history))
    """)
    nb.md(r"""
    Bad arguments fail early with a message naming the argument, rather than deep inside NumPy:
    """)
    nb.code("""
    for kwargs in [dict(lr=-0.1), dict(batch_size=0), dict(epochs=2.5)]:
        try:
            dl.fit(net2, X_train, y_train, **kwargs)
        except (ValueError, TypeError) as err:
            print(f"{type(err).__name__}: {err}")
    """)

    # ---------------------------------------------------------------- widget
    nb.md(r"""
    ## 6. Play: learning rate, batch size, epochs, width

    Each slider change retrains a network with two hidden layers on 200 points of a toy data set
    and shows the decision boundary with the training and validation loss. Things to try:

    * **learning rate**: at 0.001 almost nothing happens in 50 epochs; around 0.3 it learns;
      at 10 and above the loss jumps around or blows up.
    * **batch size**: at 1 each epoch is 200 noisy updates (the widget stops after 2000 updates to
      stay fast); at 200 it is one smooth update per epoch, so it needs more epochs.
    * **hidden units**: 2 units cannot bend the boundary around the moons; 32 can, and may start
      to overfit (the validation curve turns up: chapter 04).
    * **data set**: circles, XOR and the spiral need different capacities.
    """)
    nb.widget("""
    from dlkit.interactive import LivePlot, choice_slider, dropdown, int_slider, log_slider

    training_widget = LivePlot(
        fig02.render_training,
        lr=log_slider("learning rate", 1e-3, 30, 0.3),
        batch_size=choice_slider("batch size", [1, 2, 4, 8, 16, 32, 64, 128, 200], 32),
        epochs=int_slider("epochs", 1, 200, 50),
        hidden=choice_slider("hidden units", [2, 4, 8, 16, 32, 64], 16),
        dataset=dropdown("data set", ["moons", "circles", "xor", "spiral"], "moons"),
    )
    training_widget
    """)
    nb.md(r"""
    The same figure without the widget, for a printed copy of this page:
    """)
    nb.code("""
    fig02.render_training(lr=0.3, batch_size=32, epochs=50, hidden=16, dataset="moons")
    """)

    # ---------------------------------------------------------------- summary
    nb.md(r"""
    ## Summary

    * An **iteration** is one update on one mini-batch; an **epoch** is one pass over the data,
      $\lceil N/B\rceil$ iterations.
    * A mini-batch gradient is an unbiased estimate of the full gradient with variance $\propto 1/B$.
    * Compute the **cross-entropy from logits**: $\max(z,0) - yz + \log(1+e^{-|z|})$, gradient
      $\sigma(z) - y$; never `log(sigmoid(z))`.
    * **Backpropagation** is the chain rule applied layer by layer in reverse; it computes
      gradients, each with the shape of its parameter. The **optimizer** updates the weights:
      $w \leftarrow w - \alpha\,\partial L/\partial w$.
    * The training loop is the sheet's three steps repeated over mini-batches and epochs.

    **Going further.** Chapter 03 replaces the plain update with Momentum, RMSprop and Adam and
    tunes the learning rate; chapter 05 checks every backward pass numerically.
    """)
    return nb
