"""Keep e-mail addresses (personal data) out of metadata, logs and check results."""

from __future__ import annotations

from typing import Any


def mask_email(address: str) -> str:
    """``mario.rossi@example.com`` -> ``m***@e***.com``: enough to spot a pattern, not a person."""
    text = str(address).strip()
    if not text:
        return text
    local, at, domain = text.partition("@")
    if not at:
        return f"{text[0]}***"
    host, dot, tld = domain.rpartition(".")
    masked_domain = f"{host[:1]}***.{tld}" if dot and host else f"{domain[:1]}***"
    return f"{local[:1]}***@{masked_domain}"


def mask_value(value: Any) -> Any:
    """Mask any string that contains '@' (recursively through lists and dicts)."""
    if isinstance(value, str):
        return mask_email(value) if "@" in value else value
    if isinstance(value, list | tuple):
        return [mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_value(item) for key, item in value.items()}
    return value
