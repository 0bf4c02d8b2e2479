#!/usr/bin/env python3
"""The OpenAPI document judged by an independent validator (openapi-spec-validator).

Checks that GET /api/openapi.json is an OpenAPI 3.1 document that validates (structure,
schemas, and rules such as "a path parameter must appear in its path template"), and
that it documents /api/v1 routes. Schemathesis generates its requests from this
document, so an invalid one also weakens that run (e.g. query parameters filed as path
parameters are never sent).

Prints `PASS: ...`/`FAIL: ...` lines and `RESULT passed=N failed=M`; exits 1 on failure.

Usage: spec_check.py http://127.0.0.1:PORT
"""

from __future__ import annotations

import sys

import requests
from openapi_spec_validator import OpenAPIV31SpecValidator

MAX_LISTED = 40


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    session = requests.Session()
    session.trust_env = False
    passed = failed = 0

    def check(name: str, ok: bool, detail: str = "") -> None:
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"PASS: {name}")
        else:
            failed += 1
            print(f"FAIL: {name}" + (f" -- {detail}" if detail else ""))

    response = session.get(sys.argv[1].rstrip("/") + "/api/openapi.json", timeout=15)
    check("GET /api/openapi.json answers 200 with JSON",
          response.status_code == 200 and "json" in response.headers.get("content-type", ""),
          f"{response.status_code} {response.headers.get('content-type')}")
    document = response.json()
    version = str(document.get("openapi", ""))
    check("the document is OpenAPI 3.1", version.startswith("3.1."), repr(version))
    paths = [p for p in document.get("paths", {}) if p.startswith("/api/v1/")]
    check("the document lists /api/v1 routes", len(paths) > 0, f"{len(paths)} paths")

    errors = list(OpenAPIV31SpecValidator(document).iter_errors())
    messages = sorted({str(error).splitlines()[0] for error in errors})
    for message in messages[:MAX_LISTED]:
        print(f"  - {message}")
    if len(messages) > MAX_LISTED:
        print(f"  ... and {len(messages) - MAX_LISTED} more")
    check("openapi-spec-validator finds no error", not messages,
          f"{len(messages)} errors, e.g. {messages[0]!r}" if messages else "")

    print(f"RESULT passed={passed} failed={failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
