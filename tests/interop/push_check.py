#!/usr/bin/env python3
"""Web Push judged by an independent push service: the npm package `web-push-testing`.

web-push-testing plays a browser's push service on loopback: its /subscribe hands out a
subscription (endpoint, p256dh, auth) for our VAPID public key, and its /notify endpoint
accepts a push only if the `Authorization: vapid t=…, k=…` JWT verifies (jsonwebtoken, ES256)
against that key, then decrypts the aes128gcm body (http_ece) with the subscription's keys and
keeps the text for /get-notifications. A subscription it has expired answers 410.

The check seeds a site with one restaurant, registers web-push-testing's subscription on an
order with the order's tracking token, moves the part to ready as admin, and requires the
decrypted message to carry the Spanish "ready" text; then the same for a rejection in English
(with the refund); then it expires the subscription and requires the server to forget it
after the push service's 410.

Prints one `PASS: ...` or `FAIL: ...` line per check and ends with
`RESULT passed=N failed=M`; exits 1 when any check failed.

Usage: push_check.py http://127.0.0.1:SERVER_PORT http://localhost:WEB_PUSH_TESTING_PORT
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import urllib.parse
from typing import Any

import requests

from api import Api, ApiError, place_order, seed_catalog

WAIT_SECONDS = float(os.environ.get("INTEROP_PUSH_WAIT", "15"))

passed = 0
failed = 0


def check(name: str, ok: bool, detail: str = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS: {name}")
    else:
        failed += 1
        print(f"FAIL: {name}{': ' + detail if detail else ''}")


class PushService:
    """web-push-testing's HTTP API."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False

    def subscribe(self, application_server_key: str) -> dict[str, Any]:
        # userVisibleOnly goes as the string "true": that is what web-push-testing accepts.
        answer = self.session.post(
            f"{self.base}/subscribe",
            json={"userVisibleOnly": "true", "applicationServerKey": application_server_key},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()["data"]

    def messages(self, client_hash: str) -> list[str]:
        answer = self.session.post(
            f"{self.base}/get-notifications", json={"clientHash": client_hash}, timeout=10
        )
        answer.raise_for_status()
        return answer.json()["data"]["messages"]

    def wait_for(self, client_hash: str, count: int) -> list[str]:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            got = self.messages(client_hash)
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.2)

    def expire(self, client_hash: str) -> None:
        self.session.post(f"{self.base}/expire-subscription/{client_hash}", timeout=10).raise_for_status()


def subscriptions_path(order: dict[str, Any]) -> str:
    token = urllib.parse.quote(order["tracking_token"], safe="")
    return f"/orders/{order['id']}/push-subscriptions?token={token}"


def register(public: Api, order: dict[str, Any], subscription: dict[str, Any], language: str) -> Any:
    body = {"endpoint": subscription["endpoint"], "keys": subscription["keys"], "language": language}
    return public.post(subscriptions_path(order), body, expect=201)


def transition(admin: Api, part_id: str, *steps: str) -> None:
    for step in steps:
        admin.post(f"/fulfillments/{part_id}/transition", {"to": step}, expect=200)


def main(base: str, push_base: str) -> None:
    admin = Api(base).login()
    public = Api(base)
    push = PushService(push_base)
    catalog = seed_catalog(admin, price=4990)
    restaurant = catalog["merchant"]["name"]

    key = public.get("/push/public-key", expect=200)["public_key"]
    subscription = push.subscribe(key)
    check("web-push-testing accepts the server's VAPID public key", bool(subscription.get("endpoint")))
    client_hash = subscription["clientHash"]

    # 1. ready, in Spanish
    order = place_order(public, catalog, quantity=1)
    part = order["fulfillments"][0]
    stored = register(public, order, subscription, "es")
    check("the server stores web-push-testing's subscription", stored.get("language") == "es", str(stored))
    transition(admin, part["id"], "accepted", "preparing", "ready")
    messages = push.wait_for(client_hash, 1)
    expected = f"Tu pedido de {restaurant} está listo. Código {part['pickup_code']}"
    bodies = [json.loads(message).get("body") for message in messages]
    check(
        "web-push-testing verified the VAPID JWT, decrypted the push and read the ready text",
        bodies == [expected],
        f"got {bodies!r} (a push it refused shows as a warning in the server log)",
    )

    # 2. rejected and refunded, in English
    order = place_order(public, catalog, quantity=1)
    register(public, order, subscription, "en")
    transition(admin, order["fulfillments"][0]["id"], "rejected")
    messages = push.wait_for(client_hash, 2)
    expected = f"{restaurant} could not prepare your order; we refunded $4.990"
    last = json.loads(messages[-1]).get("body") if len(messages) >= 2 else None
    check("the rejection reaches it in English with the refund", last == expected, f"got {messages!r}")

    # 3. a subscription the push service calls gone (410) is forgotten
    order = place_order(public, catalog, quantity=1)
    register(public, order, subscription, "es")
    push.expire(client_hash)
    transition(admin, order["fulfillments"][0]["id"], "rejected")
    endpoint = urllib.parse.quote(subscription["endpoint"], safe="")
    # The server forgets it right after the 410; a DELETE that found it (204) would remove it
    # itself and prove nothing, so it is probed once, after a generous pause.
    time.sleep(3.0)
    try:
        public.request("DELETE", f"{subscriptions_path(order)}&endpoint={endpoint}", expect=404)
        gone = True
    except ApiError:
        gone = False
    check("after web-push-testing's 410 the server forgot the subscription", gone)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    try:
        main(sys.argv[1], sys.argv[2])
    except Exception:  # noqa: BLE001 - any failure is reported as a failed check
        traceback.print_exc()
        check("push check ran to the end", False)
    print(f"RESULT passed={passed} failed={failed}")
    sys.exit(1 if failed else 0)
