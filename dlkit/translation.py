"""The cheatsheet in other languages: its translation template, parsed.

The sheet's authors translate it with a plain-text template of numbered
items (``dlkit/data/translations/en.md``: the shared template, then the
book's own items, below);
a translator fills in the line under each item::

    **Deep Learning Tips and Tricks translation**       (a title line, optional)

    **12.** [Original, Flip, Rotation, Random crop]     the marker and the English text

     &#10230; [Original, Symétrie, Rotation, Recadrage aléatoire]    the translation

Rules, checked line by line (a ValueError names the line number):

* a marker ``**N.**`` starts item N and holds its English text on the same
  line; items are numbered 1, 2, 3, ... in order, each exactly once;
* every item has exactly one arrow line, ``&#10230;`` or ``⟶`` (leading
  spaces allowed), after its marker and before the next one; the rest of
  that line is the translation, empty while nobody has translated it;
* nothing else: blank lines (and ``<br>`` separators) may sit anywhere,
  other text only as the single ``**title**`` line before item 1;
* an item whose English text is a bracketed list of terms,
  ``[Data processing, Data augmentation, Batch normalization]``, becomes a
  list of strings (terms are separated by commas, so a term holds none), and
  its translation must be a bracketed list with the same number of terms.

A translation with empty arrow lines still loads: those items fall back to
the English text, a ``MissingTranslationWarning`` lists their numbers, and
``Translation.missing`` holds them.

    tr = load_translation("fr")
    tr[10]          # 'Traitement des données'
    tr[12]          # ['Original', 'Symétrie', 'Rotation', 'Recadrage aléatoire']
    tr.missing      # [] (every item translated)

The sheet's template has SHEET_ITEMS = 65 items. The book adds its own items
after them, 66, 67, ...: notes on the sentences where the sheet is loose (each
names the chapter section that corrects it; ``dlkit.recap.NOTES`` says which
item each one corrects). en.md is the shared template, byte for byte, followed
by those items; a translation translates them like the others. A translation
may stop after the sheet's items (a file translated from the sheet's own
template, say): the book's items it lacks are reported missing like empty
arrow lines, and shown in English.

The template has one quirk, kept as is: item 50's arrow line already holds a
second English list (the descriptions of LASSO, Ridge and Elastic Net). The
English text of an item is its marker line, so for English that list is
ignored, and a translation's item 50 is the translation of
[LASSO, Ridge, Elastic Net].
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

ARROWS = ("&#10230;", "\u27f6")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "data" / "translations"
#: Display names of the shipped languages, in the order a menu shows them.
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
ENGLISH = "en"
#: Items of the sheet's own translation template (1..65); the book's items follow them.
SHEET_ITEMS = 65

_MARKER = re.compile(r"^\*\*(\d+)\.\*\*(.*)$")
_ARROW = re.compile(r"^\s*(?:&#10230;|\u27f6)(.*)$")
_TITLE = re.compile(r"^\*\*[^*].*\*\*$")
_BLANK = re.compile(r"^\s*(?:<br\s*/?>)?\s*$", re.IGNORECASE)

Text = str | list[str]


class MissingTranslationWarning(UserWarning):
    """Some items of a translation are empty; their English text is used instead."""


@dataclass(frozen=True)
class Item:
    """One numbered item: its English text, its translation ("" if none), their line numbers."""

    number: int
    english: str
    translation: str
    line: int
    arrow_line: int


class Translation(dict):
    """Item number -> text in ``lang`` (a list of strings for a bracketed list).

    Attributes: ``lang`` (a code such as "fr"), ``missing`` (numbers of the
    items left untranslated, whose English text is used), ``english`` (item
    number -> English text), ``source`` (where it was read from).
    """

    def __init__(self, items: dict[int, Text], *, lang: str, english: dict[int, Text],
                 missing: list[int], source: str):
        super().__init__(items)
        self.lang = lang
        self.english = english
        self.missing = missing
        self.source = source

    @property
    def sheet_items(self) -> list[int]:
        """Numbers of the sheet's own items (1..SHEET_ITEMS, or fewer in a smaller template)."""
        return [n for n in self if n <= SHEET_ITEMS]

    @property
    def book_items(self) -> list[int]:
        """Numbers of the book's items after the sheet's (its notes on the loose items)."""
        return [n for n in self if n > SHEET_ITEMS]

    @property
    def name(self) -> str:
        """The language's own name ("Français"), or its code if unknown."""
        return LANGUAGES.get(self.lang, self.lang)

    def text(self, number: int) -> str:
        """Item ``number`` as one string (a list's terms joined by ", ")."""
        value = self[number]
        return ", ".join(value) if isinstance(value, list) else value

    def terms(self, number: int) -> list[str]:
        """Item ``number``, which must be a bracketed list, as its list of terms."""
        value = self[number]
        if not isinstance(value, list):
            raise ValueError(f"item {number} is not a bracketed list: {value!r}")
        return list(value)

    def __repr__(self) -> str:
        return (f"Translation(lang={self.lang!r}, items={len(self)}, "
                f"missing={self.missing}, source={self.source!r})")


# -- parsing ----------------------------------------------------------------------
def _error(source: str, line: int, message: str) -> ValueError:
    return ValueError(f"{source}, line {line}: {message}")


def _short(text: str, limit: int = 50) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def is_list(text: str) -> bool:
    """Whether ``text`` is a bracketed list of terms, "[a, b, c]"."""
    text = text.strip()
    return len(text) >= 2 and text[0] == "[" and text[-1] == "]"


def split_terms(text: str) -> list[str]:
    """"[a, b, c]" -> ["a", "b", "c"] (terms separated by commas, stripped)."""
    if not is_list(text):
        raise ValueError(f"text must be a bracketed list '[a, b, ...]', got {_short(text)}")
    return [term.strip() for term in text.strip()[1:-1].split(",")]


def parse_items(text: str, source: str = "<string>") -> list[Item]:
    """Check the template format line by line; return the items in order.

    ``source`` names the file in error messages. Raises ValueError naming the
    line for: a marker out of order or duplicated, an item without text or
    without its arrow line, a second arrow line, text outside the items, an
    empty term in a bracketed list, a file with no items.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (the file's content), got {type(text).__name__}")
    items: list[Item] = []
    seen: dict[int, int] = {}      # item number -> line of its marker
    pending: tuple[int, str, int] | None = None   # an item still waiting for its arrow line
    title_seen = False
    lines = text.splitlines()
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if _BLANK.match(line):
            continue
        marker = _MARKER.match(line.strip())
        arrow = _ARROW.match(line)
        if marker:
            number, english = int(marker.group(1)), marker.group(2).strip()
            if pending is not None:
                raise _error(source, lineno, f"item {pending[0]} (line {pending[2]}) has no arrow "
                             f"line ({ARROWS[0]} or {ARROWS[1]}) before item {number} starts")
            if number in seen:
                raise _error(source, lineno, f"item {number} is duplicated (first at line "
                             f"{seen[number]})")
            expected = items[-1].number + 1 if items else 1
            if number != expected:
                raise _error(source, lineno, f"item {number} is out of order: expected item "
                             f"{expected}")
            if not english:
                raise _error(source, lineno, f"item {number} has no English text after its marker")
            seen[number] = lineno
            pending = (number, english, lineno)
        elif arrow:
            if pending is None:
                after = f"item {items[-1].number} already has one" if items else "no item yet"
                raise _error(source, lineno, f"arrow line outside an item ({after})")
            number, english, start = pending
            items.append(Item(number, english, arrow.group(1).strip(), start, lineno))
            pending = None
        elif _TITLE.match(line.strip()) and not items and pending is None and not title_seen:
            title_seen = True
        elif pending is not None:
            raise _error(source, lineno, f"text between item {pending[0]} and its arrow line: "
                         f"{_short(line)} (an item's English text stays on its marker line)")
        else:
            where = f"after item {items[-1].number}" if items else "before item 1"
            raise _error(source, lineno, f"text outside the items ({where}): {_short(line)}")
    if pending is not None:
        raise _error(source, pending[2], f"item {pending[0]} has no arrow line "
                     f"({ARROWS[0]} or {ARROWS[1]}): the file ends first")
    if not items:
        raise ValueError(f"{source}: no items (markers **1.**, **2.**, ...) found")
    _check_lists(items, source)
    return items


def _check_lists(items: list[Item], source: str) -> None:
    """ValueError naming the line of the first bracketed list with an empty term."""
    for item in items:
        for text_, lineno, what in ((item.english, item.line, "English text"),
                                    (item.translation, item.arrow_line, "translation")):
            if is_list(text_) and any(not t for t in split_terms(text_)):
                raise _error(source, lineno, f"item {item.number}'s {what} has an empty term in "
                             f"its list: {_short(text_)}")


def _value(text: str) -> Text:
    return split_terms(text) if is_list(text) else text


def parse_template(text: str, source: str = "<string>") -> dict[int, Text]:
    """Item number -> English text (a list of strings for a bracketed list)."""
    return {item.number: _value(item.english) for item in parse_items(text, source)}


def _normalized(text: str) -> str:
    return " ".join(text.split())


def _copy(value: Text) -> Text:
    return list(value) if isinstance(value, list) else value


def _translated(item: Item, english: Text, source: str) -> Text:
    """The item's translation, a list of as many terms as the English one if that is a list."""
    if not isinstance(english, list):
        return item.translation
    if not is_list(item.translation):
        raise _error(source, item.arrow_line, f"item {item.number} is a bracketed list of "
                     f"{len(english)} terms; its translation {_short(item.translation)} "
                     "must be one too, '[term, term, ...]'")
    terms = split_terms(item.translation)
    if len(terms) != len(english):
        raise _error(source, item.arrow_line, f"item {item.number}'s translation has "
                     f"{len(terms)} terms but the English list has {len(english)} "
                     "(terms are separated by commas: a term cannot hold one)")
    return terms


def parse_translation(text: str, template: dict[int, Text] | None = None, *, lang: str = "",
                      source: str = "<string>", required: int | None = None) -> Translation:
    """Item number -> translated text, checked against the English template.

    template : item number -> English text (default: the shipped en.md)
    lang : the language code, for messages and Translation.lang
    required : the file must hold items 1..required (default: the sheet's SHEET_ITEMS,
        or all the template's if it has fewer); items after those, the book's own, may be
        absent from the end of the file

    The file must hold the template's items, one for one and in order, with the same
    English text; a bracketed list must be translated as a bracketed list of the same
    number of terms. An empty arrow line, or a book's item absent from the end of the
    file, falls back to the English text: the item's number goes to ``.missing`` and a
    MissingTranslationWarning lists them all. Anything else raises ValueError naming
    the line.
    """
    template = load_template() if template is None else template
    last = max(template)
    required = min(SHEET_ITEMS, last) if required is None else required
    if not isinstance(required, int) or isinstance(required, bool) or not 1 <= required <= last:
        raise ValueError(f"required must be an item number from 1 to {last}, got {required!r}")
    items = parse_items(text, source)
    numbers = [item.number for item in items]
    if numbers != sorted(template)[:len(numbers)] or len(numbers) < required:
        end = items[-1]
        raise _error(source, end.arrow_line, f"the file has items 1..{end.number} but the "
                     f"template has {len(template)} (1..{last}), of which 1..{required} are "
                     "required")
    out: dict[int, Text] = {}
    missing: list[int] = []
    for item in items:
        english = template[item.number]
        english_text = "[" + ", ".join(english) + "]" if isinstance(english, list) else english
        if _normalized(item.english) != _normalized(english_text):
            raise _error(source, item.line, f"item {item.number}'s English text "
                         f"{_short(item.english)} differs from the template's "
                         f"{_short(english_text)}: keep the marker lines as in the template")
        if item.translation:
            out[item.number] = _translated(item, english, source)
        else:
            missing.append(item.number)
    missing += [n for n in template if n > numbers[-1]]     # the book's items not in the file
    out.update({n: _copy(template[n]) for n in missing})
    if missing:
        warnings.warn(f"{source}: {len(missing)} item(s) not translated, English used for "
                      f"item(s) {', '.join(map(str, missing))}", MissingTranslationWarning,
                      stacklevel=2)
    return Translation(dict(sorted(out.items())), lang=lang, english=dict(template),
                       missing=missing, source=source)


# -- the shipped files ------------------------------------------------------------
def available_languages() -> list[str]:
    """Codes of the languages shipped in dlkit/data/translations ("en" first, then LANGUAGES order)."""
    found = {p.stem for p in TRANSLATIONS_DIR.glob("*.md")}
    known = [code for code in LANGUAGES if code in found]
    return known + sorted(found - set(known))


def translation_path(lang: str) -> Path:
    """The shipped file of language ``lang`` (ValueError naming the known codes if none)."""
    if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?", lang):
        raise ValueError(f"lang must be a language code such as 'fr', got {lang!r}")
    path = TRANSLATIONS_DIR / f"{lang}.md"
    if not path.is_file():
        raise ValueError(f"lang={lang!r} has no translation file; available: "
                         f"{', '.join(available_languages())}")
    return path


def load_template() -> dict[int, Text]:
    """The English items of the shipped template (en.md): item number -> text."""
    path = translation_path(ENGLISH)
    return parse_template(path.read_text(encoding="utf-8"), source=path.name)


def load_translation(lang: str) -> Translation:
    """Item number -> text in ``lang`` ("en", "fr", "es", ...), English where untranslated."""
    template = load_template()
    if lang == ENGLISH:
        return Translation({n: _copy(v) for n, v in template.items()},
                           lang=ENGLISH, english=template, missing=[], source="en.md")
    path = translation_path(lang)
    return parse_translation(path.read_text(encoding="utf-8"), template, lang=lang,
                             source=path.name)
