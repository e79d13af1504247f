"""Terminal-safe text: control characters (C0, C1, DEL, bidi and zero-width marks) from a
server or a path are shown escaped, so a task id or message cannot move the cursor, recolour
the terminal or hide text. Rich markup is never parsed from such text (see cli/_output.py).
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)
_CONTROLS_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character written as an escape (\\x1b, \\u202e)."""
    pattern = _CONTROLS_BUT_NEWLINE if keep_newlines else _CONTROLS
    return pattern.sub(_escaped, text)


def json_terminal_safe(text: str) -> str:
    """A JSON document with the control characters json.dumps leaves raw (C1, bidi) written as
    JSON \\u escapes: still valid JSON, harmless on a terminal."""
    return _CONTROLS.sub(_json_escaped, text)
