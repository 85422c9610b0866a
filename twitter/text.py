"""Text rules shared by every user-written field (DESIGN.md section 3)."""

import unicodedata


def normalize_text(value: str, *, allow_newlines: bool) -> str:
    """NFC-normalize and trim `value`; raise ValueError on control characters."""
    text = unicodedata.normalize("NFC", value).strip()
    for char in text:
        if char == "\n" and allow_newlines:
            continue
        if unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValueError("Control characters are not allowed.")
    return text


def length(text: str) -> int:
    """Length as users see it: Unicode code points after NFC."""
    return len(text)
