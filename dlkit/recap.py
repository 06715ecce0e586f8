"""The whole cheatsheet on one page, in the reader's language, with live figures.

Every heading and every sentence comes from the sheet's translation files
(``dlkit.translation``: dlkit/data/translations/<lang>.md); the formulas are
plain HTML (no MathJax) and every figure is computed by dlkit and embedded as a
base64 PNG, so a page needs no network at all.

    html = render_recap_html("fr")                 # a standalone page (str)
    fragment = render_recap_html("fr", standalone=False)   # for a notebook

From the command line (``make recap`` runs it)::

    python -m dlkit.recap --out recap/             # recap-en.html, recap-fr.html, ...
    python -m dlkit.recap --out recap/ --lang fr   # one language

Where the sheet is loose, the page prints its sentence faithfully and puts
the book's note right under it (``NOTES``: items 66, 67, ... of the same
translation files), with a link to the chapter section that corrects it.

Figures are cached: their numbers are computed once per process, and a
figure is redrawn only when the words it shows change with the language.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import os
import re
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .figures import recap as figs
from .translation import LANGUAGES, SHEET_ITEMS, Translation, available_languages, load_translation

AUTHORS = ("Afshine Amidi", "Shervine Amidi")
#: The sheet's sections: (item of the heading, items of its cards, subheadings before a card).
SECTIONS = (
    ("data", 10, (11, 17), {}),
    ("training", 19, (21, 22, 23, 24, 26, 28), {21: 20, 26: 25}),
    ("tuning", 31, (33, 34, 39, 40), {33: 32, 39: 38}),
    ("regularization", 46, (47, 49, 51), {}),
    ("practices", 53, (54, 55), {}),
)
#: The contents lists (items 4 to 8): the section of the first term, the cards of the others.
TOC = {4: ("data", (11, 17)), 5: ("training", (21, 22, 24, 26, 22, 28, 55)),
       6: ("tuning", (33, 34, 39, 40)), 7: ("regularization", (47, 49, 51)),
       8: ("practices", (54, 55))}


@dataclass(frozen=True)
class Note:
    """The book's note (item ``number`` of the translation files) on the sheet's loose item.

    number : the note's item in the translation files (66, 67, ...)
    item : the sheet's item it corrects, the one it is shown under
    chapter : the notebook whose section corrects the item
    heading : that section's heading, as the notebook writes it; the link's target
    named : the section named in the link, if not ``heading`` itself (a subsection of
        it whose own heading a link cannot reach, e.g. one with quotes)
    """

    number: int
    item: int
    chapter: str
    heading: str
    named: str = ""

    @property
    def anchor(self) -> str:
        """JupyterLab's id of the heading: its text, every space replaced by "-"."""
        return self.heading.replace(" ", "-")

    def href(self, chapters: str = "") -> str:
        """The link to the section; ``chapters``: the notebooks' folder, relative to the page."""
        return f"{chapters}{self.chapter}#{self.anchor}"

    @property
    def label(self) -> str:
        """What the link says: the notebook and the section, "01_data_processing § 2. ..."."""
        return f"{self.chapter.removesuffix('.ipynb')} § {self.named or self.heading}"


#: The sheet's loose items (FORMULAS.md, "Where the sheet is loose") -> the book's notes.
NOTES = {note.item: note for note in (
    Note(66, 17, "01_data_processing.ipynb", "2. Batch normalization"),
    Note(67, 21, "02_training.ipynb", "1. Epoch and iteration"),
    Note(68, 26, "02_training.ipynb", "4. Backpropagation"),
    Note(69, 48, "04_regularization.ipynb", "2.1 The layer"),
    Note(70, 54, "05_good_practices.ipynb", "1. Overfitting a small batch",
         named='1.3 "Too complex"? No: what a failure means'),
)}

CSS = """
.dlkit-recap{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 color:#1b1b1b;line-height:1.35;font-size:14px;max-width:1280px;margin:0 auto}
.dlkit-recap header{border-bottom:3px solid #0072B2;margin-bottom:8px;padding-bottom:4px}
.dlkit-recap h1{font-size:1.6em;margin:0.2em 0;color:#0072B2}
.dlkit-recap h2{font-size:1.25em;margin:0.9em 0 0.3em;padding:3px 8px;color:#fff;
 background:#0072B2;border-radius:4px}
.dlkit-recap h3{font-size:1.05em;margin:0.6em 0 0.2em;color:#D55E00;grid-column:1/-1}
.dlkit-recap .sub,.dlkit-recap .authors{margin:0.1em 0;color:#444}
.dlkit-recap .banner{background:#F0E442;padding:2px 8px;border-radius:4px;display:inline-block}
.dlkit-recap nav{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:0.9em;margin:6px 0}
.dlkit-recap nav a{color:#0072B2;text-decoration:none}
.dlkit-recap nav b a{color:#D55E00}
.dlkit-recap .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:10px}
.dlkit-recap .card{border:1px solid #ccd;border-radius:6px;padding:6px 10px;background:#fbfbfd}
.dlkit-recap .card.wide{grid-column:1/-1}
.dlkit-recap .term{font-weight:bold;color:#0072B2}
.dlkit-recap p{margin:0.3em 0}
.dlkit-recap .formula{font-family:"DejaVu Serif",Georgia,serif;font-size:1.05em;text-align:center;
 background:#eef4fa;border-radius:4px;padding:4px;margin:4px 0}
.dlkit-recap .remark{font-size:0.9em;color:#555;font-style:italic}
.dlkit-recap .note{font-size:0.9em;border-left:3px solid #D55E00;background:#fdf0e6;
 padding:2px 6px;border-radius:0 4px 4px 0}
.dlkit-recap .note .term{color:#D55E00}
.dlkit-recap .note a{color:#0072B2;white-space:nowrap}
.dlkit-recap table{border-collapse:collapse;font-size:0.88em;margin:4px 0;width:100%}
.dlkit-recap th,.dlkit-recap td{border:1px solid #ccd;padding:2px 5px;vertical-align:top;
 text-align:left}
.dlkit-recap th{background:#e6eef6}
.dlkit-recap td ul,.dlkit-recap .card ul{margin:0;padding-left:1.1em}
.dlkit-recap figure{margin:4px 0;text-align:center}
.dlkit-recap figure img{max-width:100%;height:auto}
.dlkit-recap footer{margin-top:12px;border-top:1px solid #ccd;font-size:0.85em;color:#555}
"""


# -- words ----------------------------------------------------------------------------
def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _fill_names(text: str, names=AUTHORS) -> str:
    """The template's placeholders "By X and Y" -> the authors' names."""
    for placeholder, name in zip(("X", "Y"), names):
        text = re.sub(rf"\b{placeholder}\b", name, text)
    return text


def _headline(text: str) -> str:
    """ "Term ― definition" -> <span class="term">Term</span> ― definition."""
    term, sep, rest = text.partition("―")
    if not sep:
        return _esc(text)
    return f'<span class="term">{_esc(term.strip())}</span> ― {_esc(rest.strip())}'


def _p(text: str, cls: str | None = None) -> str:
    return f'<p class="{cls}">{_esc(text)}</p>' if cls else f"<p>{_esc(text)}</p>"


def _ul(items) -> str:
    return "<ul>" + "".join(f"<li>{_esc(t)}</li>" for t in items) + "</ul>"


def _table(header, rows) -> str:
    """rows: lists of cells, each already HTML."""
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _groups(terms, sizes) -> list[list[str]]:
    out, i = [], 0
    for n in sizes:
        out.append(list(terms[i:i + n]))
        i += n
    return out


# -- formulas (language-neutral HTML) ---------------------------------------------------
def _f(body: str) -> str:
    return f'<div class="formula">{body}</div>'


F_BATCHNORM = ("x̂<sub>i</sub> = (x<sub>i</sub> − μ<sub>B</sub>) / √(σ<sub>B</sub><sup>2</sup> + ε)"
               " &nbsp;&nbsp; x<sub>i</sub> ⟵ γ x̂<sub>i</sub> + β")
F_CROSS_ENTROPY = "L(z, y) = −[ y log(z) + (1 − y) log(1 − z) ]"
F_UPDATE = "w ⟵ w − α ∂L(z, y) / ∂w"
F_XAVIER = ("Var(W) = 2 / (n<sub>in</sub> + n<sub>out</sub>), &nbsp; W ~ U(−a, a), "
            "a = √(6 / (n<sub>in</sub> + n<sub>out</sub>))")
F_DROPOUT = "y = x ⊙ m / (1 − p), &nbsp; m<sub>i</sub> ~ Bernoulli(1 − p)"
F_MOMENTS = ("v<sub>dw</sub> ⟵ β<sub>1</sub> v<sub>dw</sub> + (1 − β<sub>1</sub>) dw, &nbsp; "
             "s<sub>dw</sub> ⟵ β<sub>2</sub> s<sub>dw</sub> + (1 − β<sub>2</sub>) dw<sup>2</sup>, "
             "&nbsp; v̂ = v / (1 − β<sub>1</sub><sup>t</sup>), ŝ = s / (1 − β<sub>2</sub><sup>t</sup>)")
F_OPTIMIZERS = {
    42: ("w ⟵ w − α v<sub>dw</sub>", "b ⟵ b − α v<sub>db</sub>"),
    43: ("w ⟵ w − α dw / (√s<sub>dw</sub> + ε)", "b ⟵ b − α db / (√s<sub>db</sub> + ε)"),
    44: ("w ⟵ w − α v̂<sub>dw</sub> / (√ŝ<sub>dw</sub> + ε)",
         "b ⟵ b − α v̂<sub>db</sub> / (√ŝ<sub>db</sub> + ε)"),
}
F_PENALTIES = ("λ ‖θ‖<sub>1</sub>", "λ ‖θ‖<sub>2</sub><sup>2</sup>",
               "λ [ (1 − α) ‖θ‖<sub>1</sub> + α ‖θ‖<sub>2</sub><sup>2</sup> ]")
F_NUMERICAL = "df/dx (x) ≈ (f(x + h) − f(x − h)) / 2h"
F_ANALYTICAL = "df/dx (x) = f′(x)"


# -- figures ----------------------------------------------------------------------------------
@lru_cache(maxsize=128)
def figure_png(name: str, labels: tuple[str, ...] = ()) -> bytes:
    """PNG bytes of recap figure ``name`` drawn with these words (cached per words).

    No metadata chunk (matplotlib writes its name and web address by default):
    the bytes depend on the picture only.
    """
    buf = io.BytesIO()
    figs.FIGURES[name].render(*labels).savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _figure(name: str, tr: Translation, alt: str) -> str:
    png = figure_png(name, tuple(figs.FIGURES[name].labels(tr)))
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
            "</figure>")


def _figure_for(item: int, tr: Translation) -> str:
    term = tr.text(item).partition("―")[0].strip()
    return "".join(_figure(f.name, tr, term) for f in figs.FIGURES.values() if f.item == item)


# -- the cards ----------------------------------------------------------------------------------
def _note(item: int, tr: Translation, chapters: str) -> str:
    """The book's note on the sheet's item, if it has one: its text and a link to its section."""
    note = NOTES.get(item)
    if note is None:
        return ""
    link = f'<a href="{html.escape(note.href(chapters))}">→ {_esc(note.label)}</a>'
    return f'<p class="note" id="note-{note.number}">{_headline(tr[note.number])} {link}</p>'


def _card_body(n: int, tr: Translation, chapters: str = "") -> tuple[str, bool]:
    """HTML of the card of item n (with the book's note after a loose sentence), and whether
    it spans the whole row."""
    t = tr
    sentence = f"<p>{_headline(t[n])}</p>"
    head = sentence + _note(n, tr, chapters)
    fig = _figure_for(n, tr)
    if n == 11:
        rows = []
        for names, descriptions, sizes in ((t[12], t[13], (1, 1, 2, 2)),
                                           (t[14], t[15], (2, 2, 2, 2))):
            rows += [[f"<b>{_esc(name)}</b>", _ul(desc)]
                     for name, desc in zip(names, _groups(descriptions, sizes))]
        half = len(rows) // 2
        table = _table((), [rows[i] + rows[i + half] for i in range(half)])
        return head + fig + table + _p(t[16], "remark"), True
    if n == 17:       # "... as follows:": the note after the formula the sentence announces
        return sentence + _f(F_BATCHNORM) + _note(n, tr, chapters) + _p(t[18]) + fig, False
    if n == 24:
        return head + _f(F_CROSS_ENTROPY) + fig, False
    if n == 26:
        return head + _p(t[27]) + _f(F_UPDATE), False
    if n == 28:
        flow = " ⟶ ".join(f"<b>{_esc(s)}</b>" for s in t[30])
        return head + _ul(t[29]) + f"<p>{flow}</p>", False
    if n == 33:
        return head + _f(F_XAVIER) + fig, False
    if n == 34:
        size, _, explanation = t[35]
        rows = [[_esc(s), _ul(e)] for s, e in zip(t[36], _groups(t[37], (2, 2, 1)))]
        return head + _table((size, explanation), rows), False
    if n == 40:
        method, explanation, update_w, update_b = t[41]
        rows = [[f"<b>{_esc(t[k][0])}</b>", _ul(t[k][1:]), F_OPTIMIZERS[k][0], F_OPTIMIZERS[k][1]]
                for k in (42, 43, 44)]
        table = _table((method, explanation, update_w, update_b), rows)
        return head + table + _f(F_MOMENTS) + _p(t[45], "remark") + fig, True
    if n == 47:
        return head + _f(F_DROPOUT) + _p(t[48], "remark") + _note(48, tr, chapters) + fig, False
    if n == 49:
        table = _table(t[50], [list(F_PENALTIES)])
        return head + table + fig, True
    if n == 55:
        kind, numerical, analytical = t[56]
        formula, comments = t[57]
        rows = [[f"<b>{_esc(formula)}</b>", F_NUMERICAL, F_ANALYTICAL],
                [f"<b>{_esc(comments)}</b>", _ul(t[58]), _ul(t[59])]]
        return head + _table((kind, numerical, analytical), rows) + fig, False
    return head + fig, False


def _cards(tr: Translation, chapters: str = "") -> str:
    out = []
    for key, heading, cards, subheadings in SECTIONS:
        out.append(f'<section id="sec-{key}"><h2>{_esc(tr.text(heading))}</h2><div class="grid">')
        for n in cards:
            if n in subheadings:
                out.append(f"<h3>{_esc(tr.text(subheadings[n]))}</h3>")
            body, wide = _card_body(n, tr, chapters)
            cls = "card wide" if wide else "card"
            out.append(f'<div class="{cls}" id="item-{n}">{body}</div>')
        out.append("</div></section>")
    return "".join(out)


def _toc(tr: Translation) -> str:
    groups = []
    for n, (section, cards) in TOC.items():
        first, *rest = tr[n]
        links = [f'<b><a href="#sec-{section}">{_esc(first)}</a></b>']
        links += [f'<a href="#item-{c}">{_esc(term)}</a>' for term, c in zip(rest, cards[:len(rest)])]
        groups.append("<span>" + " · ".join(links) + "</span>")
    return "<nav>" + "".join(groups) + "</nav>"


def _languages(tr: Translation) -> str:
    names = [f"<b>{_esc(LANGUAGES.get(c, c))}</b>" if c == tr.lang else _esc(LANGUAGES.get(c, c))
             for c in available_languages()]
    return " · ".join(names)


def render_recap_html(lang: str = "en", *, standalone: bool = True, chapters: str = "") -> str:
    """The one-page recap in language ``lang`` ("en", "fr", "es", ...) as HTML.

    standalone=True: a whole page (doctype, inline CSS, figures as data URIs,
    no network reference). standalone=False: a <div> with its <style>, for a
    notebook output or an ipywidgets.HTML.
    chapters: the folder of the chapter notebooks relative to the page, ending in "/"
    ("" for a page beside them, as in notebooks/06_recap.ipynb), for the notes' links.
    """
    if not isinstance(chapters, str) or (chapters and not chapters.endswith("/")):
        raise ValueError(f"chapters must be a relative folder ending in '/' (or ''), "
                         f"got {chapters!r}")
    tr = load_translation(lang)
    banner = "" if lang == "en" else f'<p class="banner">{_esc(tr.text(60))}</p>'
    header = (f"<header><h1>{_esc(tr.text(1))}</h1>"
              f'<p class="sub">{_esc(tr.text(2))} · {_esc(tr.text(3))}</p>'
              f'<p class="authors">{_esc(_fill_names(tr.text(65)))}</p>'
              f"{banner}</header>")
    footer = (f"<footer><p>{_esc(tr.text(61))} ― {_esc(', '.join(AUTHORS))} · "
              f"{_languages(tr)} · dlkit</p></footer>")
    body = (f'<div class="dlkit-recap" lang="{lang}"><style>{CSS}</style>'
            f"{header}{_toc(tr)}{_cards(tr, chapters)}{footer}</div>")
    if not standalone:
        return body
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(tr.text(1))} · {_esc(tr.text(2))}</title>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


# -- the notebook's page: a language menu over the HTML ----------------------------------------
class RecapWidget:
    """A Dropdown of the shipped languages over the page (an ipywidgets.HTML).

    ``recap_widget()`` as the last line of a cell shows it; choosing a
    language re-renders the page (figures come from the cache, so it answers
    in well under a second once each language has been drawn).
    """

    def __init__(self, lang: str = "en"):
        import ipywidgets as w

        options = [(LANGUAGES.get(code, code), code) for code in available_languages()]
        self.dropdown = w.Dropdown(options=options, value=lang, description="Language",
                                   style={"description_width": "initial"})
        self.html = w.HTML()
        self.renders = 0
        self.last_seconds = float("nan")
        self.dropdown.observe(self.update, names="value")
        self.widget = w.VBox([self.dropdown, self.html])
        self.widget.add_class("dlkit-recap-widget")
        self.update()

    def update(self, _change=None) -> None:
        start = time.perf_counter()
        self.html.value = render_recap_html(self.dropdown.value, standalone=False)
        self.renders += 1
        self.last_seconds = time.perf_counter() - start

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def recap_widget(lang: str = "en") -> RecapWidget:
    """The recap page with a language menu (English / Français / Español / ...)."""
    return RecapWidget(lang)


# -- summaries and the command line ------------------------------------------------------------
def translation_summary() -> str:
    """One line per shipped language: its items translated, the sheet's and the book's
    apart, the untranslated ones (English used); then the figures."""
    import warnings

    from .translation import MissingTranslationWarning

    lines = [f"{'lang':<5} {'name':<10} sheet items  book notes  untranslated (English used)"]
    for lang in available_languages():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingTranslationWarning)
            tr = load_translation(lang)
        counts = []
        for numbers in (tr.sheet_items, tr.book_items):
            done = len([n for n in numbers if n not in tr.missing])
            counts.append(f"{done}/{len(numbers)}")
        missing = ", ".join(map(str, tr.missing)) if tr.missing else "none"
        lines.append(f"{lang:<5} {tr.name:<10} {counts[0]:>11} {counts[1]:>11}  {missing}")
    book = load_translation("en").book_items
    lines.append(f"sheet items: 1-{SHEET_ITEMS}, the sheet's own translation template "
                 "(translated / all)")
    if book:
        lines.append(f"book notes:  {book[0]}-{book[-1]}, this book's notes where the sheet "
                     "is loose")
    lines.append(f"figures: {len(figs.FIGURES)} ({', '.join(figs.FIGURES)})")
    return "\n".join(lines)


#: The chapter notebooks, in a clone of the book (the notes link to their sections).
CHAPTERS_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def chapters_folder(out_dir) -> str:
    """The chapters' folder relative to out_dir, "../../notebooks/" (for the notes' links).

    Without the book's notebooks beside dlkit (an installed package), "notebooks/": the
    links then work from a page placed at the top of a clone.
    """
    if not CHAPTERS_DIR.is_dir():
        return "notebooks/"
    try:
        relative = os.path.relpath(CHAPTERS_DIR, Path(out_dir).resolve())
    except ValueError:           # another drive (Windows): no relative path
        return CHAPTERS_DIR.as_uri() + "/"
    return Path(relative).as_posix() + "/"


def export(out_dir, langs=None) -> list[Path]:
    """Write recap-<lang>.html for each language (default: all shipped) into out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chapters = chapters_folder(out)
    paths = []
    for lang in langs or available_languages():
        path = out / f"recap-{lang}.html"
        path.write_text(render_recap_html(lang, chapters=chapters), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dlkit.recap",
        description="Export the one-page recap of the cheatsheet as standalone HTML pages, "
                    "one per language (recap-<lang>.html).")
    parser.add_argument("--out", required=True, help="folder to write the pages into")
    parser.add_argument("--lang", nargs="+", choices=available_languages(),
                        help="languages to export (default: all shipped)")
    args = parser.parse_args(argv)
    for path in export(args.out, args.lang):
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
