"""Which request fields carry an image: one rule for the library, the CLI and the sandbox.

The generated code keeps a field's JSON name, not its schema `format`, so the rule reads the
name: split into words (camelCase, snake_case, kebab-case), a field is an image field when a
word is image(s) and the name ends in it or in url(s)/uri(s) (image, imageUrl, imageUrls,
firstImageUrl, referenceImages), or when it is a frame URL (firstFrameUrl, lastFrameUrl).
Names like imagePrompt, imageStrength or frameRate are not image fields.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_IMAGE = frozenset({"image", "images", "img", "imgs"})
_FRAME = frozenset({"frame", "frames"})
_URL = frozenset({"url", "urls", "uri", "uris"})


def words(name: str) -> list[str]:
    """The lower-case words of a field name: firstFrameUrl -> first, frame, url."""
    return [word.lower() for word in _WORD.findall(name)]


def is_image_field(json_name: str) -> bool:
    """Whether a field of this JSON name takes an image (its URL, or a list of them)."""
    parts = words(json_name)
    if not parts:
        return False
    last = parts[-1]
    if last in _IMAGE:
        return True
    return last in _URL and any(part in _IMAGE or part in _FRAME for part in parts[:-1])
