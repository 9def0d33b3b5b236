"""Detector rules: schema-validated files under ``include/rules/``, loaded and hot-reloaded."""

from streaming.rules.loader import RulesWatcher, load_rule_file, load_rules, validate_mapping
from streaming.rules.model import Rule, RuleError, WindowSpec, rule_from_dict

__all__ = [
    "Rule",
    "RuleError",
    "RulesWatcher",
    "WindowSpec",
    "load_rule_file",
    "load_rules",
    "rule_from_dict",
    "validate_mapping",
]
