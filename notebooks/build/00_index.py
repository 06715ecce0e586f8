"""The index: the sheet's items mapped to chapters, and how the book works."""

from nbbuild import Notebook

# The sheet's items, each with the sections that teach it: (chapter notebook, heading text or
# None for "the chapter", label). A heading becomes a link to JupyterLab's anchor for it, the
# heading's text with spaces replaced by "-"; headings whose anchor a link cannot reach (non-ASCII
# characters, quotes, maths) are named without a link. tests/test_index_links.py checks that
# every anchor exists.
SHEET = [
    ("Data processing", [
        ("Data augmentation", [
            ("01_data_processing", "1. Data augmentation", "01 § 1"),
            ("01_data_processing", "1.1 Flip", "§ 1.1 flip"),
            ("01_data_processing", "1.2 Rotation", "§ 1.2 rotation"),
            ("01_data_processing", "1.3 Random crop", "§ 1.3 random crop"),
            ("01_data_processing", "1.4 Colour shift", "§ 1.4 colour shift"),
            ("01_data_processing", "1.5 Noise addition", "§ 1.5 noise addition"),
            ("01_data_processing", "1.6 Information loss", "§ 1.6 information loss"),
            ("01_data_processing", "1.7 Contrast change", "§ 1.7 contrast change"),
            ("01_data_processing", "1.9 Measured: a flip helps, or corrupts the labels",
             "§ 1.9 the axis that preserves the meaning"),
        ]),
        ("Remark: augmented on the fly", [
            ("01_data_processing", "1.8 On the fly: a pipeline", "01 § 1.8"),
            ("01_data_processing", "1.10 Measured: augmentation against overfitting", "§ 1.10"),
        ]),
        ("Batch normalization", [
            ("01_data_processing", "2. Batch normalization", "01 § 2"),
            ("01_data_processing", "2.1 Training mode and evaluation mode",
             "§ 2.1 training and evaluation mode"),
            ("01_data_processing", "2.2 Backward", "§ 2.2 backward"),
            ("01_data_processing", None,
             "§ 2.3 the claims \"higher learning rates\", \"less dependence on initialization\""),
        ]),
    ]),
    ("Training a neural network", [
        ("Epoch", [("02_training", "1. Epoch and iteration", "02 § 1")]),
        ("Mini-batch gradient descent", [
            ("02_training", "2. Mini-batch gradient descent", "02 § 2")]),
        ("Loss function, cross-entropy loss", [
            ("02_training", "3. Loss functions and the cross-entropy", "02 § 3")]),
        ("Backpropagation", [("02_training", "4. Backpropagation", "02 § 4")]),
        ("Updating weights (the 3 steps)", [
            ("02_training", "5. Updating the weights: the sheet's three steps", "02 § 5"),
            ("02_training", "6. Play: learning rate, batch size, epochs, width",
             "§ 6 play with the loop"),
        ]),
    ]),
    ("Parameter tuning", [
        ("Xavier initialization", [
            ("03_parameter_tuning", "1. Weight initialization", "03 § 1"),
            ("03_parameter_tuning", "1.1 Why not start from zero? Symmetry", "§ 1.1 symmetry"),
            ("03_parameter_tuning", "1.2 How large? Variance through the layers",
             "§ 1.2 variance through the layers"),
        ]),
        ("Transfer learning (small, medium, large training set)", [
            ("03_parameter_tuning", "2. Transfer learning", "03 § 2")]),
        ("Learning rate", [
            ("03_parameter_tuning", "3. The learning rate", "03 § 3"),
            ("03_parameter_tuning", "Learning-rate schedules", "schedules"),
        ]),
        ("Adaptive learning rates (Momentum, RMSprop, Adam; Adadelta, Adagrad, SGD)", [
            ("03_parameter_tuning",
             "4. Adaptive learning rates: Momentum, RMSprop, Adam and the others", "03 § 4"),
            ("03_parameter_tuning", "Trajectories on 2-D surfaces", "trajectories on surfaces"),
            ("03_parameter_tuning", "On a real task", "on a real task"),
        ]),
    ]),
    ("Regularization", [
        ("Dropout (and the 'keep' parameter 1 - p)", [
            ("04_regularization", None, "04 § 2 dropout, § 2.1 the layer")]),
        ("Weight regularization (LASSO, Ridge, Elastic Net)", [
            ("04_regularization", None, "04 § 3, § 3.2 coefficient paths")]),
        ("Early stopping", [("04_regularization", None, "04 § 4")]),
    ]),
    ("Good practices", [
        ("Overfitting small batch", [
            ("05_good_practices", "1. Overfitting a small batch", "05 § 1"),
            ("05_good_practices", "1.2 Five broken networks", "§ 1.2 five broken networks"),
            ("05_good_practices", None, "§ 1.3 what a failure means (not \"too complex\")"),
            ("05_good_practices", "1.4 What the test cannot see", "§ 1.4 what it cannot see"),
        ]),
        ("Gradient checking", [
            ("05_good_practices", "2. Gradient checking", "05 § 2"),
            ("05_good_practices", "2.1 The central difference, and why not the forward one",
             "§ 2.1 the formula"),
            ("05_good_practices", "2.2 The relative error, and the thresholds",
             "§ 2.2 comparing the two"),
            ("05_good_practices", None, "§ 2.3 the trade-off in choosing h"),
            ("05_good_practices", "2.6 Large models: random coordinates, random directions",
             "§ 2.6 \"expensive\": large models"),
        ]),
    ]),
]


def anchor(heading: str) -> str:
    """JupyterLab's id for a heading: its text with every space replaced by "-"."""
    return heading.replace(" ", "-")


def sheet_table() -> str:
    rows = ["| the sheet's section | item | where it is taught |", "|---|---|---|"]
    for section, items in SHEET:
        for k, (item, places) in enumerate(items):
            links = []
            for notebook, heading, label in places:
                target = f"{notebook}.ipynb" + (f"#{anchor(heading)}" if heading else "")
                links.append(f"[{label}]({target})")
            rows.append(f"| {section if k == 0 else ''} | {item} | {', '.join(links)} |")
    return "\n".join(rows)


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

    Chapters 01 to 05 follow the sheet's sections, in its order; chapter 06 puts the whole
    sheet back together on one page. Open one from the file browser on the left, or follow the
    links.

    | chapter | the sheet's items | what you do there |
    |---|---|---|
    | [01 Data processing](01_data_processing.ipynb) | data augmentation (flip, rotation, random crop, colour shift, noise addition, information loss, contrast change), batch normalization | apply the 7 augmentations to a real photo; measure when a flip helps and when it corrupts the label; train with and without batch norm |
    | [02 Training a neural network](02_training.ipynb) | epoch, mini-batch gradient descent, loss function, cross-entropy loss, backpropagation, updating weights | derive a stable cross-entropy; backpropagate by hand, shape by shape; write the 3-step loop |
    | [03 Parameter tuning](03_parameter_tuning.ipynb) | Xavier initialization, transfer learning, learning rate, adaptive learning rates (Momentum, RMSprop, Adam; SGD, Adagrad, Adadelta) | watch activations vanish or explode; test the sheet's transfer-learning table; race optimizers on loss surfaces |
    | [04 Regularization](04_regularization.ipynb) | dropout, weight regularization (LASSO, Ridge, Elastic Net), early stopping | see dropout fight overfitting; trace coefficient paths; stop at the right epoch |
    | [05 Good practices](05_good_practices.ipynb) | overfitting a small batch, gradient checking | debug broken networks with two quick tests; find a planted bug |
    | [06 Recap](06_recap.ipynb) | the whole sheet, every item above, in English, French or Spanish | review every technique on one page, each with a figure computed live; switch the language; export a standalone HTML page per language; add your own translation |

    ## The sheet, item by item

    Each item of the sheet, with the sections that teach it (click to jump there). Every item
    is also on the one-page recap, [06 § 2](06_recap.ipynb#2.-The-page,-in-your-language).

    {table}

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
    """.replace("{table}", sheet_table().replace("\n", "\n    ")))
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
