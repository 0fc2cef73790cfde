"""Settings for people (issue 11 item 7): sections, number boxes limited by the schema's Meta,
refusals in words, the environment's values shown as such."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the ui extra is not installed")

import msgspec  # noqa: E402
from msgspec import inspect as mi  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox, QFormLayout, QSpinBox  # noqa: E402

from tests.test_ui_widgets import FakeBus, refuse, run  # noqa: E402
from workbuoy.actors.ui.settings_form import SECTIONS, in_words  # noqa: E402
from workbuoy.actors.ui.settings_window import SettingsWindow  # noqa: E402
from workbuoy.bus.errors import BusError  # noqa: E402
from workbuoy.schemas.settings import Settings, SettingsPatch  # noqa: E402

pytestmark = pytest.mark.timeout(120)


def section_fields(window: SettingsWindow, title: str) -> list[str]:
    page = window.sections.widget([window.sections.tabText(i) for i in range(window.sections.count())].index(title))
    form = page.layout()
    assert isinstance(form, QFormLayout)
    return [path[0] for path, editor in window.editors.items() if page.isAncestorOf(editor)]


def test_four_sections_and_every_field_in_one(qapp):
    window = SettingsWindow(FakeBus())
    assert [window.sections.tabText(i) for i in range(window.sections.count())] == list(SECTIONS)
    placed = {title: set(section_fields(window, title)) for title in SECTIONS}
    assert {"startAtLogin", "appearance", "miniBuoyShortcut", "portalOrigin"} <= placed["General"]
    assert {"notificationsEnabled", "notify"} <= placed["Notifications"]
    assert {"syncIntervalSec", "updateIntervalMin"} <= placed["Sync"]
    assert {"syncPageSize", "preferBearerToken", "externalLinks"} <= placed["Advanced"]  # developer options apart
    every = [name for names in placed.values() for name in names]
    assert sorted(every) == sorted({p[0] for p in window.editors})  # each top-level field once, none left out


def test_number_boxes_take_their_limits_from_the_schema(qapp):
    window = SettingsWindow(FakeBus())
    for f in mi.type_info(Settings).fields:
        if isinstance(f.type, mi.IntType):
            box = window.editors[(f.encode_name,)]
            assert isinstance(box, QSpinBox)
            assert (box.minimum(), box.maximum()) == (f.type.ge, f.type.le), f.encode_name
    box = window.editors[("syncIntervalSec",)]
    box.setValue(5)
    assert box.value() == 30  # the box cannot hold what the broker would refuse
    box.setValue(10**9)
    assert box.value() == 86_400


def test_a_choice_per_literal_and_its_value_sent(qapp):
    bus = FakeBus(wb_updateSettings=lambda p: Settings(appearance=p["appearance"]))
    window = SettingsWindow(bus)
    combo = window.editors[("appearance",)]
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["As the system", "Light", "Dark"]
    combo.setCurrentIndex(combo.findData("dark"))
    window.editors[("miniBuoyShortcut",)].setText("Ctrl+Alt+M")
    run(window.save())
    assert bus.sent("wb:updateSettings") == [{"appearance": "dark", "miniBuoyShortcut": "Ctrl+Alt+M"}]


def test_a_new_language_is_saved_for_the_next_start(qapp):
    bus = FakeBus(wb_updateSettings=lambda p: Settings(language=p["language"]))
    window = SettingsWindow(bus)
    combo = window.editors[("language",)]
    assert isinstance(combo, QComboBox) and [combo.itemData(i) for i in range(combo.count())] == ["system", "en", "nb"]
    combo.setCurrentIndex(combo.findData("nb"))
    run(window.save())
    assert bus.sent("wb:updateSettings") == [{"language": "nb"}]
    assert window.status.text() == "Saved. The new language applies when WorkBuoy next starts."


@pytest.mark.parametrize("payload,words", [
    ({"syncIntervalSec": 5}, "Sync every (seconds) must be at least 30."),
    ({"updateIntervalMin": 20_000}, "Check for updates every (minutes) must be at most 10,080."),
    ({"miniBuoyShortcut": "press me"}, "Mini-Buoy shortcut (empty: none) is not in the expected form."),
    ({"externalLinks": ["ok.example", "not a host"]},
     "Hosts whose links open in the browser (comma-separated) (entry 2) is not in the expected form."),
    ({"appearance": "purple"}, "Appearance is not one of the choices."),
    ({"notify": {"deals": "yes"}}, "Notify me about › Deals: Expected `bool`, got `str`."),
])
def test_msgspecs_own_refusals_read_as_words(payload, words):
    with pytest.raises(msgspec.ValidationError) as err:
        msgspec.convert(payload, SettingsPatch)
    assert in_words(str(err.value)) == words


def test_a_refusal_without_a_field_is_left_as_it_is():
    assert in_words("syncPageSize set by the environment for this run") == "syncPageSize set by the environment for this run"


def test_the_brokers_refusal_shown_in_words_and_the_input_kept(qapp):
    bus = FakeBus(wb_updateSettings=refuse("invalid_payload", "Expected `int` >= 5 - at `$.updateIntervalMin`"))
    window = SettingsWindow(bus)
    window.editors[("updateIntervalMin",)].setValue(3)
    run(window.save())
    assert window.status.text() == "Check for updates every (minutes) must be at least 5."
    assert window.patch() == {"updateIntervalMin": 3}


def test_values_set_by_the_environment_are_shown_as_such(qapp):
    window = SettingsWindow(FakeBus())
    window.show_settings(Settings(sync_interval_sec=60, environment=["syncIntervalSec"]))
    box = window.editors[("syncIntervalSec",)]
    assert not box.isEnabled() and box.value() == 60
    assert window.row_labels[("syncIntervalSec",)].text() == "Sync every (seconds) (set by the environment)"


def test_the_real_brokers_refusals_read_as_words(node_factory):
    node = node_factory().start()
    for payload, words in (({"syncIntervalSec": 5}, "Sync every (seconds) must be at least 30."),
                           ({"notify": {"deals": "yes"}}, "Notify me about › Deals: Expected `bool`, got `str`."),
                           ({"updateIntervalMin": 3}, "updateIntervalMin must be 0 (only on demand) or at least 5 minutes")):
        with pytest.raises(BusError) as err:
            node.call("wb:updateSettings", payload)
        assert in_words(err.value.message) == words, err.value.message


def test_the_external_links_field_shows_its_hosts_whole(qapp):
    """The label is long: the field once got what was left of a narrow window and cut the hosts off."""
    window = SettingsWindow(FakeBus())
    window.sections.setCurrentIndex(list(SECTIONS).index("Advanced"))
    window.show()
    field = window.editors[("externalLinks",)]
    qapp.processEvents()  # the layout gives out the sizes
    assert field.text() == "workbuoy.com, *.workbuoy.com"
    assert field.width() > field.fontMetrics().horizontalAdvance(field.text())
    assert field.geometry().right() <= field.parentWidget().width()
    window.close()
