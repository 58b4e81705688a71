"""The French catalogue covers every text of the review UI, and the committed .mo matches it."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.support import Translations

from kcheck.review_ui import i18n

PACKAGE = i18n.DIRECTORY.parent
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def source_texts() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_text_has_a_french_translation_in_the_compiled_catalogue():
    texts = source_texts()
    assert len(texts) > 150
    with (i18n.DIRECTORY / "fr" / "LC_MESSAGES" / "review.po").open("rb") as f:
        po = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(f) if m.id}
    assert sorted(texts - set(po)) == []  # run the pybabel commands in translations/babel.cfg
    compiled = Translations.load(str(i18n.DIRECTORY), ["fr"], i18n.DOMAIN)
    for text, translation in po.items():
        expected = translation if isinstance(translation, str) else translation[0]
        assert expected and compiled.gettext(text) == expected, text  # .mo is up to date
