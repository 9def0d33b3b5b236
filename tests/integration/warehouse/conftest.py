"""Fixtures of the warehouse integration tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the hand-made inputs module next to the tests
