"""Masks a task's secret values as ``***`` wherever the worker sends text the scheduler keeps."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Pattern

MASK = "***"


class SecretMasker:
    """Replaces every occurrence of any secret value in strings, and in strings nested in JSON-like values."""

    def __init__(self, secrets: Optional[Mapping[str, Any]] = None) -> None:
        values = {str(value) for value in (secrets or {}).values() if value is not None and str(value) != ""}
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(values, key=len, reverse=True)
        self._pattern: Optional[Pattern[str]] = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None

    @property
    def is_empty(self) -> bool:
        return self._pattern is None

    def text(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    def value(self, value: Any) -> Any:
        """A copy of a JSON-like value with secrets masked in its strings (dictionary keys included)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(key)) if isinstance(key, str) else key: self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return value
