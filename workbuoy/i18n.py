"""Two languages, English and Norwegian Bokmål, through Qt's own translation machinery.

Strings are marked with ``translate("Context", "source text")`` (``QCoreApplication.translate``,
so ``pyside6-lupdate`` finds them); placeholders are ``str.format`` fields inside the source
text, filled after translation, so a translator can move them. ``translations/workbuoy_nb.ts``
holds the Norwegian text and ``workbuoy_nb.qm`` its compiled form, loaded by a ``QTranslator``:

    pyside6-lupdate workbuoy/actors/ui/*.py workbuoy/actors/portal/*.py -no-obsolete -locations none \
        -ts workbuoy/translations/workbuoy_nb.ts
    pyside6-lrelease workbuoy/translations/workbuoy_nb.ts

A top-level helper, not part of the ui actor: the portal process installs the same
language for its window (an actor never imports another actor).

The ``language`` setting picks it: ``system`` follows the system locale (Norwegian — ``nb``,
``nn`` or ``no`` — gets Bokmål, anything else English), ``en``/``nb`` force it. Numbers are
formatted by the chosen language's locale (``num``): "21,000" in English, "21 000" in Bokmål.
A change of language takes effect for windows built after it: the app applies it at start.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator



def translate(context: str, source: object) -> str:
    """``QCoreApplication.translate`` (``source`` may come from ``QT_TRANSLATE_NOOP``, typed ``object``)."""
    return QCoreApplication.translate(context, str(source))


FOLDER = Path(__file__).with_name("translations")
LANGUAGES = {"en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
             "nb": QLocale(QLocale.Language.NorwegianBokmal, QLocale.Country.Norway)}
NORWEGIAN = ("nb", "nn", "no")

_locale = LANGUAGES["en"]
_translator: QTranslator | None = None


def chosen(language: str, system: QLocale | None = None) -> str:
    """``en`` or ``nb`` for the ``language`` setting (``system``: from the system locale)."""
    if language in LANGUAGES:
        return language
    name = (system or QLocale.system()).name()
    return "nb" if name.split("_")[0] in NORWEGIAN else "en"


def install(language: str) -> str:
    """Load the translation for ``language`` (a setting value) into the application; returns the
    language in use, ``en`` when the compiled translation is missing (the app stays usable)."""
    global _locale, _translator
    code = chosen(language)
    app = QCoreApplication.instance()
    if _translator is not None and app is not None:
        app.removeTranslator(_translator)
        _translator = None
    if code != "en" and app is not None:
        translator = QTranslator()
        if translator.load(str(FOLDER / f"workbuoy_{code}.qm")):
            app.installTranslator(translator)
            _translator = translator
        else:
            code = "en"
    _locale = LANGUAGES[code]
    QLocale.setDefault(_locale)
    return code


def num(n: int) -> str:
    """``n`` with the chosen language's digit grouping."""
    return _locale.toString(n)


def decimal(x: float, places: int) -> str:
    """``x`` with ``places`` decimals and the chosen language's separators ("1.5" / "1,5")."""
    return _locale.toString(float(x), "f", places)
