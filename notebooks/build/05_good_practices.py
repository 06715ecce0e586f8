"""Chapter 05, "Good practices": overfitting a small batch, gradient checking."""
# ruff: noqa: E501  (a markdown table row cannot be wrapped)

from nbbuild import Notebook


def build() -> Notebook:
    nb = Notebook("05_good_practices")
    nb.md(r"""
    # Chapter 05 — Good practices

    > **Overfitting small batch** ― When debugging a model, it is often useful to make quick
    > tests to see if there is any major issue with the architecture of the model itself. In
    > particular, in order to make sure that the model can be properly trained, a mini-batch is
    > passed inside the network to see if it can overfit on it. If it cannot, it means that the
    > model is either too complex or not complex enough to even overfit on a small batch, let
    > alone a normal-sized training set.
    >
    > **Gradient checking** ― Gradient checking is a method used during the implementation of
    > the backward pass of a neural network. It compares the value of the analytical gradient to
    > the numerical gradient at given points and plays the role of a sanity-check for
    > correctness.
    >
    > — *CS 230 Deep Learning Tips and Tricks*, A. Amidi and S. Amidi

    Both tests take seconds and catch most of the bugs that otherwise cost days: a network that
    "trains" to a mediocre accuracy because one backward pass has a wrong sign looks, from the
    outside, exactly like a network that needs more tuning.

    **In this chapter you will**

    1. overfit one mini-batch with a correct network, then watch what five deliberately broken
       networks do, and learn to read the loss curve (`dl.overfit_one_batch`);
    2. see what failing this test means: *a bug, a bad learning rate or initialization, too
       little capacity, or depth without the cures that deep networks need*, and why "too
       complex", the sheet's other reason, is the wrong diagnosis even when a deeper network
       fails;
    3. derive the central difference and measure its error against the step $h$: truncation
       $O(h^2)$, round-off $O(\varepsilon/h)$, best $h$ near $\varepsilon^{1/3}$, and why
       gradient checks need float64;
    4. learn the thresholds (about $10^{-7}$ fine, above $10^{-3}$ a bug), the traps (kinks of
       ReLU and $|x|$, random dropout masks) and the cheap checks for large models (random
       coordinates, random directions) of `dl.gradcheck`;
    5. find and fix a planted bug in a residual block.

    Four exercises are graded (the overfit loop, the central difference, the relative error,
    the debugging). Their solutions are in collapsed cells: try first, then click to expand.
    """)
    nb.code("""
    from collections import Counter

    import numpy as np
    import dlkit as dl
    from dlkit.figures import good_practices as fig05

    rng = np.random.default_rng(230)
    np.set_printoptions(precision=4, suppress=True)
    """)

    # ================================================================ part 1
    nb.md(r"""
    ## 1. Overfitting a small batch

    Take **one** mini-batch and train on it, over and over. With $B$ examples and a network with
    many more than $B$ parameters, there are weights that fit these $B$ examples exactly: the
    loss can reach (about) zero and the accuracy 100 %. A correct model, a correct training loop
    and a sensible learning rate get there in a few hundred iterations. The test costs a few
    seconds and exercises *everything*: the forward pass, the loss, every backward pass, the
    optimizer and the loop. If the network cannot memorize 16 examples, it will not learn from
    10 000.

    Our batch: 16 points of the XOR problem, where no straight line separates the two classes.
    """)
    nb.code("""
    X_batch, y_batch = fig05.xor_batch()
    print("X_batch:", X_batch.shape, " y_batch:", y_batch.shape, " labels:", y_batch)
    """)
    nb.md(r"""
    ### 1.1 A correct model

    `dl.overfit_one_batch(model, X, y, lr=...)` trains the model in place on the batch, with
    plain SGD and binary cross-entropy, and stops as soon as the loss is at most
    `loss_threshold` (0.01 by default) **and** every example is classified correctly. It returns
    a small result: `reached`, `iterations` (weight updates it took), `final_loss`,
    `final_accuracy`, the loss curve `losses` (`losses[t]` is the loss after $t$ updates) and a
    `verdict`.
    """)
    nb.code("""
    model = dl.Sequential(dl.Dense(2, 16, rng=np.random.default_rng(0)), dl.Tanh(),
                          dl.Dense(16, 1, rng=np.random.default_rng(1)))
    result = dl.overfit_one_batch(model, X_batch, y_batch, lr=0.5)
    print(result)
    print(result.verdict)
    """)
    nb.md(r"""
    ### 1.2 Five broken networks

    Now the same test on five networks that each carry one classic mistake. Three are bugs in
    code that runs without any error (two in backward passes, one in the training loop); one is
    a learning rate; one is a model too small for the job. Here are the bugs, each a few
    characters away from correct code:
    """)
    nb.code("""
    class SignSlipTanh(dl.Tanh):
        \"\"\"Tanh whose derivative is written (y^2 - 1) instead of (1 - y^2).\"\"\"
        def backward(self, dy):
            y = self._y
            return dy * (y * y - 1.0)


    class NoBiasGradDense(dl.Dense):
        \"\"\"Dense whose backward forgets db: the bias never moves from 0.\"\"\"
        def backward(self, dy):
            self.W.grad += self._x.T @ dy
            return dy @ self.W.value.T


    def update_without_zero_grad(model, optimizer, dz):
        \"\"\"Steps 2 and 3 of the training loop, with optimizer.zero_grad() forgotten.\"\"\"
        model.backward(dz)
        optimizer.step()


    def mlp(first=dl.Dense, act=dl.Tanh, hidden=16):
        return dl.Sequential(first(2, hidden, rng=np.random.default_rng(0)), act(),
                             dl.Dense(hidden, 1, rng=np.random.default_rng(1)))
    """)
    nb.code("""
    cases = {
        "correct": dict(model=mlp(), lr=0.5),
        "wrong sign in Tanh.backward": dict(model=mlp(act=SignSlipTanh), lr=0.5),
        "missing bias gradient": dict(model=mlp(first=NoBiasGradDense), lr=0.5),
        "learning rate 1e-4": dict(model=mlp(), lr=1e-4),
        "Dense(2, 1) on XOR": dict(model=dl.Sequential(dl.Dense(2, 1, rng=np.random.default_rng(0))),
                                   lr=0.5),
        "forgotten zero_grad": dict(model=mlp(), lr=0.5, update=update_without_zero_grad),
    }
    results = {name: dl.overfit_one_batch(X=X_batch, y=y_batch, max_iterations=1000, **kw)
               for name, kw in cases.items()}
    print(f"{'case':<28} {'reached':>7} {'iters':>6} {'loss':>7} {'acc':>5}  diagnosis")
    for name, r in results.items():
        iters = "-" if r.iterations is None else r.iterations
        print(f"{name:<28} {str(r.reached):>7} {iters:>6} {r.final_loss:>7.3f} "
              f"{r.final_accuracy:>5.0%}  {r.diagnosis}")
    """)
    nb.code("""
    fig05.plot_overfit_curves(results)
    """)
    nb.md(r"""
    The tool names what the curve shows and what to suspect first. Its verdicts for the four
    failures:
    """)
    nb.code("""
    for name in ["wrong sign in Tanh.backward", "missing bias gradient", "learning rate 1e-4",
                 "Dense(2, 1) on XOR"]:
        print(f"{name}:\\n  {results[name].verdict}\\n")
    """)
    nb.md(r"""
    Reading the curves:

    * **Wrong sign in a backward pass.** Every layer below the slip receives the *opposite* of
      its gradient: the output layer descends the loss while the first layer climbs it. The loss
      wanders around $\ln 2 \approx 0.69$, the value of a coin flip, and never settles.
    * **Missing bias gradient.** The loss falls, then *plateaus*, and the accuracy is stuck.
      The reason is neat: with the first layer's bias stuck at 0, the network is
      $f(x) = v^\top \tanh(Wx) + c$, an odd function plus a constant:
      $f(x) + f(-x) = 2c$ for every $x$. The class-0 corners $(1, 1)$ and $(-1, -1)$ need
      $f < 0$ at both, so $c < 0$; the class-1 corners $(1, -1)$ and $(-1, 1)$ need $f > 0$ at
      both, so $c > 0$. No weights fit XOR (our points are noisy corners, so "nearly no
      weights"). The curve looks exactly like too little capacity.
    * **Learning rate far too small.** The loss *barely moves*: 1000 updates of size $10^{-4}$
      do almost nothing. (Far too large, a regression loss diverges: try it in the widget
      below.)
    * **Too little capacity.** One `Dense(2, 1)` is a straight line; no straight line separates
      XOR, so the loss stalls near $\ln 2$ and the accuracy near 50 %.
    * **Forgotten `zero_grad`** — the surprise: the test *passes*, ten times faster than the
      correct loop. See 1.4.
    """)
    nb.md(r"""
    ### 1.3 "Too complex"? No: what a failure means

    The sheet says that a model which cannot overfit a small batch is "either too complex or not
    complex enough". Let us measure both on our batch, with the recipe of 1.1 (plain SGD
    at learning rate 0.5, at most 1500 updates): networks from 1 to 1024 hidden units wide, and
    plain stacks of 1 to 32 hidden layers of 16 units, with tanh (Xavier initialization), ReLU
    (He initialization) or sigmoid (Xavier) units. One run decides little, so each network is
    trained from 5 seeds (the seed draws the initial weights), and the table says whether
    *all*, *none* or only *some* of the 5 runs memorize the batch:
    """)
    nb.code("""
    rows = [  # (activation, hidden units per layer, hidden layers, learning rate)
        ("tanh", 1, 1, 0.5), ("tanh", 2, 1, 0.5), ("tanh", 4, 1, 0.5), ("tanh", 16, 1, 0.5),
        ("tanh", 1024, 1, 0.5), ("tanh", 16, 4, 0.5), ("tanh", 16, 8, 0.5), ("tanh", 16, 16, 0.5),
        ("tanh", 16, 32, 0.5), ("ReLU", 16, 8, 0.5), ("ReLU", 16, 16, 0.5), ("ReLU", 16, 32, 0.5),
        ("sigmoid", 16, 4, 0.5), ("tanh", 16, 16, 0.05), ("tanh", 16, 32, 0.05),
    ]
    print(f"{'units':<8} {'width':>5} {'layers':>6} {'lr':>5} {'params':>6}  "
          "runs that memorize the batch (seeds 0-4)")
    table = {}
    for act, hidden, depth, lr in rows:
        table[act, hidden, depth, lr] = runs = fig05.overfit_seeds(act, hidden, depth, lr)
        params = fig05.mlp(hidden, depth=depth).num_parameters()
        print(f"{act:<8} {hidden:>5} {depth:>6} {lr:>5} {params:>6}  {fig05.seed_summary(runs)}")
    """)
    nb.md(r"""
    Two different things fail.

    * **Too little capacity.** One hidden unit cannot bend the boundary twice, so no seed
      fits XOR; two units fit it only from a lucky start; from 4 units up every seed does, and
      1024 units (4097 parameters) too, more slowly at this learning rate but surely. More
      parameters never stop a network from memorizing the batch: "not complex enough" is
      right, "too complex" is not.
    * **Depth without the cures.** At the learning rate that suits the shallow network, plain
      stacks fail as they get deep: tanh in some seeds at 16 layers and in all five at 32, ReLU
      in some seeds at 16 layers and in all five at 32 (several by diverging), sigmoid in all
      five already at 4 layers. The number of parameters is not the cause: 16 tanh layers have
      4145 of them and fail where 4097 in one wide layer succeed. Through many layers,
      gradients vanish or explode, units saturate (tanh, sigmoid) or die (ReLU), and a step
      that suits a shallow network throws the deep one into a state where its output hardly
      depends on its input: the loss falls at first, jumps in spikes, and in most runs climbs
      back to about $\ln 2 \approx 0.69$, the loss of answering 1/2 everywhere, where it stays
      (the figure below: the 32-layer tanh stack). This is an *optimization* problem, and the
      cure is not a smaller model. The last two rows show the simplest one: at learning rate
      0.05 every seed of the 16-layer tanh stack memorizes the batch (the 32-layer one only in
      some seeds within 1500 updates). The standard cures for deep networks are a better
      initialization (chapter 03), batch normalization (chapter 01) and residual connections
      $y = x + f(x)$ (part 3 builds one).
    """)
    nb.code("""
    deep = table["tanh", 16, 32, 0.5]
    fig05.plot_overfit_curves({f"seed {seed}": r for seed, r in enumerate(deep)},
                              title="32 tanh layers of 16 units, lr 0.5: five starts")
    """)
    nb.md(r"""
    Why "some" and not a count? Because in those rows the outcome of one seed is not even
    reproducible. Move every initial weight by one unit in the last place (the size of the
    difference another processor's round-off makes to a result), train again, and compare the
    two loss curves:
    """)
    nb.code("""
    for depth in [8, 16]:
        runs = table["tanh", 16, depth, 0.5]
        moved = fig05.overfit_seeds("tanh", 16, depth, 0.5, nudge=True)
        gaps = [fig05.loss_gap(a, b) for a, b in zip(runs, moved)]
        print(f"tanh, {depth:>2} layers: the two curves stay within 1e-9 of each other in "
              f"{sum(g < 1e-9 for g in gaps)} of 5 seeds, end up more than 0.1 apart in "
              f"{sum(g > 0.1 for g in gaps)}")
    """)
    nb.md(r"""
    With 8 layers, a change of $10^{-16}$ stays tiny: the curves never part by $10^{-9}$. With
    16 layers, in three seeds of five it changes the whole run: training there is *chaotic*,
    and where a run ends depends on the last bit of its initial weights, so on the processor
    it runs on. Which seeds memorize the batch, and so how many, can change with it, which is
    why the table prints only that some do and some do not. A network this close to the edge
    is a bad one to debug with: its single runs tell you little.

    So when the test fails, suspect, in this order:

    1. **a bug**: a wrong sign or a missing term in a backward pass, a gradient never reset, a
       parameter that is never updated (gradient checking, part 2, finds most of these);
    2. **the learning rate or the initialization**: too small and nothing moves, too large and
       the loss diverges; saturated or dead units at initialization;
    3. **too little capacity**: make the model *wider*;
    4. **depth without the cures**: a deep plain stack needs a smaller learning rate, a better
       initialization, batch normalization or residual connections, not fewer parameters.

    "Too complex" is also what one says of a model that fits the training set *too well* and
    generalizes badly (overfitting in the usual sense, chapter 04). That is the opposite
    problem, and this test cannot show it: it is meant to overfit.
    """)
    nb.md(r"""
    ### 1.4 What the test cannot see

    Passing is necessary, not sufficient. Two of our bugs pass.

    **Forgotten `zero_grad`.** Backward passes *add* into `.grad`. Without a reset, the update
    at step $t$ uses $\sum_{s \le t} g_s$, the sum of every gradient so far: gradient descent with
    momentum $\beta = 1$ and no friction. On a separable batch, the accumulated direction keeps
    pushing the logits apart and the cross-entropy falls ever faster. On a regression batch,
    where the loss has a finite minimum, a frictionless ball rolls past it and back forever:
    """)
    nb.code("""
    t_batch = np.sin(2 * X_batch[:, 0]) * np.cos(X_batch[:, 1])   # real-valued targets
    for name, update in [("correct loop", None), ("forgotten zero_grad", update_without_zero_grad)]:
        r = dl.overfit_one_batch(mlp(), X_batch, t_batch, loss="mse", lr=0.2,
                                 max_iterations=2000, loss_threshold=1e-3, update=update)
        print(f"{name:<20} reached={r.reached!s:<5} final MSE {r.final_loss:.4f}  {r.diagnosis}")
    """)
    nb.md(r"""
    **A wrong sign in the output layer's $dW$.** If only the last layer climbs the loss while
    its bias and every layer below descend, the network still memorizes the batch: the hidden
    layer rotates its features to compensate.
    """)
    nb.code("""
    class SignSlipDWDense(dl.Dense):
        \"\"\"Dense whose backward returns -dW (db and dx are right).\"\"\"
        def backward(self, dy):
            self.W.grad -= self._x.T @ dy
            self.b.grad += dy.sum(axis=0)
            return dy @ self.W.value.T

    def sneaky_net():
        return dl.Sequential(dl.Dense(2, 16, rng=np.random.default_rng(0)), dl.Tanh(),
                             SignSlipDWDense(16, 1, rng=np.random.default_rng(1)))

    print(dl.overfit_one_batch(sneaky_net(), X_batch, y_batch, lr=0.5).verdict)
    """)
    nb.md(r"""
    Both are real bugs that the overfit test lets through. The test that sees them is the
    gradient check of part 2:
    `dl.gradcheck.check_model(sneaky_net(), "bce", X_batch, y_batch)` flags `2.W` with a
    relative error of 2 and notices that the two gradients are exact opposites, entry by
    entry, in a fraction of a second. (Every entry is then equally wrong, so the entry it
    shows is simply the first one.) (Check
    a fresh network, not the one that has just memorized the batch: there every gradient is
    nearly zero, and the check would compare two numbers of round-off size.)
    """)
    nb.code("""
    print(dl.gradcheck.check_model(sneaky_net(), "bce", X_batch, y_batch).verdict())
    """)
    nb.md(r"""
    ### Play: break a network, move the learning rate

    Pick a model, a learning rate, a width and a task; the widget runs the overfit test (at most
    1000 updates) on the 16 points and shows the loss curve, the fit and the verdict. The
    *regression* task fits the real-valued targets $t = \sin(2x_1)\cos(x_2)$ with the MSE
    (threshold $10^{-3}$): a loss with a finite minimum. Things to try:

    * the correct model with learning rates from $10^{-4}$ (barely moves) to 30. In
      classification even 30 memorizes the batch, in a handful of steps: the test asks whether
      learning is possible at all, it does not tune the learning rate. In regression, 1 and
      above diverge;
    * 1, 2 and 3 hidden units: where capacity runs out;
    * the missing bias gradient with 64 hidden units: still stuck, a bug is not fixed by
      capacity;
    * the forgotten `zero_grad`, in classification and then in regression.
    """)
    nb.widget("""
    from dlkit.interactive import LivePlot, choice_slider, dropdown, log_slider

    overfit_widget = LivePlot(
        fig05.render_overfit,
        case=dropdown("model", list(fig05.OVERFIT_CASES), "correct"),
        lr=log_slider("learning rate", 1e-4, 30, 0.5),
        hidden=choice_slider("hidden units", [1, 2, 3, 4, 8, 16, 64], 16),
        task=dropdown("task", list(fig05.TASKS), "classification"),
    )
    overfit_widget
    """)
    nb.md(r"""
    The same figure without the widget, for a printed copy of this page:
    """)
    nb.code("""
    fig05.render_overfit(case="missing bias gradient (first layer)", lr=0.5, hidden=16)
    """)
    nb.md(r"""
    ### Exercise 1 (graded): the overfit loop

    Write the loop that `overfit_one_batch` runs, without the bookkeeping. Complete
    `overfit_batch(model, X, y, lr, iterations)`:

    * use plain SGD, `optimizer = dl.SGD(model.parameters(), lr=lr)`, and the binary
      cross-entropy from logits, `loss, dz = dl.binary_cross_entropy(model.forward(X), y)`;
    * every iteration: forward and loss, **then** record the loss, reset the gradients,
      backward, step (the sheet's three steps);
    * return the list of the `iterations` losses; `losses[t]` is the loss *before* update $t$;
    * train the `model` you are given, in place, for exactly `iterations` updates.
    """)
    nb.solution("overfit_batch", """
    def overfit_batch(model, X, y, lr, iterations):
        \"\"\"Train model on the single batch (X, y); return the list of `iterations` losses.\"\"\"
        ### BEGIN SOLUTION
        optimizer = dl.SGD(model.parameters(), lr=lr)
        losses = []
        for _ in range(iterations):
            loss, dz = dl.binary_cross_entropy(model.forward(X), y)
            losses.append(loss)
            optimizer.zero_grad()
            model.backward(dz)
            optimizer.step()
        ### END SOLUTION
        return losses
    """)
    nb.graded_test("overfit_batch_test", 2, """
    from dlkit.checks.good_practices import check_overfit_batch

    check_overfit_batch(overfit_batch)
    ### BEGIN HIDDEN TESTS
    _losses = overfit_batch(mlp(), X_batch, y_batch, 0.5, 400)
    assert len(_losses) == 400 and _losses[-1] < 0.01, "the correct model overfits the batch"
    ### END HIDDEN TESTS
    print("overfit_batch: all checks passed")
    """)
    nb.code("""
    losses = overfit_batch(mlp(), X_batch, y_batch, lr=0.5, iterations=300)
    print(f"loss: {losses[0]:.3f} at the start, {losses[99]:.3f} after 99 updates, "
          f"{losses[-1]:.4f} after 299")
    """)

    # ================================================================ part 2
    nb.md(r"""
    ## 2. Gradient checking

    Backpropagation gives the *analytical* gradient, fast and exact but written by hand, so
    possibly wrong. Finite differences give a *numerical* gradient, slow and approximate but
    computed from the forward pass alone, which is much harder to get wrong. The sheet's table,
    with what we measure below:

    | | numerical gradient | analytical gradient |
    |---|---|---|
    | formula | $\displaystyle\frac{df}{dx}(x) \approx \frac{f(x+h) - f(x-h)}{2h}$ | $\displaystyle\frac{df}{dx}(x) = f'(x)$ |
    | cost | 2 evaluations of the loss **per parameter** | one forward and one backward pass for **all** parameters |
    | accuracy | $O(h^2)$ truncation + $O(\varepsilon/h)$ round-off: a few $10^{-11}$ relative in float64 at best (2.3) | exact up to round-off, if the code is right |
    | use | verify the backward pass, on small inputs, in float64 | training |

    The cost, counted on our 65-parameter network, and the relative error of each array
    (`report(floor=1e-8)` shows errors below $10^{-8}$ as that bound: they are round-off, whose
    digits change from one processor to another, see 2.3):
    """)
    nb.code("""
    net = mlp()
    check = dl.gradcheck.check_model(net, "bce", X_batch, y_batch, mode="full")
    print(f"parameters: {net.num_parameters()}")
    print(f"numerical gradient: {check.evaluations} forward passes")
    print("analytical gradient: 1 forward pass + 1 backward pass")
    print(check.report(floor=1e-8))
    """)
    nb.md(r"""
    ### 2.1 The central difference, and why not the forward one

    Taylor-expand $f$ around $x$:

    $$ f(x \pm h) = f(x) \pm h f'(x) + \frac{h^2}{2} f''(x) \pm \frac{h^3}{6} f'''(x) + O(h^4). $$

    The **forward difference** keeps the $h^2$ term:
    $\dfrac{f(x+h) - f(x)}{h} = f'(x) + \dfrac{h}{2} f''(x) + O(h^2)$, an error of order $h$.
    In the **central difference** the even terms cancel:

    $$ \frac{f(x+h) - f(x-h)}{2h} = f'(x) + \frac{h^2}{6} f'''(x) + O(h^4), $$

    an error of order $h^2$ for the same two evaluations per entry. For a function of many
    variables, perturb one entry $x_i$ at a time ($x \pm h e_i$) to get $\partial f/\partial x_i$.

    ### Exercise 2 (graded): the numerical gradient

    Complete `numerical_gradient(f, x, h)`: `f` takes an array shaped like `x` and returns a
    number; return the central-difference gradient, an array of `x`'s shape. Perturb **one
    entry at a time**, in place (`x[i] = old + h`, evaluate, `x[i] = old - h`, evaluate), and
    **restore** it (`x[i] = old`) before the next one, so that `x` is unchanged at the end.
    `np.ndindex(x.shape)` walks the indices of an array of any shape.
    """)
    nb.solution("numerical_gradient", """
    def numerical_gradient(f, x, h=1e-5):
        \"\"\"Central-difference gradient of the scalar function f at x (any shape).\"\"\"
        grad = np.zeros_like(x, dtype=float)
        ### BEGIN SOLUTION
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            f_plus = f(x)
            x[i] = old - h
            f_minus = f(x)
            x[i] = old
            grad[i] = (f_plus - f_minus) / (2 * h)
        ### END SOLUTION
        return grad
    """)
    nb.graded_test("numerical_gradient_test", 2, """
    from dlkit.checks.good_practices import check_numerical_gradient

    check_numerical_gradient(numerical_gradient)
    ### BEGIN HIDDEN TESTS
    _x = np.array([0.3, -1.2, 2.0])
    _g = numerical_gradient(lambda v: float(np.sum(v ** 2)), _x, 1e-4)
    assert np.allclose(_g, 2 * _x, atol=1e-8), "the gradient of sum(x^2) is 2x"
    ### END HIDDEN TESTS
    print("numerical_gradient: all checks passed")
    """)
    nb.md(r"""
    Your function against the analytical gradient of a layer, $L(W) = \sum \tanh(xW) \odot R$
    with $\partial L/\partial W = x^\top\big((1 - \tanh^2(xW)) \odot R\big)$:
    """)
    nb.code("""
    x_demo = rng.standard_normal((6, 3))
    W_demo = rng.standard_normal((3, 2))
    R_demo = rng.standard_normal((6, 2))

    def loss_of_W(W):
        return float(np.sum(np.tanh(x_demo @ W) * R_demo))

    analytical = x_demo.T @ ((1 - np.tanh(x_demo @ W_demo) ** 2) * R_demo)
    numerical = numerical_gradient(loss_of_W, W_demo.copy(), h=1e-5)
    print("analytical:\\n", analytical)
    print("numerical:\\n", numerical)
    print("largest difference below 1e-9:", np.max(np.abs(numerical - analytical)) < 1e-9)
    """)
    nb.md(r"""
    They agree to every printed digit, and far beyond: the largest difference is below
    $10^{-9}$ (2.3 shows where such a bound comes from). Its exact digits are round-off, which
    differs from one processor to another (2.3 again), so we print the bound, not the digits.

    ### 2.2 The relative error, and the thresholds

    "The difference is $10^{-6}$" means nothing without a scale: it is tiny for a gradient of
    size 1000 and huge for one of size $10^{-6}$. Compare instead the **relative error**. For
    each array we use the norm form

    $$ \mathrm{err} = \frac{\lVert g_{\text{num}} - g_{\text{ana}} \rVert_2}
         {\max\big(\lVert g_{\text{num}} \rVert_2,\ \lVert g_{\text{ana}} \rVert_2\big)}, $$

    0 when they agree, about 1 when they are unrelated, 2 when they are opposite. (The
    element-wise form $|a_i - b_i| / \max(|a_i|, |b_i|, \text{tiny})$ points at the worst
    entry, but it blows up on entries that are nearly 0 in both, where a single round-off
    error is as large as the value itself.) The sheet gives no threshold; in float64:

    | relative error | meaning |
    |---|---|
    | below $10^{-7}$ | correct (typically $10^{-11}$ to $10^{-9}$) |
    | $10^{-7}$ to $10^{-3}$ | look closer: a kink (ReLU, $|x|$) near a checked point, float32, a bad $h$ |
    | above $10^{-3}$ | almost surely a bug |

    ### Exercise 3 (graded): the relative error

    Complete `relative_error(a, b)`: return the norm form above as a single float (use
    `np.linalg.norm`), with the denominator guarded so that two zero arrays give `0.0`:
    `max(norm_a, norm_b, 1e-300)`. The error must not depend on the scale: arrays of size
    $10^{-20}$ have the same relative error as their rescaled copies.
    """)
    nb.solution("relative_error", """
    def relative_error(a, b):
        \"\"\"||a - b|| / max(||a||, ||b||): 0.0 when both are zero.\"\"\"
        ### BEGIN SOLUTION
        return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300))
        ### END SOLUTION
    """)
    nb.graded_test("relative_error_test", 1, """
    from dlkit.checks.good_practices import check_relative_error

    check_relative_error(relative_error)
    ### BEGIN HIDDEN TESTS
    _a = np.arange(1.0, 5.0)
    assert abs(relative_error(_a, -_a) - 2.0) < 1e-12, "opposite gradients: error 2"
    ### END HIDDEN TESTS
    print("relative_error: all checks passed")
    """)
    nb.md(r"""
    Every layer and loss of dlkit, checked in float64 with `dl.gradcheck` (the input `x` and
    every parameter; a layer is checked through $L = \sum y \odot R$ with a fixed random $R$):
    """)
    nb.code("""
    gc = dl.gradcheck
    x = rng.standard_normal((5, 4))
    checks = {
        "Dense(4, 3)": gc.check_layer(dl.Dense(4, 3, rng=rng), x),
        "ReLU": gc.check_layer(dl.ReLU(), x),
        "Sigmoid": gc.check_layer(dl.Sigmoid(), x),
        "Tanh": gc.check_layer(dl.Tanh(), x),
        "Sequential (MLP)": gc.check_layer(
            dl.Sequential(dl.Dense(4, 8, rng=rng), dl.Tanh(), dl.Dense(8, 2, rng=rng)), x),
        "binary cross-entropy": gc.check_loss(dl.binary_cross_entropy, rng.standard_normal(5),
                                              np.array([0, 1, 1, 0, 1])),
        "softmax cross-entropy": gc.check_loss(dl.softmax_cross_entropy, x,
                                               np.array([0, 3, 1, 2, 3])),
        "MSE": gc.check_loss(dl.mse, x, rng.standard_normal((5, 4))),
    }
    print(f"{'checked':<22} {'arrays':<22} every relative error below 1e-9")
    for name, c in checks.items():
        print(f"{name:<22} {', '.join(c.errors):<22} {c.max_error < 1e-9}")
    """)
    nb.md(r"""
    ### 2.3 Choosing $h$: the trade-off, measured

    The sheet warns that $h$ must be "not too small (numerical instability) nor too large (poor
    gradient approximation)". Both effects can be written down. Truncation is $\frac{h^2}{6}
    |f'''|$ (central). Round-off: each evaluation of $f$ is off by about $\varepsilon |f|$, where
    $\varepsilon$ is the machine epsilon ($2.2\cdot10^{-16}$ in float64, $1.2\cdot10^{-7}$ in
    float32), and dividing the difference by $2h$ amplifies it to about $\varepsilon |f| / h$.
    The total

    $$ E(h) \approx \frac{h^2}{6}|f'''| + \frac{\varepsilon |f|}{h} $$

    is smallest at $h^\ast = (3\varepsilon |f| / |f'''|)^{1/3} \sim \varepsilon^{1/3}$, where
    $E \sim \varepsilon^{2/3}$. For the forward difference, $E \approx \frac{h}{2}|f''| +
    \frac{2\varepsilon|f|}{h}$, best at $h^\ast \sim \sqrt{\varepsilon}$ with
    $E \sim \sqrt{\varepsilon}$: in float64 about $\varepsilon^{-1/6} \approx 400$ times worse than
    the central difference's $\varepsilon^{2/3}$, up to the constants $|f''|$, $|f'''|$, $|f|$ of
    the function at hand.

    To *measure* round-off, the experiment must not depend on the machine, and round-off
    usually does: a BLAS matrix product adds its terms in an order chosen for the processor,
    and NumPy's `tanh` and `exp` run different vectorized code on AVX2 and AVX-512 chips, each
    correct to the last bit or two but not the same last bit. So our test layer,
    $L(W) = \sum s(xW) \odot R$ with $x$ of shape $(8, 4)$ and $W$ of shape $(4, 3)$, uses the
    tanh look-alike $s(a) = a / \sqrt{1 + a^2}$ and is computed only with what IEEE 754
    rounds the same way on every processor: $+$, $-$, $\times$, $/$ and the square root,
    element by element, in a fixed order (`fig05.sweep_loss`: no BLAS, no `tanh`, no
    `np.sum`, whose order of additions is NumPy's business), on inputs that are multiples of
    $1/8$, exact in both dtypes. Every number below is then the same on every machine, bit for
    bit, round-off included. Over 53 values of $h$ from $10^{-13}$ to 1:
    """)
    nb.code("""
    print(f"{'dtype':<8} {'method':<8} {'best h':>8} {'theory':>8} {'error at best h':>16}")
    best_error = {}
    for dtype in ["float64", "float32"]:
        eps = np.finfo(dtype).eps
        for method, theory in [("central", eps ** (1 / 3)), ("forward", eps ** 0.5)]:
            hs, errors = fig05.h_sweep(dtype, method)
            best = np.argmin(errors)
            best_error[dtype, method] = errors[best]
            print(f"{dtype:<8} {method:<8} {hs[best]:>8.1e} {theory:>8.1e} {errors[best]:>16.1e}")
    ratio = best_error["float64", "forward"] / best_error["float64", "central"]
    print(f"float64, each at its best h: forward / central = {ratio:.0f} "
          f"(theory eps^(-1/6) = {np.finfo(np.float64).eps ** (-1 / 6):.0f})")
    """)
    nb.code("""
    hs, err_c = fig05.h_sweep("float64", "central")
    _, err_f = fig05.h_sweep("float64", "forward")
    print("slope of log(error) against log(h), float64:")
    for name, errors, lo, hi in [("central, truncation", err_c, 1e-4, 1e-1),
                                 ("forward, truncation", err_f, 1e-6, 1e-1),
                                 ("central, round-off ", err_c, 1e-12, 1e-7)]:
        print(f"  {name} regime ({lo:.0e} <= h <= {hi:.0e}): "
              f"{fig05.fitted_slope(hs, errors, lo, hi):.2f}")
    print(f"at h = 1e-5: central {fig05.finite_difference_error(1e-5, 'float64', 'central'):.1e}, "
          f"forward {fig05.finite_difference_error(1e-5, 'float64', 'forward'):.1e}")
    fig05.render_h_tradeoff(h=1e-5, dtype="float64")
    """)
    nb.md(r"""
    The slopes are the orders: 2 for the central difference, 1 for the forward one, $-1$ for
    round-off. Each at its best $h$, the forward difference is several hundred times worse than
    the central one (the ratio printed above; the theory's $\varepsilon^{-1/6} \approx 400$
    ignores the constants of this particular function). At the usual $h = 10^{-5}$ the central
    difference in float64 is accurate to about $10^{-10}$, far below the $10^{-7}$ threshold;
    the forward difference only reaches $\sim 10^{-5}$ there, and would pass a *buggy* layer
    whose error is $10^{-6}$ unnoticed.

    **float64 vs float32.** In float32 the best the central difference can do is about
    $2\cdot10^{-5}$ (the theory's $\varepsilon^{2/3} \approx 2.4\cdot10^{-5}$), at
    $h \approx 6\cdot10^{-3}$; at $h = 10^{-5}$ round-off dominates and a *correct* layer shows an
    error near $10^{-2}$, above the bug threshold. A gradient check in float32 cannot tell a
    correct layer from a subtly wrong one, so `dl.gradcheck` refuses float32 parameters:
    """)
    nb.code("""
    print(f"float32, h = 1e-5: error {fig05.finite_difference_error(1e-5, 'float32'):.0e}")
    print(f"float32, h = 3e-3: error {fig05.finite_difference_error(3e-3, 'float32'):.0e}")
    try:
        gc.check_layer(dl.Dense(4, 3, rng=rng, dtype=np.float32), x)
    except ValueError as err:
        print("ValueError:", err)
    """)
    nb.md(r"""
    ### Play: $h$ and the dtype

    Move $h$ and switch the dtype; the title gives the error of both differences at that $h$.
    The green band is "correct", the red one "bug". Find the $h$ where float32 comes closest to
    the green band, and how close it gets.
    """)
    nb.widget("""
    h_widget = LivePlot(
        fig05.render_h_tradeoff,
        h=log_slider("step h", 1e-12, 1.0, 1e-5),
        dtype=dropdown("dtype", ["float64", "float32"], "float64"),
    )
    h_widget
    """)
    nb.md(r"""
    The same figure in float32, for a printed copy of this page:
    """)
    nb.code("""
    fig05.render_h_tradeoff(h=1e-5, dtype="float32")
    """)
    nb.md(r"""
    ### 2.4 Kinks: ReLU at 0, $|x|$ at 0

    ReLU and the L1 penalty $\lambda|w|$ are not differentiable at 0. The analytical derivative
    jumps there (ReLU: 0 then 1, by the convention $\mathbb{1}[x > 0]$); the central
    difference, which looks at $x-h$ and $x+h$, sees a ramp across the whole interval
    $|x| < h$:
    """)
    nb.code("""
    fig05.render_kink(h=1e-5)
    """)
    nb.md(r"""
    So a check can fail on a *correct* layer when an input falls within $h$ of a kink. With
    random Gaussian inputs and $h = 10^{-5}$ that is rare (about 1 input in $10^5$), but it
    happens for real: after ReLU and max-pooling, and for L1-penalized weights that training
    drives to exactly 0. Here we place one input at $3\cdot10^{-6}$:
    """)
    nb.code("""
    x_kink = rng.standard_normal((4, 5))
    x_kink[1, 2] = 3e-6
    c = gc.check_layer(dl.ReLU(), x_kink)
    print(c.verdict())
    idx, num, ana = c.worst_entry()
    print(f"numerical / analytical at {idx}: {num / ana:.2f}")

    lam = 0.1
    w = rng.standard_normal(6)
    w[4] = -4e-6

    def l1_penalty(w):
        return lam * np.sum(np.abs(w))

    print(gc.check_function(l1_penalty, w, lam * np.sign(w)).verdict())
    """)
    nb.md(r"""
    The worst entry is exactly the one we placed near the kink. There the numerical derivative
    is the ramp's value times the analytical one, $0.65 = \frac{1}{2} + \frac{x}{2h}$ for
    ReLU at $x = 3\cdot10^{-6}$ (the layer is checked through $\sum y \odot R$, so each
    derivative carries a factor $R_{ij}$), and $-0.04 = \lambda \frac{w}{h}$ instead of
    $-\lambda = -0.1$ for the L1 penalty. Remedies: check
    at points away from kinks (for example redraw inputs with $|x| < 10h$), or exclude those
    entries, or compare with a smaller $h$ (the ramp narrows, the genuine bug does not go away).
    Exactly *at* the kink the central difference of $|x|$ is
    $(|h| - |-h|)/2h = 0 = \operatorname{sign}(0)$, which is why L1 subgradients of exact zeros
    agree.

    ### 2.5 Random layers: hold the dropout mask fixed

    A dropout layer draws a new random mask at every forward pass. The numerical gradient then
    compares $f$ computed with *different* masks at $x+h$ and $x-h$: the difference is dominated
    by the change of mask, not by $h$. The check must hold the mask fixed. `dl.gradcheck` does so
    by saving the state of every `rng` attribute of the layer (and of its sub-layers) and
    restoring it before each forward pass, so every evaluation draws the same mask. A tiny
    inverted-dropout layer to show it (dlkit's own `Dropout` is in chapter 04):
    """)
    nb.code("""
    class TinyDropout(dl.Layer):
        \"\"\"Inverted dropout: drop each unit with probability p, scale the kept ones by 1/(1-p).\"\"\"
        def __init__(self, p, rng):
            super().__init__()
            self.p, self.rng = p, rng

        def forward(self, x):
            if not self.training:
                return x
            self._mask = (self.rng.random(x.shape) >= self.p) / (1 - self.p)
            return x * self._mask

        def backward(self, dy):
            return dy * self._mask

    drop = TinyDropout(0.5, rng=np.random.default_rng(3))
    print("masks redrawn at every evaluation:",
          gc.check_layer(drop, x, freeze_random=False).verdict())
    print("masks held fixed:                 ", gc.check_layer(drop, x).verdict())
    """)
    nb.md(r"""
    ### 2.6 Large models: random coordinates, random directions

    A full sweep costs 2 forward passes per parameter: fine for a 65-parameter network,
    hopeless for millions. Two cheap estimates of the same relative error:

    * **random coordinates** (`mode="coords"`): the central difference on $k$ random entries
      per array, compared with the same entries of the analytical gradient: $2k$ evaluations;
    * **random directions** (`mode="directions"`): for a random unit vector $u$, the
      *directional derivative* $\frac{f(x + hu) - f(x - hu)}{2h} \approx g \cdot u$ is compared
      with the dot product of the analytical gradient with $u$: $2k$ evaluations for $k$
      directions, and every entry takes part in each one.

    Why directions measure the same thing: if the analytical gradient is off by $e$, a random
    unit vector in $n$ dimensions gives $\mathbb{E}[(e \cdot u)^2] = \lVert e\rVert^2 / n$ and
    $\mathbb{E}[(g \cdot u)^2] = \lVert g\rVert^2 / n$, so the error of the directional
    derivatives estimates the norm-form error $\lVert e\rVert / \lVert g\rVert$ of the full
    sweep. (`"auto"`, the default, sweeps every entry up to 5000 entries and uses random
    directions above.) A network with 6154 parameters, all three ways:
    """)
    nb.code("""
    def big_model(second=dl.Dense):
        r = np.random.default_rng(7)
        return dl.Sequential(dl.Dense(20, 64, rng=r), dl.ReLU(), second(64, 64, rng=r), dl.Tanh(),
                             dl.Dense(64, 10, rng=r))

    X_big = rng.standard_normal((8, 20))
    y_big = rng.integers(0, 10, 8)
    print(f"{'mode':<11} {'evaluations':>11}  verdict")
    for mode in ["full", "coords", "directions"]:
        c = gc.check_model(big_model(), "softmax_cross_entropy", X_big, y_big, mode=mode, k=10)
        print(f"{mode:<11} {c.evaluations:>11}  {c.verdict()}")
    """)
    nb.md(r"""
    Now two planted bugs in the square $64 \times 64$ layer. A transposed $dW$
    (`dy.T @ x` instead of `x.T @ dy`) has the right shape, so nothing complains; and an
    off-by-one slice leaves the first column of $dW$ at zero, 64 wrong entries out of 4096:
    """)
    nb.code("""
    class TransposedDWDense(dl.Dense):
        def backward(self, dy):
            self.W.grad += dy.T @ self._x           # should be self._x.T @ dy
            self.b.grad += dy.sum(axis=0)
            return dy @ self.W.value.T

    class SkipsColumnZeroDense(dl.Dense):
        def backward(self, dy):
            self.W.grad[:, 1:] += (self._x.T @ dy)[:, 1:]   # column 0 forgotten
            self.b.grad += dy.sum(axis=0)
            return dy @ self.W.value.T

    for bug in [TransposedDWDense, SkipsColumnZeroDense]:
        print(bug.__name__)
        for mode in ["full", "coords", "directions"]:
            c = gc.check_model(big_model(bug), "softmax_cross_entropy", X_big, y_big,
                               mode=mode, k=10)
            found = "missed: every error < 1e-07" if c.ok() else (
                f"worst {c.worst!r}, error {c.max_error:.1e}")
            print(f"  {mode:<11} {found}")
    """)
    nb.md(r"""
    All three flag the transposed gradient in `2.W`. The missing column is where the modes
    differ: the full sweep and the random directions see it in `2.W` (its error is about
    $\lVert e \rVert / \lVert g \rVert$, the share of the gradient's norm carried by column 0),
    while $k = 10$ random coordinates out of 4096 usually all miss column 0 (each draw hits it
    with probability $1/64$), and then the sampled entries agree perfectly. A bug confined to a
    few entries hides from random coordinates; it cannot hide from random directions.
    """)

    # ================================================================ part 3
    nb.md(r"""
    ## 3. Debug this network (graded)

    A colleague wrote a residual block, $y = x + \tanh(xW + b)$, with $x, y$ of shape $(N, D)$,
    $W$ of shape $(D, D)$ and $b$ of shape $(D,)$. It runs without error, and a network built
    with it even learns, slowly:
    """)
    nb.code("""
    class ResidualTanh(dl.Layer):
        \"\"\"y = x + tanh(x W + b). x, y: (N, D); W: (D, D); b: (D,).\"\"\"

        def __init__(self, features, rng=None):
            super().__init__()
            self.W = dl.Parameter(dl.initializers.xavier_uniform((features, features), rng),
                                  name="W")
            self.b = dl.Parameter(np.zeros(features), name="b")

        def forward(self, x):
            self._x = x
            self._t = np.tanh(x @ self.W.value + self.b.value)
            return x + self._t

        def backward(self, dy):
            x, t = self._x, self._t
            da = dy * (1 - t ** 2)          # back through tanh
            self.W.grad += da.T @ x
            self.b.grad += da.sum(axis=0)
            return da @ self.W.value.T


    def residual_net(block, seed=0):
        r = np.random.default_rng(seed)
        return dl.Sequential(dl.Dense(2, 8, rng=r), block(8, rng=r), block(8, rng=r),
                             dl.Dense(8, 1, rng=r))


    def overfit_residual(block):
        \"\"\"The overfit test (lr 0.3, at most 500 updates) of residual_net(block, seed), seeds 0-4.\"\"\"
        return [dl.overfit_one_batch(residual_net(block, seed), X_batch, y_batch, lr=0.3,
                                     max_iterations=500) for seed in range(5)]


    buggy = overfit_residual(ResidualTanh)
    print(f"memorizes the batch within 500 updates in {sum(r.reached for r in buggy)} of 5 seeds")
    print("diagnoses:", ", ".join(f"{name} {count}" for name, count
                                  in Counter(r.diagnosis for r in buggy).most_common()))
    """)
    nb.md(r"""
    One start in five memorizes the batch within 500 updates (the plain two-layer MLP of 1.1
    needed about 230); the others are still falling slowly, or wander up and down without
    settling. (A run that wanders like that can be chaotic, like the deep stacks of 1.3, so we
    count over seeds rather than print one run's loss.) The tool can only list the usual
    suspects: a symptom, not a diagnosis. The gradient check of the whole model says where to
    look. Read its report from the **loss down** (from the last layer to the first): a wrong
    `dx` corrupts every layer *below* the bug, so the bug sits at the first wrong array from
    the top.
    """)
    nb.code("""
    print(gc.check_model(residual_net(ResidualTanh), "bce", X_batch, y_batch).report(floor=1e-8))
    """)
    nb.md(r"""
    Layer 3 (the output `Dense`) is right. In layer 2, the second block, `2.b` is right, so the
    gradient arriving at the block is right, yet `2.W` is wrong, and everything below (`1.*`,
    `0.*`) is wrong too, so the `dx` that the block passes down is wrong. The check of one block
    alone confirms it:
    """)
    nb.code("""
    block = ResidualTanh(4, rng=np.random.default_rng(1))
    block_check = gc.check_layer(block, rng.standard_normal((5, 4)))
    print(block_check.report(floor=1e-8))
    """)
    nb.md(r"""
    `b` is right, `x` (the `dx` that backward returns) and `W` are wrong. Two tricks narrow it
    down: compare the numerical gradient with *transforms* of the analytical one, and look at the
    *difference* between the two.
    """)
    nb.code("""
    num_W, ana_W = block_check.numerical["W"], block_check.analytical["W"]
    print("W.grad against the numerical gradient transposed, relative error below 1e-9:",
          gc.relative_error(num_W, ana_W.T) < 1e-9)
    num_x, ana_x = block_check.numerical["x"], block_check.analytical["x"]
    print("the difference numerical - analytical for dx, first row:", num_x[0] - ana_x[0])
    """)
    nb.md(r"""
    The first line says the analytical $dW$ is exactly the transpose of the right one (the two
    differ by round-off only). The
    difference for $dx$ is a smooth, non-zero array: a whole *term* is missing. Which one?
    Write the chain rule for $y = x + \tanh(a)$, $a = xW + b$, with upstream gradient $dy$ and
    $t = \tanh(a)$:

    $$ da = dy \odot (1 - t^2), \qquad dW = x^\top da, \qquad db = \textstyle\sum_n da_n,
       \qquad dx = \underbrace{dy}_{\text{skip path}} + da\, W^\top. $$

    **Your task.** Complete `ResidualTanhFixed.backward` (same conventions as every dlkit layer:
    `dy` has shape $(N, D)$; **add** into `self.W.grad` and `self.b.grad`, never assign;
    return `dx` of shape $(N, D)$; use the values that `forward` cached in `self._x` and
    `self._t`). The test cell checks your gradients against the formulas, and runs the
    gradient check on your layer.
    """)
    nb.solution("residual_tanh", """
    class ResidualTanhFixed(ResidualTanh):
        def backward(self, dy):
            ### BEGIN SOLUTION
            x, t = self._x, self._t
            da = dy * (1 - t ** 2)
            self.W.grad += x.T @ da
            self.b.grad += da.sum(axis=0)
            return dy + da @ self.W.value.T
            ### END SOLUTION
    """)
    nb.graded_test("residual_tanh_test", 3, """
    from dlkit.checks.good_practices import check_residual_tanh

    check_residual_tanh(ResidualTanhFixed)
    ### BEGIN HIDDEN TESTS
    _c = dl.gradcheck.check_model(residual_net(ResidualTanhFixed), "bce", X_batch, y_batch)
    assert _c.ok(), _c.report()
    ### END HIDDEN TESTS
    print("ResidualTanhFixed: all checks passed")
    """)
    nb.code("""
    print(gc.check_layer(ResidualTanhFixed(4, rng=np.random.default_rng(1)),
                         rng.standard_normal((5, 4))).verdict())
    fixed = overfit_residual(ResidualTanhFixed)
    updates = [r.iterations for r in fixed if r.reached]
    print(f"memorizes the batch within 500 updates in {len(updates)} of 5 seeds, in "
          f"{min(updates)} to {max(updates)} updates (median {int(np.median(updates))})")
    """)
    nb.md(r"""
    Fixed, the same network memorizes the batch from every start, in about a hundred updates,
    where the buggy one managed it once in five within 500. Neither bug raised an
    error, and neither stopped the network from learning: only the gradient check named them.

    ## Summary

    * **Overfit one batch first.** A correct model, loop and learning rate drive the loss on a
      single mini-batch to about 0 and the accuracy to 100 %. `dl.overfit_one_batch` reports
      whether and how fast, and reads the curve: *went up*, *oscillates* (a sign error, a
      learning rate too large), *barely moved* (learning rate far too small, gradients not
      reaching the weights), *plateau* (too little capacity, or a bug such as a missing
      gradient), *diverged*.
    * **A failure means a bug, a bad learning rate / initialization, too little capacity, or
      depth without the cures.** The sheet's "too complex" is half right: wider models
      memorize the batch too, but deep *plain* stacks fail at a shallow network's learning
      rate (tanh at 16-32 layers, ReLU from 16, sigmoid from 4), and need a smaller learning
      rate, a better initialization, batch norm or residual connections, not fewer
      parameters. Near that edge training is chaotic: count over seeds, not one run. And
      passing is not proof: a forgotten `zero_grad` or a wrong sign in the last layer's $dW$
      can pass.
    * **Gradient checking** compares backprop with the central difference
      $\frac{f(x+h) - f(x-h)}{2h}$ (error $O(h^2)$; the forward difference is only $O(h)$).
      Use the relative error $\lVert g_n - g_a\rVert / \max(\lVert g_n\rVert, \lVert g_a\rVert)$;
      in **float64** about $10^{-7}$ or less is correct, above $10^{-3}$ is a bug.
    * **$h$**: truncation $O(h^2)$ against round-off $O(\varepsilon/h)$, best near
      $\varepsilon^{1/3} \approx 6\cdot10^{-6}$ in float64, where the forward difference is
      several hundred times worse; float32 cannot do better than $\sim 2\cdot10^{-5}$, which is
      why checks need float64. Round-off depends on the processor, unless the computation uses
      only operations IEEE 754 rounds the same everywhere, in a fixed order.
    * **Traps**: points within $h$ of a kink (ReLU or $|x|$ at 0) give spurious mismatches;
      random layers must have their masks held fixed during the check.
    * **Large models**: check $k$ random coordinates or, better, $k$ random directions per
      array; a bug confined to a few entries hides from random coordinates, not from
      directions.

    **Going further.** Chapter 02 derives the backward passes checked here; chapter 04's
    `Dropout` is checked with its masks held fixed, exactly as in 2.5.
    """)
    return nb
