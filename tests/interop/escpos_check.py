#!/usr/bin/env python3
"""Our ESC/POS receipts judged by an independent encoder (python-escpos).

The server lays a document out as a list of commands (a line of text with its alignment,
bold and size; a paper feed; the partial cut) and encodes them to bytes
(crates/server/src/documents/escpos.rs). The `escpos_sample` example writes, for each
sample document on 58 and 80 mm paper, that layout as NAME.json and our bytes as NAME.bin.
This script replays every layout through python-escpos's Dummy printer with an Epson
TM-T20II profile and requires the very same bytes:

    p.hw("INIT")                      ESC @
    p.charcode("CP1252")              ESC t 16 (WPC1252 in that profile); text is then
                                      encoded by python-escpos's own CP1252 table, '?'
                                      for what it lacks
    p.set(align=, bold=, <size>)      sent when the style differs from the previous line's,
                                      as our encoder does; <size> is normal_textsize,
                                      double_height, double_width or both
    p.text(line + "\\n")
    p.print_and_feed(n)               ESC d n
    p.cut(mode="PART")                ESC d 6, GS V 1

No difference is tolerated: command bytes and text bytes must match exactly. It also
checks, without python-escpos, that no line is wider than the paper (a double-width
character takes two columns), and that the receipt's Spanish text reads back through
Python's cp1252 codec (a refunded receipt its refund and new total, a kitchen ticket paid
at pickup the amount to collect).

Prints `PASS: ...`/`FAIL: ...` lines and `RESULT passed=N failed=M`; exits 1 on failure.

Usage: escpos_check.py SAMPLES_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from escpos.printer import Dummy

PROFILE = "TM-T20II"
SIZES = {
    "normal": {"normal_textsize": True},
    "double_height": {"double_height": True},
    "double_width": {"double_width": True},
    "double": {"double_width": True, "double_height": True},
}
WIDE = {"double_width", "double"}
# Samples we expect the example to write (name prefix -> text its bytes must contain).
EXPECTED = {
    "mall_receipt": ["María José Núñez", "Sánguches Ñuñoa", "azúcar? ¡Sí!", "Código de retiro"],
    "refunded_receipt": ["Reembolso Café Ñandú", "-$8.200", "23-11-2026 14:20", "NUEVO TOTAL", "$9.480"],
    "boleta": ["BOLETA ELECTRÓNICA", "Café Ñandú"],
    "voided_factura": ["ANULADA", "FACTURA ELECTRÓNICA", "Cupón <VERANO>"],
    "awkward_text": ["½", "10€"],
    "kitchen_pay_at_pickup": ["COBRAR AL RETIRAR $12.990", "NOTA: sin mayo"],
}


def replay(commands: list[dict]) -> bytes:
    """The bytes python-escpos produces for our layout."""
    printer = Dummy(profile=PROFILE)
    printer.hw("INIT")
    printer.charcode("CP1252")
    last_style = None
    for command in commands:
        op = command["op"]
        if op == "text":
            style = (command["align"], command["bold"], command["size"])
            if style != last_style:
                printer.set(align=command["align"], bold=command["bold"], **SIZES[command["size"]])
                last_style = style
            printer.text(command["text"] + "\n")
        elif op == "feed":
            printer.print_and_feed(command["lines"])
        elif op == "cut":
            printer.cut(mode="PART")
        else:
            raise ValueError(f"unknown command {op!r}")
    return printer.output


def first_difference(ours: bytes, theirs: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
    start = max(0, at - 8)
    return (f"lengths {len(ours)} vs {len(theirs)}; first difference at byte {at}: "
            f"ours {ours[start:at + 8].hex(' ')} / python-escpos {theirs[start:at + 8].hex(' ')}")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    samples = Path(sys.argv[1])
    passed = failed = 0

    def check(name: str, ok: bool, detail: str = "") -> None:
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"PASS: {name}")
        else:
            failed += 1
            print(f"FAIL: {name}" + (f" -- {detail}" if detail else ""))

    layouts = sorted(samples.glob("*.json"))
    names = {path.stem for path in layouts}
    wanted = {f"{prefix}_{width}" for prefix in EXPECTED for width in ("58mm", "80mm")}
    check(f"the example wrote all {len(wanted)} samples", wanted <= names,
          f"missing {sorted(wanted - names)} in {samples}")

    for path in layouts:
        layout = json.loads(path.read_text(encoding="utf-8"))
        name, columns, commands = layout["name"], layout["columns"], layout["commands"]
        ours = path.with_suffix(".bin").read_bytes()
        try:
            theirs = replay(commands)
        except Exception as error:  # a command python-escpos cannot express is a failure too
            check(f"{name}: python-escpos replays the layout", False, repr(error))
            continue
        check(f"{name}: bytes equal python-escpos's ({len(ours)} bytes, {len(commands)} commands)",
              ours == theirs, first_difference(ours, theirs))

        too_wide = [
            (command["text"], width)
            for command in commands if command["op"] == "text"
            for width in [len(command["text"]) * (2 if command["size"] in WIDE else 1)]
            if width > columns
        ]
        check(f"{name}: every line fits {columns} columns", not too_wide, f"{too_wide[:3]}")

        prefix = name.rsplit("_", 1)[0]
        text = ours.decode("cp1252", errors="replace")
        missing = [needle for needle in EXPECTED.get(prefix, []) if needle not in text]
        check(f"{name}: Spanish text reads back as Windows-1252", not missing, f"missing {missing}")

    print(f"RESULT passed={passed} failed={failed}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
