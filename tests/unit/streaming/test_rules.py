"""Rule files: schema validation, semantic checks, clear rejection and hot reload that keeps the last good rule."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
import yaml

from smartcar.settings import REPO_ROOT
from streaming.rules import RuleError, RulesWatcher, load_rule_file, validate_mapping

RULES = REPO_ROOT / "include" / "rules"


def speeding() -> dict:
    return yaml.safe_load((RULES / "speeding.yaml").read_text())


def test_shipped_rules_are_valid():
    names = {load_rule_file(p).name for p in RULES.glob("*.yaml")}
    assert {"speeding", "harsh_braking", "unsignalled_turns"} <= names


def test_speeding_is_the_original_rule():
    rule = load_rule_file(RULES / "speeding.yaml")
    assert (rule.window.type, rule.window.size, rule.window.time) == ("tumbling", 30, "event")
    assert (rule.aggregate.function, rule.aggregate.field) == ("avg", "speed")
    assert (rule.condition.op, rule.condition.value) == (">", 80)
    assert rule.output.key == "{date}" and rule.output.member == "{car}-{timestamp}"
    assert rule.output.ttl_seconds == 7 * 24 * 3600


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"condition": {"op": ">", "value": "eighty"}}, "condition/value"),
        ({"window": {"type": "rolling", "size_seconds": 30}}, "window/type"),
        ({"window": {"type": "hopping", "size_seconds": 30}}, "step_seconds"),
        ({"aggregate": {"function": "avg", "field": "steer_angle"}}, "aggregate/field"),
        ({"aggregate": {"function": "median", "field": "speed"}}, "aggregate/function"),
        ({"unknown_key": 1}, "unknown_key"),
        ({"window": {"type": "hopping", "size_seconds": 30, "step_seconds": 7}}, "multiple of step_seconds"),
        ({"output": {"redis_set": {"key": "{day}", "member": "{car}"}}}, "unknown placeholder"),
    ],
)
def test_invalid_rules_are_rejected_with_the_reason(patch, message):
    data = {**speeding(), **patch}
    with pytest.raises(RuleError) as err:
        validate_mapping(data, "speeding.yaml")
    assert message in str(err.value)
    assert "speeding.yaml" in str(err.value)


def test_rule_validation_cli(tmp_path):
    """``smartcar stream rules validate`` (the stream group's Typer app, in process)."""
    from typer.testing import CliRunner

    from streaming.cli import app

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad Name\nversion: 1\n")
    runner = CliRunner()
    ok = runner.invoke(app, ["rules", "validate", str(RULES / "speeding.yaml")])
    assert ok.exit_code == 0 and "speeding v1" in ok.output
    fail = runner.invoke(app, ["rules", "validate", str(bad)])
    assert fail.exit_code == 1 and "INVALID" in fail.output and "name" in fail.output


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_hot_reload_applies_valid_change_and_keeps_old_rule_on_invalid(tmp_path, caplog):
    shutil.copy(RULES / "rule.schema.json", tmp_path)
    target = tmp_path / "speeding.yaml"
    shutil.copy(RULES / "speeding.yaml", target)
    watcher = RulesWatcher(tmp_path, schema_path=RULES / "rule.schema.json")
    first = watcher.poll()
    assert first["speeding"].condition.value == 80
    assert watcher.poll() is None  # nothing changed

    target.write_text(target.read_text().replace("value: 80", "value: 100").replace("version: 1", "version: 2"))
    _touch_later(target)
    second = watcher.poll()
    assert second["speeding"].condition.value == 100 and second["speeding"].version == 2

    target.write_text(target.read_text().replace("value: 100", "value: fast"))
    _touch_later(target)
    with caplog.at_level(logging.ERROR):
        assert watcher.poll() is None  # rejected: running rules unchanged
    assert "REJECTED rule file" in caplog.text and "keeping running version speeding v2" in caplog.text
    assert watcher.rules["speeding"].condition.value == 100
    assert target in watcher.errors
