#!/usr/bin/env python3
"""The fake WooCommerce judged by WooCommerce's official Python client.

Starts `fakeshops woocommerce` (the binary given as the only argument; it prints its base
URL on its first line), then talks to it with the `woocommerce` PyPI package
(`from woocommerce import API`). The fake listens on plain HTTP, so the client signs every
request with OAuth 1.0a (HMAC-SHA256 in the query string), and the fake must verify it:

  - products listed in pages of 2 with X-WP-Total / X-WP-TotalPages, and a variable
    product's variations;
  - a product's stock_quantity updated with PUT and read back, a price through
    POST products/batch;
  - orders listed, one completed with PUT orders/{id};
  - a wrong consumer secret and a wrong key refused with 401 and WooCommerce's error code;
    a signed URL replayed (same nonce) refused;
  - a webhook delivery from the fake (its control route /__fake/webhook/{id}) whose
    X-WC-Webhook-Signature equals what WooCommerce's PHP computes:
    base64_encode(hash_hmac('sha256', $body, $secret, true)).

Prints one `PASS: ...` or `FAIL: ...` line per check and ends with
`RESULT passed=N failed=M`; exits 1 when any check failed.

Usage: woocommerce_check.py path/to/fakeshops
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
import traceback

import requests
from woocommerce import API
from woocommerce.oauth import OAuth

# The credentials `fakeshops woocommerce` accepts (crates/fakeshops/src/woocommerce/mod.rs).
KEY = "ck_omnicanal_fake_key"
SECRET = "cs_omnicanal_fake_secret"
WEBHOOK_SECRET = "omnicanal-fake-webhook-secret"

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


def api(base: str, key: str = KEY, secret: str = SECRET) -> API:
    return API(url=base, consumer_key=key, consumer_secret=secret, version="wc/v3", timeout=10)


def run(base: str) -> None:
    wc = api(base)

    # Pages: 3 simple products and 1 variable product in the standalone fake.
    first = wc.get("products", params={"per_page": 2, "page": 1, "orderby": "id", "order": "asc"})
    check("GET products (OAuth 1.0a signed) answers 200", first.status_code == 200, f"{first.status_code} {first.text[:200]}")
    check(
        "X-WP-Total and X-WP-TotalPages count the catalogue",
        first.headers.get("X-WP-Total") == "4" and first.headers.get("X-WP-TotalPages") == "2",
        f"{first.headers.get('X-WP-Total')} / {first.headers.get('X-WP-TotalPages')}",
    )
    second = wc.get("products", params={"per_page": 2, "page": 2, "orderby": "id", "order": "asc"})
    products = first.json() + second.json()
    check("two pages hold four distinct products", len({p["id"] for p in products}) == 4, str([p["id"] for p in products]))
    check(
        "prices are decimal strings",
        all(isinstance(p["regular_price"], str) for p in products),
        str([p["regular_price"] for p in products]),
    )
    variable = next((p for p in products if p["type"] == "variable"), None)
    check("a variable product is listed", variable is not None)
    if variable is not None:
        variations = wc.get(f"products/{variable['id']}/variations").json()
        skus = sorted(v.get("sku") for v in variations)
        check("its variations carry their own SKUs", skus == ["HOODIE-L", "HOODIE-M", "HOODIE-S"], str(skus))

    # A stock write with PUT, read back.
    mug = next(p for p in products if p["sku"] == "MUG-001")
    put = wc.put(f"products/{mug['id']}", {"manage_stock": True, "stock_quantity": 7})
    check("PUT products/{id} answers 200", put.status_code == 200, f"{put.status_code} {put.text[:200]}")
    back = wc.get(f"products/{mug['id']}").json()
    check("stock_quantity reads back", back.get("stock_quantity") == 7, str(back.get("stock_quantity")))

    batch = wc.post("products/batch", {"update": [{"id": mug["id"], "regular_price": "13.75"}]})
    updated = batch.json().get("update", []) if batch.status_code == 200 else []
    check(
        "POST products/batch updates the price",
        len(updated) == 1 and updated[0].get("regular_price") == "13.75",
        f"{batch.status_code} {batch.text[:200]}",
    )
    bad_price = wc.put(f"products/{mug['id']}", {"regular_price": 13.75})
    check("a price that is not a string is refused with 400", bad_price.status_code == 400, str(bad_price.status_code))

    # Orders.
    orders = wc.get("orders", params={"per_page": 10}).json()
    check("GET orders lists the demo order", len(orders) == 1 and orders[0]["line_items"][0]["sku"] == "MUG-001", str(orders)[:200])
    if orders:
        order_id = orders[0]["id"]
        done = wc.put(f"orders/{order_id}", {"status": "completed"})
        check("PUT orders/{id} completes it", done.status_code == 200 and done.json().get("status") == "completed", done.text[:200])
        wrong = wc.put(f"orders/{order_id}", {"status": "shipped"})
        check("an unknown status word is refused with 400", wrong.status_code == 400, str(wrong.status_code))

        # A webhook delivery, signed as WooCommerce's WC_Webhook::generate_signature does.
        delivery = requests.get(f"{base}/__fake/webhook/{order_id}", timeout=10).json()
        headers = dict(delivery["headers"])
        body = delivery["body"].encode("utf-8")
        php_signature = base64.b64encode(hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).digest()).decode()
        check(
            "X-WC-Webhook-Signature is base64(HMAC-SHA256(secret, body))",
            headers.get("X-WC-Webhook-Signature") == php_signature,
            f"{headers.get('X-WC-Webhook-Signature')} != {php_signature}",
        )
        check("the webhook topic is order.updated", headers.get("X-WC-Webhook-Topic") == "order.updated", str(headers))
        check("the webhook body is the order", json.loads(body).get("id") == order_id)

    # Refusals.
    wrong_secret = api(base, secret="cs_wrong").get("products")
    check(
        "a wrong consumer secret is refused with 401",
        wrong_secret.status_code == 401 and wrong_secret.json().get("code") == "woocommerce_rest_authentication_error",
        f"{wrong_secret.status_code} {wrong_secret.text[:200]}",
    )
    wrong_key = api(base, key="ck_wrong").get("products")
    check("a wrong consumer key is refused with 401", wrong_key.status_code == 401, f"{wrong_key.status_code}")
    signed = OAuth(f"{base}/wp-json/wc/v3/products", KEY, SECRET, version="wc/v3", method="GET").get_oauth_url()
    once = requests.get(signed, timeout=10)
    twice = requests.get(signed, timeout=10)
    check(
        "a replayed nonce is refused",
        once.status_code == 200 and twice.status_code == 401,
        f"{once.status_code} then {twice.status_code}",
    )


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    fake = subprocess.Popen([sys.argv[1], "woocommerce"], stdout=subprocess.PIPE, text=True)
    try:
        base = (fake.stdout.readline() if fake.stdout else "").strip()
        check("fakeshops woocommerce printed its base URL", base.startswith("http://"), repr(base))
        if base.startswith("http://"):
            try:
                run(base)
            except Exception:  # noqa: BLE001 - one failure line, then the summary
                check("the check ran to the end", False, traceback.format_exc(limit=3))
    finally:
        fake.terminate()
        try:
            fake.wait(timeout=5)
        except subprocess.TimeoutExpired:
            fake.kill()
    print(f"RESULT passed={passed} failed={failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
