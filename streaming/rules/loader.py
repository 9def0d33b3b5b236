"""Load rule files (YAML or JSON) from ``include/rules/``, validate them, and hot-reload on change.

Validation is two-step: the JSON Schema (shape, enums, required keys) and
:func:`streaming.rules.model.rule_from_dict` (cross-field checks). A file that fails either is
rejected with one clear logged error naming the file, and the version of that rule that was
running keeps running: :class:`RulesWatcher` only ever swaps in complete, valid files.
Reload is by polling file ``mtime``/size (cheap: one ``stat`` per file per poll), which works on
every filesystem and needs no inotify dependency.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from streaming.rules.model import Rule, RuleError, rule_from_dict

log = logging.getLogger(__name__)

SCHEMA_FILE = "rule.schema.json"
RULE_SUFFIXES = (".yaml", ".yml", ".json")


def default_schema_path() -> Path:
    from smartcar.settings import REPO_ROOT

    return REPO_ROOT / "include" / "rules" / SCHEMA_FILE


@functools.cache
def _validator(schema_path: str) -> jsonschema.protocols.Validator:
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_mapping(data: Any, source: str = "<rule>", schema_path: Path | None = None) -> Rule:
    """Schema-check and build one rule; raises :class:`RuleError` with every problem listed."""
    validator = _validator(str(schema_path or default_schema_path()))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  - {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in errors[:10]]
        raise RuleError(f"{source}: rule does not match {SCHEMA_FILE}:\n" + "\n".join(lines))
    return rule_from_dict(data, source)


def read_rule_mapping(path: Path) -> Any:
    """The parsed content of one rule file (YAML or JSON), not yet validated."""
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise RuleError(f"{path}: cannot read rule file: {exc}") from exc


def load_rule_file(path: Path, schema_path: Path | None = None) -> Rule:
    """Parse and validate one rule file."""
    return validate_mapping(read_rule_mapping(path), str(path), schema_path)


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in RULE_SUFFIXES and p.name != SCHEMA_FILE)


class RulesWatcher:
    """Keeps the last valid version of every rule file in a directory.

    :meth:`poll` re-reads files whose ``(mtime_ns, size)`` changed and returns the new rule set
    when it differs from the running one, else ``None``. Invalid files are logged and skipped;
    a file that is deleted removes its rule.
    """

    def __init__(self, directory: Path, schema_path: Path | None = None) -> None:
        self.directory = Path(directory)
        self.schema_path = schema_path
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._good: dict[Path, Rule] = {}
        self.errors: dict[Path, str] = {}
        self.rules: dict[str, Rule] = {}

    def _stamp(self, path: Path) -> tuple[int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def poll(self) -> dict[str, Rule] | None:
        """Pick up changes; returns the new enabled rules by name if anything changed."""
        try:
            files = rule_files(self.directory)
        except OSError as exc:
            log.error("rules directory %s unreadable, keeping running rules: %s", self.directory, exc)
            return None
        changed = False
        for gone in set(self._stamps) - set(files):
            self._stamps.pop(gone, None)
            self.errors.pop(gone, None)
            if self._good.pop(gone, None) is not None:
                log.warning("rule file %s removed; its rule stops", gone)
                changed = True
        for path in files:
            stamp = self._stamp(path)
            if stamp is None or self._stamps.get(path) == stamp:
                continue
            self._stamps[path] = stamp
            try:
                rule = load_rule_file(path, self.schema_path)
            except RuleError as exc:
                self.errors[path] = str(exc)
                kept = self._good.get(path)
                log.error(
                    "REJECTED rule file %s; %s\n%s",
                    path,
                    f"keeping running version {kept.name} v{kept.version}" if kept else "no previous version",
                    exc,
                )
                continue
            self.errors.pop(path, None)
            if self._good.get(path) != rule:
                self._good[path] = rule
                changed = True
        if not changed and self.rules:
            return None
        rules = _by_name(self._good.items())
        if rules == self.rules and self.rules:
            return None
        self.rules = rules
        return rules


def _by_name(items: Iterable[tuple[Path, Rule]]) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for path, rule in sorted(items):
        if not rule.enabled:
            continue
        if rule.name in out:
            log.error("rule name %r in %s duplicates %s; ignored", rule.name, path, out[rule.name].source)
            continue
        out[rule.name] = rule
    return out


def load_rules(directory: Path) -> dict[str, Rule]:
    """One-shot load of every valid rule (errors logged)."""
    return RulesWatcher(directory).poll() or {}
