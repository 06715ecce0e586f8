"""The index: the sheet's items mapped to chapters, and how the book works."""

from nbbuild import Notebook


def build() -> Notebook:
    nb = Notebook("00_index")
    nb.md(r"""
    # Deep Learning Tips and Tricks — an interactive textbook

    This book turns the Stanford **CS 230 "Deep Learning Tips and Tricks" cheatsheet** by
    Afshine Amidi and Shervine Amidi into chapters you run, play with and are graded on. Each
    chapter quotes the sheet, then goes deeper: derivations, figures computed live, sliders, and
    exercises checked automatically. Everything runs offline on a laptop CPU.

    Under the hood is **`dlkit`**, a small NumPy library in which every technique of the sheet is
    a short module with an explicit forward and backward pass: no autograd, nothing hidden. Its
    API is shaped like PyTorch's, so what you learn carries over.

    ## Chapters

    The chapters follow the sheet's sections, in its order. Open one from the file browser on
    the left, or follow the links.

    | chapter | the sheet's items | what you do there |
    |---|---|---|
    | [01 Data processing](01_data_processing.ipynb) | data augmentation (flip, rotation, random crop, colour shift, noise addition, information loss, contrast change), batch normalization | apply the 7 augmentations to a real photo; measure when a flip helps and when it corrupts the label; train with and without batch norm |
    | [02 Training a neural network](02_training.ipynb) | epoch, mini-batch gradient descent, loss function, cross-entropy loss, backpropagation, updating weights | derive a stable cross-entropy; backpropagate by hand, shape by shape; write the 3-step loop |
    | [03 Parameter tuning](03_parameter_tuning.ipynb) | Xavier initialization, transfer learning, learning rate, adaptive learning rates (Momentum, RMSprop, Adam; SGD, Adagrad, Adadelta) | watch activations vanish or explode; reproduce the transfer-learning table; race optimizers on loss surfaces |
    | [04 Regularization](04_regularization.ipynb) | dropout, weight regularization (LASSO, Ridge, Elastic Net), early stopping | see dropout fight overfitting; trace coefficient paths; stop at the right epoch |
    | [05 Good practices](05_good_practices.ipynb) | overfitting a small batch, gradient checking | debug broken networks with two quick tests; find a planted bug |

    Where the sheet is loose or imprecise (for example, it calls batch normalization's learned
    $\gamma, \beta$ "hyperparameters", omits Adam's bias correction, and says that failing to
    overfit a small batch means the model is "too complex"), the chapters teach the precise
    version and say so.

    ## How the widgets work

    Figures with controls above them are live: move a slider, release it, and the figure is
    recomputed — usually a network retrained from scratch — in a fraction of a second. Widgets
    need a running kernel: run the notebook from the top (**Run ▸ Run All Cells**) first. If a
    widget shows as text only, the kernel is not running.

    ## How the exercises work

    Each exercise is a function to complete between the lines `### BEGIN SOLUTION` and
    `### END SOLUTION`, followed by a locked **test cell** that calls a checker from
    `dlkit.checks`. Run the test cell: it prints *all checks passed*, or fails with feedback
    naming what is wrong (a shape, the first wrong entry, a hint at the usual mistake).

    In this instructor copy the solutions are present but collapsed (the `⋯` under an exercise):
    try first, then expand. Courses release a student copy with the solutions removed and grade
    submissions automatically with nbgrader (`make student`, `make grade`; see the README).

    ## Conventions

    * Every random function takes a NumPy generator, `rng = np.random.default_rng(230)`, so every
      number on these pages is reproducible.
    * Arrays are float64 unless said otherwise; shapes are written `(N, D)` for a batch of $N$
      examples with $D$ features, `(N, C, H, W)` for images.
    * `p` is always dropout's **drop** probability, `lr` the learning rate, `lam` a penalty's
      strength, as on the sheet.

    The cell below lists the chapters present next to this page with their titles; `dlkit`'s
    version is printed so that a bug report can quote it.
    """)
    nb.code("""
    import json
    from pathlib import Path

    import dlkit

    for path in sorted(Path(".").glob("[0-9][0-9]_*.ipynb")):
        if path.stem == "00_index":
            continue
        first = json.loads(path.read_text())["cells"][0]["source"]
        title = "".join(first).splitlines()[0].lstrip("# ")
        print(f"{path.name:<28} {title}")
    print("dlkit", dlkit.__version__)
    """)
    return nb
