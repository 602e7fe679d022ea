#!/usr/bin/env python3
"""Python's tomllib as the reference reader for hhbench's TOML reader (Sources/TOML).

Writes, for each input, the canonical text that `TOMLTable.canonicalText` writes in Swift, or
"reject" when tomllib refuses the document, "skip" when the answers cannot be compared (the
input is not UTF-8, or tomllib ran out of recursion), and "big" when tomllib accepted integers
outside 64 bits, which TOML 1.0 says a reader must refuse and hhbench's does.

  tomllib_oracle.py FILE...     one line per file: PATH<TAB>ANSWER
  tomllib_oracle.py --pipe      a coprocess: reads a 4-byte big-endian length and that many
                                bytes, answers the same way, until its input ends (the fuzz
                                target's differential check)
"""
import datetime
import math
import struct
import sys
import tomllib

NESTING = 100  # TOMLReader.maximumNesting


class Big(Exception):
    pass


def hexed(text):
    return text.encode("utf-8", "surrogatepass").hex()


def canonical(value):
    if isinstance(value, bool):
        return "btrue" if value else "bfalse"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise Big()
        return f"i{value}"
    if isinstance(value, float):
        return "fnan" if math.isnan(value) else "f" + struct.pack(">d", value).hex()
    if isinstance(value, str):
        return "s" + hexed(value)
    if isinstance(value, datetime.datetime):
        text = f"{value.year:04}-{value.month:02}-{value.day:02}T{value.hour:02}:{value.minute:02}:{value.second:02}.{value.microsecond:06}"
        if value.tzinfo is None:
            return "ldt" + text
        return "odt" + text + str(int(value.utcoffset().total_seconds() // 60))
    if isinstance(value, datetime.date):
        return f"ld{value.year:04}-{value.month:02}-{value.day:02}"
    if isinstance(value, datetime.time):
        return f"lt{value.hour:02}:{value.minute:02}:{value.second:02}.{value.microsecond:06}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(hexed(key) + ":" + canonical(item) for key, item in sorted(value.items())) + "}"
    raise TypeError(type(value))


def depth(value):
    """How deep lists and tables nest, iteratively (a deep value must not exhaust the stack here)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, list):
            stack.extend((inner, level + 1) for inner in item)
        elif isinstance(item, dict):
            stack.extend((inner, level + 1) for inner in item.values())
    return deepest


def answer(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "skip"
    if text.startswith("\ufeff"):
        text = text[1:]  # hhbench skips a byte order mark, as editors write one
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "reject"
    except ValueError:
        # Python refuses to convert an integer of more than 4,300 digits (sys.set_int_max_str_digits):
        # far outside 64 bits, which hhbench refuses.
        return "big"
    except (RecursionError, MemoryError):
        return "skip"
    except Exception as error:  # tomllib's own failure: not a verdict on the document
        print(f"tomllib_oracle: {type(error).__name__}: {error}", file=sys.stderr)
        return "skip"
    # Nesting past hhbench's limit is refused there; tables nest through headers too, so only
    # documents that stay far below it are compared.
    if depth(document) >= NESTING:
        return "skip"
    try:
        return canonical(document)
    except Big:
        return "big"


def main():
    if sys.argv[1:] == ["--pipe"]:
        source, sink = sys.stdin.buffer, sys.stdout.buffer
        while True:
            header = source.read(4)
            if len(header) < 4:
                return
            data = source.read(struct.unpack(">I", header)[0])
            reply = answer(data).encode()
            sink.write(struct.pack(">I", len(reply)) + reply)
            sink.flush()
    for path in sys.argv[1:]:
        with open(path, "rb") as handle:
            print(f"{path}\t{answer(handle.read())}")


if __name__ == "__main__":
    main()
