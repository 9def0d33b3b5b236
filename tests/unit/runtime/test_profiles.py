"""The profile switch: what ``cluster`` changes, what an explicit variable keeps, and homes that refuse to switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartcar.runtime.supervisor import RuntimeError_, record_profile
from smartcar.settings import PROFILE_FILE, PROFILES, Settings


@pytest.fixture(autouse=True)
def _no_profile_variables(monkeypatch) -> None:
    """The test session exports every setting (Airflow's environment): unset what a profile decides."""
    for name in ("profile", *{key for values in PROFILES.values() for key in values}):
        monkeypatch.delenv(f"SMARTCAR_{name.upper()}", raising=False)


def test_every_profile_value_names_a_setting_and_validates() -> None:
    for profile, values in PROFILES.items():
        assert set(values) <= set(Settings.model_fields), profile
        Settings.model_validate(values)  # each value passes the field's own validation


def test_embedded_is_the_default_and_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.profile == "embedded"
    assert settings.stream_processors == Settings.model_fields["stream_processors"].default


def test_cluster_sets_its_topology_unless_a_variable_says_otherwise(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SMARTCAR_PROFILE", "cluster")
    settings = Settings(home=tmp_path)
    for name, value in PROFILES["cluster"].items():
        assert getattr(settings, name) == value, name
    monkeypatch.setenv("SMARTCAR_STREAM_PROCESSORS", "3")
    assert Settings(home=tmp_path).stream_processors == 3


def test_later_commands_read_the_profile_the_home_was_brought_up_with(tmp_path: Path) -> None:
    record_profile(Settings(home=tmp_path, profile="cluster"))
    assert (tmp_path / PROFILE_FILE).read_text().strip() == "cluster"
    assert Settings(home=tmp_path).profile == "cluster"
    assert Settings(home=tmp_path).stream_processors == PROFILES["cluster"]["stream_processors"]


def test_a_home_refuses_another_profile(tmp_path: Path) -> None:
    record_profile(Settings(home=tmp_path, profile="embedded"))
    record_profile(Settings(home=tmp_path, profile="embedded"))  # the same one again is fine
    with pytest.raises(RuntimeError_, match="embedded profile, not cluster"):
        record_profile(Settings(home=tmp_path, profile="cluster"))


def test_a_home_from_before_profiles_is_embedded(tmp_path: Path) -> None:
    (tmp_path / "kafka").mkdir()
    with pytest.raises(RuntimeError_, match="use another SMARTCAR_HOME"):
        record_profile(Settings(home=tmp_path, profile="cluster"))
    record_profile(Settings(home=tmp_path, profile="embedded"))
    assert (tmp_path / PROFILE_FILE).read_text().strip() == "embedded"


def test_an_unknown_profile_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="profile"):
        Settings(home=tmp_path, profile="galaxy")
