"""Chapter 06, the recap: the whole sheet on one page, in the reader's language."""

from nbbuild import Notebook


def build() -> Notebook:
    nb = Notebook("06_recap")
    nb.md(r"""
    # Chapter 06 — The whole sheet on one page, in your language

    > Would you like to see this cheatsheet in your native language? You can help us
    > translating it on GitHub!
    >
    > — *CS 230 Deep Learning Tips and Tricks*, A. Amidi and S. Amidi

    The sheet's authors publish it in many languages, translated by volunteers from one
    plain-text template of 65 numbered items. This page puts the whole sheet back together,
    section by section, in **English, French or Spanish**: every heading and every sentence is
    read from those translation files, and every headline item comes with a small figure that
    `dlkit` computes while you read — the augmentations of a real photo, loss curves, optimizer
    paths, regularization paths, the early-stopping curve, the error of a numerical gradient
    against its step $h$.

    **On this page you will**

    1. review every technique of the sheet at a glance, each with a figure from the chapters;
    2. switch the page between English, Français and Español;
    3. see how a translation file is written, and how `dlkit` checks it line by line;
    4. export the page as a standalone HTML file per language (to print, or to share offline);
    5. learn how to add your own language.

    The sentences are the sheet's, translated faithfully, imprecisions included; the formulas
    are the precise versions the chapters teach (Adam's bias correction, the $\epsilon$ of
    RMSprop, $\gamma, \beta$ learned by batch normalization). Where a sentence is loose, the
    book's note sits right under it, in the same language, with a link to the chapter section
    that corrects it: $\gamma, \beta$ called hyperparameters (item 17), an epoch called one
    iteration (21), backpropagation said to update the weights (26), the frameworks' "keep"
    parameter (48), and a model "too complex" to overfit a small batch (54).
    """)
    nb.code("""
    import numpy as np
    import dlkit as dl
    from dlkit import recap, translation

    rng = np.random.default_rng(230)
    """)

    # ---------------------------------------------------------------- the files
    nb.md(r"""
    ## 1. The sheet's translation files

    A translation is a copy of the template `dlkit/data/translations/en.md` in which the
    translator fills in the line under each item, the one that starts with the arrow
    `&#10230;` (the HTML code of ⟶):

    ```text
    **12.** [Original, Flip, Rotation, Random crop]

     &#10230; [Original, Symétrie, Rotation, Recadrage aléatoire]
    ```

    The English text stays on the marker line `**12.**`, so that the file says what each line
    translates. An item written as a bracketed list is a list of terms — the labels of a
    table or a figure — and `dlkit.translation` reads it as a Python list.

    After the sheet's 65 items, the book adds its own: items 66 to 70, its notes on the five
    loose sentences, written in the same format so that they are translated with the rest
    (`en.md` is the sheet's template, byte for byte, followed by them). Each shipped file
    holds both, and the summary counts them apart:
    """)
    nb.code("""
    print(recap.translation_summary())
    """)
    nb.md(r"""
    `recap.NOTES` says which item each note corrects, and which section of which chapter
    does; the page shows the note right under that item, with the link:
    """)
    nb.code("""
    for item, note in recap.NOTES.items():
        print(f"item {item} -> note {note.number}: {note.href()}")
    print()
    print(translation.load_translation("es").text(67))
    """)
    nb.code("""
    fr = translation.load_translation("fr")
    es = translation.load_translation("es")
    print(fr[10], "|", es[10])
    print(fr[12])
    print(es.text(39).split("―")[0].strip(), "|", fr.text(51).split("―")[0].strip())
    """)
    nb.md(r"""
    Those list items are where the page gets the words *inside* its figures: the panels of the
    augmentation grid are titled with items 12 and 14, and the early-stopping figure is
    labelled with item 52, `[Error, Validation, Training, early stopping, Epochs]` — the
    labels of the sheet's own picture. So the numbers behind a figure are computed once and
    only the words are redrawn when the language changes.

    The parser is strict, because a file with a shifted line would put every sentence under
    the wrong heading. An empty arrow line is allowed — the item falls back to English and is
    listed — but a marker out of order or repeated, a missing arrow line, stray text, or a
    list whose number of terms changed is rejected with the line number:
    """)
    nb.code(r'''
    import warnings

    template = {1: "Data processing", 2: ["Original", "Flip", "Rotation"]}
    draft = """**1.** Data processing

     &#10230;

    **2.** [Original, Flip, Rotation]

     &#10230; [Original, Symétrie, Rotation]
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = translation.parse_translation(draft, template, lang="fr", source="draft.md")
    print(dict(t), "missing:", t.missing)
    print(caught[0].message)

    for broken in (draft.replace("**2.**", "**3.**"),
                   draft.replace("[Original, Symétrie, Rotation]", "[Original, Symétrie]")):
        try:
            translation.parse_translation(broken, template, source="draft.md")
        except ValueError as err:
            print("ValueError:", err)
    ''')

    # ---------------------------------------------------------------- the page
    nb.md(r"""
    ## 2. The page, in your language

    Choose a language in the menu. The first drawing of the page computes every figure — a few
    small trainings, a regularization path, a sweep of $h$ — in a few seconds; after that a
    language change only redraws the figures whose words change.
    """)
    nb.widget("""
    page = recap.recap_widget("en")
    page
    """)
    nb.md(r"""
    ## 3. The same page without a kernel

    Widgets need a running kernel. The cell below shows the English page as a plain output, so
    that it stays readable in any notebook viewer (and so that the tests compare it with a
    fresh run). Its figures are PNG images inside the HTML, so that comparison covers every
    pixel of every figure:
    """)
    nb.code("""
    from IPython.display import HTML

    HTML(recap.render_recap_html("en", standalone=False))
    """)
    nb.md(r"""
    So every figure's numbers must come out the same on any processor. Another processor, or
    another BLAS library, changes the last bits of a result: it sums in another order, and
    vectorizes $\exp$, $\log$, $\tanh$ its own way. Most figures do not care — a last bit
    moves no pixel. The gradient-check figure does, because its subject is round-off: at a
    small step $h$ the error of the central difference *is* the loss's last bits, divided by
    $2h$. Here is its loss with the same 18 terms summed in three orders, which is all another
    machine would change:
    """)
    nb.code("""
    from dlkit.figures import recap as figs
    from dlkit.gradcheck import numerical_gradient, relative_error

    x, W0, R, exact = figs.gradcheck_problem()

    def loss_summed_in(order):
        def loss(W):
            u = figs.ordered_matmul(x, W)
            terms = (R * (u / np.sqrt(1 + u * u))).ravel()[order]
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            return total
        return loss

    orders = {"forward": np.arange(18), "backward": np.arange(18)[::-1],
              "shuffled": np.random.default_rng(0).permutation(18)}
    print(f"{'h':>6}  " + "  ".join(f"{name:>8}" for name in orders))
    for h in (1e-12, 1e-10, 1e-8, 1e-6, 1e-3):
        errors = [relative_error(numerical_gradient(loss_summed_in(o), W0.copy(), h=h), exact)
                  for o in orders.values()]
        print(f"{h:>6.0e}  " + "  ".join(f"{e:>8.1e}" for e in errors))
    """)
    nb.md(r"""
    At $h = 10^{-3}$ the error is truncation, the same in every order; below, it is round-off,
    and the order of a sum moves it by 10 % up to a factor of 2 — on the figure's log scale,
    up to a few pixels. So the figure's layer is computed with operations that IEEE 754 rounds
    identically on every processor: element-wise additions, products, divisions and square
    roots, every sum in a fixed order (`figs.ordered_matmul`, then the terms left to right),
    no BLAS, and $u / \sqrt{1 + u^2}$ as its squashing function in place of $\tanh$. Its
    inputs are drawn as integers (hundredths) and its steps $h$ are written as decimals.
    Then its round-off, and its picture, are the same everywhere.
    """)

    # ---------------------------------------------------------------- export
    nb.md(r"""
    ## 4. Export: one standalone HTML page per language

    ```bash
    python -m dlkit.recap --out build/recap           # recap-en.html, recap-fr.html, recap-es.html
    python -m dlkit.recap --out build/recap --lang fr # one language
    make recap                                        # the first line, after the set-up
    ```

    A page is a single file: its CSS is inline, its figures are PNG images inside the page
    (`data:` URIs) and its formulas are plain HTML, so it opens offline, prints on paper, and
    can be mailed as it is. The same export from Python:
    """)
    nb.code("""
    import re
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        for path in recap.export(tmp):
            page = path.read_text(encoding="utf-8")
            images = page.count('<img src="data:image/png;base64,')
            offline = re.search(r"https?://", page) is None
            print(f"{path.name}: {images} figures inside, no network reference: {offline}")
    """)

    # ---------------------------------------------------------------- your language
    nb.md(r"""
    ## 5. Add your language

    1. Copy `dlkit/data/translations/en.md` to `dlkit/data/translations/<code>.md`, with the
       language's two-letter code (`de.md`, `it.md`, `pt.md`, ...).
    2. Fill in the arrow lines, and only them: the marker lines keep the English text.
       That includes the book's notes, items 66 to 70; a file that stops after item 65
       (translated from the sheet's own template) still works, its notes shown in English
       and listed as untranslated.
       Keep each headline's separator `―` between the term and its definition (the page
       shows the term in bold), and keep every bracketed list bracketed, with the same number
       of terms — terms are separated by commas, so a term cannot hold one. Write plain text
       (no HTML), and leave the placeholders `X`, `Y` of item 65 (the page fills in the
       authors' names).
    3. Add the language's own name to `dlkit.translation.LANGUAGES` (`"de": "Deutsch"`) so
       that the menu shows it.
    4. Check: `python -m pytest tests/test_translation.py tests/test_recap.py` loads every
       file, and `make recap` writes its page. While you work, empty arrow lines fall back to
       English and are listed by `recap.translation_summary()`.

    ## Summary

    * The sheet's translation template is a list of 65 numbered items; the book adds its notes
      on the sheet's loose sentences as items 66 to 70; a translation fills in the line under
      each. `dlkit.translation` reads it strictly: item numbers in order, one arrow line
      each, lists of the same length, English for what is not translated yet.
    * `dlkit.recap.render_recap_html(lang)` builds the whole sheet as one page from those
      files, with a live figure per headline item; `recap.recap_widget()` adds the language
      menu, and `python -m dlkit.recap --out DIR` writes a standalone page per language.
    * Each figure on the page is a small version of a chapter's: go back to the chapter for
      the derivations, the sliders and the exercises.
    """)
    return nb
