"""Backtest overrides of ``smartcar stream backfill``: parsed, applied to the rule files, re-validated, clear errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from smartcar.settings import REPO_ROOT
from streaming.backfill import load_rules_with_overrides, parse_overrides
from streaming.cli import app
from streaming.rules.model import RuleError

RULES = REPO_ROOT / "include" / "rules"


def test_overrides_parse_aliases_paths_and_yaml_values() -> None:
    assert parse_overrides(
        ["speeding.threshold=100", "speeding.window.grace_seconds=0", "harsh_braking.window=120"]
    ) == {
        "speeding": {"condition.value": 100, "window.grace_seconds": 0},
        "harsh_braking": {"window.size_seconds": 120},
    }


@pytest.mark.parametrize("item", ["threshold=100", "speeding=100", "speeding.threshold", ".threshold=1"])
def test_malformed_overrides_say_the_expected_form(item: str) -> None:
    with pytest.raises(RuleError, match=r"RULE\.SETTING=VALUE"):
        parse_overrides([item])


def test_overrides_apply_to_the_shipped_rule_and_only_the_chosen_rule_runs() -> None:
    rules = load_rules_with_overrides(RULES, parse_overrides(["speeding.threshold=100"]), only="speeding")
    assert list(rules) == ["speeding"]
    assert rules["speeding"].condition.value == 100 and rules["speeding"].window.size == 30
    assert load_rules_with_overrides(RULES)["speeding"].condition.value == 80  # the file itself is untouched


@pytest.mark.parametrize(
    ("overrides", "only", "message"),
    [
        ({"speding": {"condition.value": 1}}, None, "no enabled rule named speding"),
        ({}, "nope", "no enabled rule named nope"),
        ({"speeding": {"condition.nonsense": 1}}, None, "has no setting 'nonsense'"),
        ({"speeding": {"window.size_seconds": -30}}, None, "does not match"),
        ({"speeding": {"window.size_seconds": 45}}, None, None),  # valid: a 45 s tumbling window
    ],
)
def test_bad_overrides_are_rejected_with_the_reason(overrides, only, message) -> None:
    if message is None:
        assert load_rules_with_overrides(RULES, overrides)["speeding"].window.size == 45
        return
    with pytest.raises(RuleError, match=message):
        load_rules_with_overrides(RULES, overrides, only)


def test_the_cli_exits_2_naming_the_problem_before_reading_anything() -> None:
    result = CliRunner().invoke(app, ["backfill", "--date", "20200322", "--set", "speeding.threshold"])
    assert result.exit_code == 2
    assert "RULE.SETTING=VALUE" in result.output
