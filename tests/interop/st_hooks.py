"""Schemathesis hooks for the interop run (loaded through the generated config's `hooks`).

`Idempotency-Key` is an optional header on the routes that move money or stock. Left
alone, schemathesis fills it with random strings: most are not visible ASCII (422
before the handler runs) and the valid ones get reused with other bodies (409). Either
way the request never reaches the code under test. So, for half of the generated keys
(chosen by the key's own hash, so a case stays reproducible), the key is replaced with
one derived from the whole request: identical requests share a key (the replay path),
different requests never do. The other half is sent as generated, which keeps the
header's validation under test.
"""

from __future__ import annotations

import hashlib
import json

import schemathesis

HEADER = "Idempotency-Key"


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=repr).encode()).hexdigest()


@schemathesis.hook
def map_case(context, case):
    headers = case.headers
    if not headers or HEADER not in headers:
        return case
    generated = headers[HEADER]
    if int(_digest(generated)[:2], 16) % 2:
        return case
    body = getattr(case, "body", None)
    request = [case.method, case.path, case.path_parameters, case.query, body, generated]
    headers[HEADER] = "interop-" + _digest(request)[:40]
    return case
