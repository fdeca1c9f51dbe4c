"""Phase 1 of DCL substitution: apostrophes, applied once to a command before it is parsed.

- Outside quotes ``'text'`` is replaced by the value of ``text`` (a symbol name, or an
  expression: ``'P1 - 1'``).  The scan then resumes at the start of the text just inserted,
  so a value that itself holds apostrophes is substituted again.
- Inside quotes only ``''text'`` substitutes, and the result is not scanned again; a lone
  apostrophe there is literal (``"n='n'"`` stays as written).
- An undefined symbol substitutes as the empty string.
- ``!`` outside quotes starts a comment: nothing after it on that physical line is touched.

Choices where VMS is silent: outside quotes ``''name'`` is taken as ``'name'``; an apostrophe
pair with only blanks between, or one whose closing apostrophe is on another physical line,
is left as written; after 256 rescans of inserted text the rest of the line is left as it is
(a symbol whose value substitutes itself would otherwise never end).
"""

from __future__ import annotations

from collections.abc import Callable

MAX_RESCANS = 256


def substitute(text: str, evaluate: Callable[[str], str]) -> str:
    """Apply apostrophe substitution; ``evaluate`` turns the text between apostrophes into
    the replacement string (it may raise VMSError)."""
    s = text
    i = 0
    quoted = False
    rescans = 0
    while i < len(s):
        c = s[i]
        if c == "\n":
            quoted = False
            i += 1
            continue
        if c == '"':
            quoted = not quoted
            i += 1
            continue
        if c == "!" and not quoted:
            nl = s.find("\n", i)
            if nl < 0:
                break
            i = nl
            continue
        if c != "'":
            i += 1
            continue
        double = s.startswith("''", i)
        if quoted and not double:
            i += 1
            continue
        start = i + 2 if double else i + 1
        end = s.find("'", start)
        if end < 0 or "\n" in s[start:end] or not s[start:end].strip(" \t"):
            i = start if end < 0 or "\n" in s[start:end] else end + 1
            continue
        value = evaluate(s[start:end])
        s = s[:i] + value + s[end + 1:]
        if quoted or rescans >= MAX_RESCANS:
            i += len(value)
        else:
            rescans += 1
    return s
