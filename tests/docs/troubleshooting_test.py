#!/usr/bin/env python3
"""Checks that docs/troubleshooting.md quotes messages tb still prints (ctest, label docs).

Every level-3 heading of the page that is one code span (### `message`) is a
message as tb prints it, without its "tb: error: " / "tb: warning: " /
"tb: note: " prefix, with "..." where tb puts a path, a number or a reason.
The text between the "..." must appear in the sources of tools/, core/,
storage/ and sync/ (C++ string literals, with adjacent literals joined and
escapes undone), each piece as one run of text, so a message that is
reworded or removed makes this test fail and name the heading. Each message
needs at least one piece of 12 characters or more, so that it cannot match
by accident. Usage: troubleshooting_test.py SOURCE_DIR
"""
import glob
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
PAGE = os.path.join(ROOT, "docs", "troubleshooting.md")
PREFIXES = ("tb: error: ", "tb: warning: ", "tb: note: ")
HEADING = re.compile(r"^### `([^`]+)`\s*$")
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
ADJACENT = re.compile(r'"\s*\n\s*"')  # "abc "<newline>"def": one literal split by clang-format


def source_text():
    """The string literals of the sources, adjacent ones joined, one a line."""
    pieces = []
    for module in ("tools", "core", "storage", "sync"):
        for path in glob.glob(os.path.join(ROOT, module, "**", "*.*"), recursive=True):
            if not path.endswith((".cc", ".h")) or path.endswith("_test.cc"):
                continue
            with open(path, encoding="utf-8") as f:
                text = ADJACENT.sub("", f.read())
            for m in LITERAL.finditer(text):
                pieces.append(m.group(1).replace('\\"', '"').replace("\\\\", "\\").replace("\\n", " "))
    return "\n".join(pieces)


def main():
    with open(PAGE, encoding="utf-8") as f:
        lines = f.read().split("\n")
    sources = source_text()
    messages = failures = 0
    for n, line in enumerate(lines, 1):
        m = HEADING.match(line)
        if not m:
            continue
        messages += 1
        message = m.group(1)
        for p in PREFIXES:
            if message.startswith(p):
                message = message[len(p):]
        parts = [p.strip() for p in message.split("...")]
        parts = [p for p in parts if p]
        if not any(len(p) >= 12 for p in parts):
            print(f"docs/troubleshooting.md:{n}: no piece of 12 characters or more to look for: {m.group(1)}")
            failures += 1
            continue
        for p in parts:
            if p not in sources:
                print(f"docs/troubleshooting.md:{n}: tb no longer prints \"{p}\" (from: {m.group(1)})")
                failures += 1
    if messages < 40:
        print(f"docs/troubleshooting.md: only {messages} messages (### `...` headings) found; expected 40 or more")
        failures += 1
    print(f"{messages} message(s) checked, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
