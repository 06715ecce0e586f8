"""dlkit.translation: the sheet's translation template, the shipped translations, bad files."""

import re
import warnings
from pathlib import Path

import pytest

from dlkit import translation as tr

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = [lang for lang in tr.available_languages() if lang != tr.ENGLISH]


def shared_template() -> Path | None:
    """The shared template, beside the repository (shared/ next to the clone or above it)."""
    for parent in ROOT.parents:
        path = parent / "shared" / "cheatsheet" / "translation-template.md"
        if path.is_file():
            return path
    return None


# -- the shipped files ------------------------------------------------------------
#: The book's items after the sheet's 65: its notes on the loose items (dlkit.recap.NOTES).
BOOK_ITEMS = list(range(tr.SHEET_ITEMS + 1, tr.SHEET_ITEMS + 6))


def test_template_has_the_sheets_65_items_then_the_books():
    template = tr.load_template()
    assert tr.SHEET_ITEMS == 65
    assert list(template) == list(range(1, 66)) + BOOK_ITEMS
    assert template[10] == "Data processing"
    assert template[12] == ["Original", "Flip", "Rotation", "Random crop"]
    assert template[43][0] == "RMSprop"          # "**43.**[RMSprop, ..." has no space: still parsed
    en = tr.load_translation("en")
    assert en.sheet_items == list(range(1, 66)) and en.book_items == BOOK_ITEMS


def test_english_file_is_the_shared_template_then_the_books_items():
    """en.md = the shared template, byte for byte, then the book's items 66, 67, ..."""
    path = shared_template()
    if path is None:
        pytest.skip("shared/cheatsheet/translation-template.md is not beside this clone")
    shared_text = path.read_text(encoding="utf-8")
    shared = tr.parse_template(shared_text, source=path.name)
    assert list(shared) == list(range(1, tr.SHEET_ITEMS + 1))
    english = (tr.TRANSLATIONS_DIR / "en.md").read_text(encoding="utf-8")
    assert english.startswith(shared_text)
    template = tr.load_template()
    assert {n: template[n] for n in shared} == shared
    # what follows the shared text is the book's items and nothing else, in order
    rest = english[len(shared_text):].replace(f"**{BOOK_ITEMS[0]}.**", "**1.**", 1)
    for k, n in enumerate(BOOK_ITEMS[1:], start=2):
        rest = rest.replace(f"**{n}.**", f"**{k}.**", 1)
    assert list(tr.parse_template(rest).values()) == [template[n] for n in BOOK_ITEMS]


def test_the_books_items_are_notes_on_the_sheets_loose_sentences():
    """Each book item is a headline "Where the sheet is loose ― ...", translated everywhere."""
    template = tr.load_template()
    for n in BOOK_ITEMS:
        term, sep, text = template[n].partition("―")
        assert sep and term.strip() == "Where the sheet is loose" and len(text.split()) > 15, n


def test_at_least_two_translations_ship():
    assert {"fr", "es"} <= set(SHIPPED)
    assert tr.available_languages()[:3] == ["en", "fr", "es"]


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_translation_is_complete(lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # no MissingTranslationWarning
        t = tr.load_translation(lang)
    assert list(t) == list(range(1, 66)) + BOOK_ITEMS
    assert t.missing == []
    assert t.lang == lang and t.name == tr.LANGUAGES[lang]
    # really translated, not a copy of the English: all but a few items
    # (names such as "[LASSO, Ridge, Elastic Net]") differ from the English text
    same = [n for n in t if t[n] == t.english[n]]
    assert len(same) <= 3, same
    assert not set(same) & set(BOOK_ITEMS)
    # the notes' term is one term in each language, its own
    terms = {t[n].partition("―")[0].strip() for n in BOOK_ITEMS}
    assert len(terms) == 1 and terms != {"Where the sheet is loose"}, terms


def shipped_text(lang: str) -> str:
    return (tr.TRANSLATIONS_DIR / f"{lang}.md").read_text(encoding="utf-8")


def blank_arrow(text: str, n: int) -> str:
    """text with item n's arrow line emptied."""
    lines = text.splitlines()
    marker = next(i for i, line in enumerate(lines) if line.startswith(f"**{n}.**"))
    arrow = next(i for i in range(marker + 1, len(lines)) if "&#10230;" in lines[i])
    lines[arrow] = "&#10230;"
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_translation_without_the_books_items_reports_them_missing(lang):
    """A file translated from the sheet's own template (items 1-65 only) loads: the book's
    notes are reported missing, like empty arrow lines, and shown in English."""
    text = shipped_text(lang)
    sheet_only = text[:text.index(f"**{BOOK_ITEMS[0]}.**")]
    with pytest.warns(tr.MissingTranslationWarning,
                      match=rf"5 item\(s\) not translated, English used for item\(s\) "
                            rf"{', '.join(map(str, BOOK_ITEMS))}$"):
        t = tr.parse_translation(sheet_only, lang=lang)
    assert t.missing == BOOK_ITEMS and list(t) == list(range(1, 66)) + BOOK_ITEMS
    assert all(t[n] == t.english[n] for n in BOOK_ITEMS)
    assert t[10] == tr.load_translation(lang)[10]
    # one note left out or left empty: that one is reported, alone
    without_last = text[:text.index(f"**{BOOK_ITEMS[-1]}.**")]
    with pytest.warns(tr.MissingTranslationWarning, match=rf"item\(s\) {BOOK_ITEMS[-1]}$"):
        assert tr.parse_translation(without_last, lang=lang).missing == [BOOK_ITEMS[-1]]
    with pytest.warns(tr.MissingTranslationWarning, match=rf"item\(s\) {BOOK_ITEMS[1]}$"):
        t = tr.parse_translation(blank_arrow(text, BOOK_ITEMS[1]), lang=lang)
    assert t.missing == [BOOK_ITEMS[1]] and t[BOOK_ITEMS[1]] == t.english[BOOK_ITEMS[1]]


def test_the_sheets_items_stay_required():
    text = shipped_text("fr")
    cut = text[:text.index("**65.**")]
    with pytest.raises(ValueError, match=r"the file has items 1\.\.64 but the template has 70 "
                       r"\(1\.\.70\), of which 1\.\.65 are required"):
        tr.parse_translation(cut, source="fr.md")


@pytest.mark.parametrize("lang", SHIPPED)
def test_bracketed_lists_keep_their_number_of_terms(lang):
    english, t = tr.load_template(), tr.load_translation(lang)
    lists = [n for n, v in english.items() if isinstance(v, list)]
    assert len(lists) == 24
    for n in lists:
        assert isinstance(t[n], list) and len(t[n]) == len(english[n]), n
        assert all(term.strip() == term and term for term in t[n]), n


@pytest.mark.parametrize("lang", SHIPPED)
def test_headline_items_keep_the_term_separator(lang):
    """The recap bolds the term before "―": a translation keeps the separator."""
    english, t = tr.load_template(), tr.load_translation(lang)
    headlines = [n for n, v in english.items() if isinstance(v, str) and "―" in v]
    assert len(headlines) == 17 + len(BOOK_ITEMS)
    for n in headlines:
        assert t[n].count("―") == 1, (n, t[n])


@pytest.mark.parametrize("lang, item, term", [
    ("fr", 39, "taux d'apprentissage"),
    ("fr", 22, "descente de gradient par mini-lots"),
    ("fr", 47, "abandon (dropout)"),
    ("fr", 51, "arrêt prématuré"),
    ("fr", 26, "rétropropagation"),
    ("fr", 23, "fonction de perte"),
    ("fr", 34, "apprentissage par transfert"),
    ("es", 39, "tasa de aprendizaje"),
    ("es", 22, "descenso de gradiente por mini-lotes"),
    ("es", 51, "parada temprana"),
    ("es", 26, "retropropagación"),
    ("es", 23, "función de pérdida"),
    ("es", 34, "aprendizaje por transferencia"),
])
def test_practitioners_terms(lang, item, term):
    assert term in tr.load_translation(lang).text(item).lower()


def test_english_translation_is_the_template():
    en = tr.load_translation("en")
    assert dict(en) == tr.load_template() and en.missing == []
    assert en.text(4) == "Data processing, Data augmentation, Batch normalization"
    assert en.terms(36) == ["Small", "Medium", "Large"]
    with pytest.raises(ValueError, match="item 10 is not a bracketed list"):
        en.terms(10)


def test_unknown_language_names_the_code_and_the_choices():
    with pytest.raises(ValueError, match=r"lang='de'.*en, fr, es"):
        tr.load_translation("de")
    with pytest.raises(ValueError, match="lang must be a language code"):
        tr.load_translation("../en")


def test_translations_are_package_data():
    """pyproject's package-data patterns (globbed as setuptools does) include every file."""
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")   # (tomllib needs 3.11)
    section = config.split("[tool.setuptools.package-data]", 1)[1]
    patterns = re.findall(r'"([^"]+)"', re.search(r"^dlkit = \[(.*)\]$", section, re.M).group(1))
    packaged = {p for pattern in patterns for p in (ROOT / "dlkit").glob(pattern) if p.is_file()}
    shipped = set(tr.TRANSLATIONS_DIR.glob("*.md"))
    assert len(shipped) >= 3 and shipped <= packaged


# -- the format, on small files ---------------------------------------------------------
TEMPLATE = """**Tiny translation**

**1.** Data processing

 &#10230;

**2.** [Original, Flip, Rotation]

 &#10230;

**3.** Epoch ― one pass over the training set

 &#10230;
"""
ENGLISH = {1: "Data processing", 2: ["Original", "Flip", "Rotation"],
           3: "Epoch ― one pass over the training set"}


def fill(*translations: str) -> str:
    """TEMPLATE with the arrow lines filled in order."""
    parts = TEMPLATE.split(" &#10230;")
    out = parts[0]
    for text, part in zip(translations, parts[1:]):
        out += " &#10230;" + (" " + text if text else "") + part
    return out


def test_parse_template_of_a_small_file():
    assert tr.parse_template(TEMPLATE) == ENGLISH


def test_a_complete_translation():
    text = fill("Traitement des données", "[Original, Symétrie, Rotation]",
                "Époque ― un passage sur l'ensemble d'entraînement")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = tr.parse_translation(text, ENGLISH, lang="fr")
    assert t == {1: "Traitement des données", 2: ["Original", "Symétrie", "Rotation"],
                 3: "Époque ― un passage sur l'ensemble d'entraînement"}
    assert t.missing == [] and t.english == ENGLISH


def test_both_arrows_and_br_separators_are_accepted():
    text = fill("A", "[B, C, D]", "E").replace(" &#10230; E", "\u27f6 E")
    text = text.replace("**2.**", "<br>\n\n**2.**")
    assert tr.parse_translation(text, ENGLISH) == {1: "A", 2: ["B", "C", "D"], 3: "E"}


def test_missing_translations_fall_back_to_english_and_are_reported():
    text = fill("", "[Original, Symétrie, Rotation]", "")
    with pytest.warns(tr.MissingTranslationWarning, match=r"English used for item\(s\) 1, 3"):
        t = tr.parse_translation(text, ENGLISH, lang="fr", source="fr.md")
    assert t.missing == [1, 3]
    assert t[1] == "Data processing" and t[3] == ENGLISH[3]
    assert t[2] == ["Original", "Symétrie", "Rotation"]
    # an untranslated list stays a list
    with pytest.warns(tr.MissingTranslationWarning, match=r"item\(s\) 2$"):
        t = tr.parse_translation(fill("A", "", "C"), ENGLISH)
    assert t[2] == ["Original", "Flip", "Rotation"] and t.missing == [2]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_marker_out_of_order():
    text = TEMPLATE.replace("**3.**", "**4.**")
    with pytest.raises(ValueError, match=rf"line {line_of(text, '**4.**')}: item 4 is out of "
                       "order: expected item 3"):
        tr.parse_items(text)
    text = TEMPLATE.replace("**1.**", "**0.**")
    with pytest.raises(ValueError, match="line 3: item 0 is out of order: expected item 1"):
        tr.parse_items(text)


def test_marker_duplicated():
    text = TEMPLATE.replace("**3.**", "**2.**")
    with pytest.raises(ValueError, match=rf"line {line_of(text, 'Epoch')}: item 2 is "
                       r"duplicated \(first at line 7\)"):
        tr.parse_items(text)


def test_arrow_line_missing():
    lines = TEMPLATE.splitlines()
    del lines[8]                                 # item 2's arrow line
    text = "\n".join(lines)
    with pytest.raises(ValueError, match=rf"line {line_of(text, '**3.**')}: item 2 \(line 7\) "
                       "has no arrow line"):
        tr.parse_items(text)
    text = TEMPLATE.rstrip().rsplit("\n", 1)[0]  # the last arrow line
    with pytest.raises(ValueError, match=r"line 11: item 3 has no arrow line .*the file ends"):
        tr.parse_items(text)


def test_text_outside_items():
    text = TEMPLATE.replace(" &#10230;\n\n**2.**", " &#10230;\nstray words\n**2.**")
    with pytest.raises(ValueError, match=r"line 6: text outside the items \(after item 1\): "
                       "'stray words'"):
        tr.parse_items(text)
    with pytest.raises(ValueError, match=r"line 1: text outside the items \(before item 1\)"):
        tr.parse_items("A preamble\n" + TEMPLATE)
    with pytest.raises(ValueError, match="line 2: text outside the items"):
        tr.parse_items("**Title**\n**Second title**\n" + TEMPLATE)


def test_text_between_marker_and_arrow():
    text = TEMPLATE.replace("**2.** [Original, Flip, Rotation]\n",
                            "**2.** [Original, Flip,\nRotation]\n")
    with pytest.raises(ValueError, match="line 8: text between item 2 and its arrow line"):
        tr.parse_items(text)


def test_second_arrow_line():
    text = TEMPLATE.replace(" &#10230;\n\n**2.**", " &#10230;\n &#10230; again\n**2.**")
    with pytest.raises(ValueError, match=r"line 6: arrow line outside an item \(item 1 already "
                       r"has one\)"):
        tr.parse_items(text)


def test_empty_item_and_empty_term():
    with pytest.raises(ValueError, match="line 3: item 1 has no English text"):
        tr.parse_items(TEMPLATE.replace("**1.** Data processing", "**1.**"))
    text = fill("A", "[B, , D]", "E")
    with pytest.raises(ValueError, match=rf"line {line_of(text, '[B, , D]')}: item 2's "
                       "translation has an empty term"):
        tr.parse_items(text)


def test_no_items():
    with pytest.raises(ValueError, match="no items"):
        tr.parse_items("**Just a title**\n\n")
    with pytest.raises(TypeError, match="text must be a str"):
        tr.parse_items(b"**1.** x\n &#10230;\n")


def test_translated_list_must_keep_its_terms():
    text = fill("A", "[Original, Symétrie]", "C")
    with pytest.raises(ValueError, match=rf"line {line_of(text, 'Symétrie')}: item 2's "
                       "translation has 2 terms but the English list has 3"):
        tr.parse_translation(text, ENGLISH)
    text = fill("A", "Original et symétrie", "C")
    with pytest.raises(ValueError, match=r"item 2 is a bracketed list of 3 terms"):
        tr.parse_translation(text, ENGLISH)


def test_translation_must_match_the_template():
    text = fill("A", "[B, C, D]", "E").replace("Data processing", "Data handling")
    with pytest.raises(ValueError, match="line 3: item 1's English text 'Data handling' differs"):
        tr.parse_translation(text, ENGLISH)
    short = fill("A", "[B, C, D]", "E").split("**3.**")[0]
    with pytest.raises(ValueError, match=r"line 9: the file has items 1\.\.2 but the template "
                       r"has 3"):
        tr.parse_translation(short, ENGLISH)


def test_required_items():
    """With required=2, a file may stop after item 2: item 3 is missing, in English."""
    short = fill("A", "[B, C, D]", "E").split("**3.**")[0]
    with pytest.warns(tr.MissingTranslationWarning, match=r"item\(s\) 3$"):
        t = tr.parse_translation(short, ENGLISH, required=2)
    assert t == {1: "A", 2: ["B", "C", "D"], 3: ENGLISH[3]} and t.missing == [3]
    for bad in (0, 4, 2.0, True, "2"):
        with pytest.raises(ValueError, match=rf"required must be an item number from 1 to 3, "
                           rf"got {re.escape(repr(bad))}"):
            tr.parse_translation(short, ENGLISH, required=bad)
    longer = fill("A", "[B, C, D]", "E") + "\n**4.** More\n\n &#10230; Plus\n"
    with pytest.raises(ValueError, match=r"the file has items 1\.\.4 but the template has 3"):
        tr.parse_translation(longer, ENGLISH)


def test_split_terms():
    assert tr.split_terms("[a,  b ,c]") == ["a", "b", "c"]
    assert not tr.is_list("available in [target language].")
    with pytest.raises(ValueError, match="bracketed list"):
        tr.split_terms("a, b")
