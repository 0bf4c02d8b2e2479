#!/usr/bin/env python3
"""Seeds data for the schemathesis run and writes its config file.

Without real ids, nearly every generated request stops at a 404 or a 422 and the
fuzzer never reaches the code behind them. So this script creates a small world
(a site, a merchant with two locations, a tracked and an untracked product with stock,
a few placed orders, a webhook to a dead loopback port), then writes
`OUT_DIR/schemathesis.toml` whose dictionaries feed those ids and the contract's enum
values (countries, channels, statuses...) into generated path parameters and bodies
with a probability below 1, so random values are still tried too.

It also writes the admin's bearer token to `OUT_DIR/token`.

Usage: seed_schemathesis.py http://127.0.0.1:PORT OUT_DIR DEAD_PORT
"""

from __future__ import annotations

import json
import os
import sys

from api import Api, place_order, seed_catalog, unique

# Chance that a bound field takes a dictionary value instead of a generated one.
P = 0.8
# References inside a body are always bound: an unknown id there is a 422 (the contract's "unknown
# reference"), which positive_data_acceptance would rightly call a refusal of schema-valid data,
# though no schema can say which ids exist. Unknown ids in paths and queries (404, accepted)
# still come with probability 1 - P; unknown ids in bodies are covered by tests/api/bad_input.rs.
ALWAYS = 1.0
I64_MAX = 2**63 - 1
I64_MIN = -(2**63)
# Made-up secrets per shop kind (the fields `NewConnection::parse` requires); written to
# seeded.json for st_hooks.py, which keeps positive connection bodies within the kind's fields.
CONNECTION_CREDENTIALS = {
    "woocommerce": {"consumer_key": "ck_interop", "consumer_secret": "cs_interop", "webhook_secret": "interop"},
    "prestashop": {"api_key": "INTEROPKEY"},
    "magento": {"token": "interop-token"},
    "shopify": {"access_token": "shpat_interop", "webhook_secret": "interop"},
}


def toml_value(value: object) -> str:
    # JSON strings, numbers and arrays of them are valid TOML.
    return json.dumps(value)


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    base, out_dir, dead_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    admin = Api(base).login()
    public = Api(base)

    catalog = seed_catalog(admin, stock=500)
    second_location = admin.post(
        "/locations",
        {"merchant_id": catalog["merchant"]["id"], "site_id": catalog["site"]["id"],
         "name": unique("Second counter"), "pay_at_pickup": False},
        expect=201,
    )
    untracked_sku = unique("DISH").upper()
    dish = admin.post(
        "/products",
        {"merchant_id": catalog["merchant"]["id"], "name": unique("Completo"),
         "track_stock": False,
         "variants": [{"sku": untracked_sku, "price": {"amount": 3500, "currency": "CLP"}}]},
        expect=201,
    )
    orders = [place_order(public, catalog, quantity=q) for q in (1, 2, 3)]
    fulfillment_ids = [part["id"] for order in orders for part in order["fulfillments"]]
    # Deliveries to a port nobody listens on: refused at once, retried, harmless.
    dead_url = f"http://127.0.0.1:{dead_port}/hook"
    webhook = admin.post(
        "/webhooks", {"url": dead_url, "events": ["order.created", "stock.changed"]}, expect=201
    )
    spec_paths = set(public.session.get(f"{base}/api/openapi.json", timeout=15).json()["paths"])
    transfer_ids = []
    if "/api/v1/stock/transfers" in spec_paths:
        transfer = admin.post(
            "/stock/transfers",
            {"sku": catalog["sku"], "from_location_id": catalog["location"]["id"],
             "to_location_id": second_location["id"], "quantity": 5},
            expect=(200, 201),
        )
        transfer_ids.append(transfer["id"])
    # A shop connection, so its routes are asked about a real id. Its shop is the dead loopback
    # port (allowed: run.sh names loopback in OMNICANAL_OUTBOUND_ALLOWED_HOSTS): the import is
    # refused at once and backed off, and the connection shows it (status failing).
    connection_ids, connection_kind = [], "woocommerce"
    shop_url = f"http://127.0.0.1:{dead_port}"
    if "/api/v1/connections" in spec_paths:
        connection = admin.post(
            "/connections",
            {"merchant_id": catalog["merchant"]["id"], "kind": connection_kind,
             "name": unique("Interop shop"), "base_url": shop_url,
             "credentials": CONNECTION_CREDENTIALS[connection_kind],
             "location_ids": [catalog["location"]["id"]]},
            expect=201,
        )
        connection_ids.append(connection["id"])

    dictionaries: dict[str, list[object]] = {
        "site_id": [catalog["site"]["id"]],
        "merchant_id": [catalog["merchant"]["id"]],
        "location_id": [catalog["location"]["id"], second_location["id"]],
        "product_id": [catalog["product"]["id"], dish["id"]],
        "sku": [catalog["sku"], untracked_sku],
        "order_id": [order["id"] for order in orders],
        "fulfillment_id": fulfillment_ids,
        "webhook_id": [webhook["id"]],
        "transfer_id": transfer_ids or ["none"],
        "connection_id": connection_ids or ["none"],
        "connection_kind": [connection_kind],
        "country": ["CL", "PE", "CO"],
        "currency": ["CLP", "PEN", "COP"],
        "site_currency": [catalog["site"]["currency"]],
        "timezone": ["America/Santiago", "America/Lima", "America/Bogota"],
        "merchant_kind": ["restaurant", "retail"],
        "commission_bps": [0, 1000, 10000, 10001, -1, I64_MIN],
        "channel": ["qr", "web", "pos", "phone", "kiosk", "tablet", "shop:interop"],
        "payment_method": ["card", "pay_at_pickup"],
        "card_number": ["4242424242424242", "4000000000000002"],
        # Integers: usual values plus the edges (limits, and i64's ends for overflow).
        "quantity": [1, 2, 9999, 10000, 0, -1, I64_MAX, I64_MIN],
        "units": [0, 1, 5, 1000, -1, I64_MAX, I64_MIN],
        "amount": [0, 990, 12990, -1, I64_MAX, I64_MIN],
        "delta": [1, 10, -1, 1000000, -1000001, I64_MAX, I64_MIN],
        "movement_reason": ["receipt", "adjustment", "count", "return", "damage", "loss",
                            "transfer_in", "transfer_out", "correction"],
        "fulfillment_status": ["accepted", "preparing", "ready", "collected", "rejected",
                               "cancelled", "placed"],
        "role": ["admin", "merchant_manager", "staff", "support_agent"],
        "event_type": ["order.created", "fulfillment.status_changed", "payment.refunded",
                       "stock.changed", "price.changed"],
        # Webhook URLs stay on loopback: the server must not POST anywhere else.
        "webhook_url": [dead_url],
        "email": ["admin@interop.test", "someone@interop.test"],
        "page_number": [0, 1, 500, 501, -1, I64_MAX, I64_MIN],
    }

    # References inside bodies, always bound (see ALWAYS).
    references = {
        "body.site_id": "site_id",
        "body.merchant_id": "merchant_id",
        "body.location_id": "location_id",
        "body.sku": "sku",
        "body.lines[*].sku": "sku",
        "body.lines[*].location_id": "location_id",
        "body.from_location_id": "location_id",
        "body.to_location_id": "location_id",
        "body.location_ids[*]": "location_id",
        "body.prices[*].sku": "sku",
        # Prices are in the seeded site's currency: another one is refused (422) for it.
        "body.variants[*].price.currency": "site_currency",
        "body.prices[*].price.currency": "site_currency",
        "body.modifier_groups[*].options[*].price.currency": "site_currency",
        "body.kind.amount.currency": "site_currency",
        "body.kind.price.currency": "site_currency",
        "body.min_spend.currency": "site_currency",
        # Lists of one merchant's things: an admin must name the merchant (422 without).
        "query.merchant_id": "merchant_id",
        # Pickup slots are asked for the site's own locations.
        "query.location_ids": "location_id",
    }
    # Fields bound in every operation whose body or query has them.
    everywhere = {
        "body.lines[*].quantity": "quantity",
        "body.channel": "channel",
        "body.payment.method": "payment_method",
        "body.payment.card_number": "card_number",
        "body.country": "country",
        "body.currency": "currency",
        "body.timezone": "timezone",
        "body.kind": "merchant_kind",
        "body.commission_bps": "commission_bps",
        "body.variants[*].price.amount": "amount",
        "body.delta": "delta",
        "body.role": "role",
        "body.events[*]": "event_type",
        "body.url": "webhook_url",
        "body.email": "email",
        "query.location_id": "location_id",
        "query.sku": "sku",
        "query.status": "fulfillment_status",
        "query.site_id": "site_id",
        "query.channel": "channel",
        "query.limit": "page_number",
        "query.offset": "page_number",
        "body.quantity": "quantity",
        "body.counted": "units",
        "body.safety_buffer": "units",
    }
    # Path ids and fields whose meaning depends on the operation.
    per_operation = [
        ("/api/v1/sites/{id}", None, {"path.id": "site_id"}),
        ("/api/v1/sites/{id}/menu", None, {"path.id": "site_id"}),
        ("/api/v1/merchants/{id}", None, {"path.id": "merchant_id"}),
        ("/api/v1/merchants/{id}/products", None, {"path.id": "merchant_id"}),
        ("/api/v1/merchants/{id}/settlement", None, {"path.id": "merchant_id"}),
        ("/api/v1/locations/{id}", None, {"path.id": "location_id"}),
        ("/api/v1/locations/{id}/fulfillments", None, {"path.id": "location_id"}),
        ("/api/v1/products/{id}", None, {"path.id": "product_id"}),
        # The manager's catalogue (issue 15 point 2).
        ("/api/v1/products/{id}/archive", None, {"path.id": "product_id"}),
        ("/api/v1/products/{id}/unarchive", None, {"path.id": "product_id"}),
        ("/api/v1/merchants/{id}/categories", None, {"path.id": "merchant_id"}),
        ("/api/v1/merchants/{id}/categories/rename", None, {"path.id": "merchant_id"}),
        ("/api/v1/orders/{id}", None, {"path.id": "order_id"}),
        ("/api/v1/fulfillments/{id}/transition", "POST",
         {"path.id": "fulfillment_id", "body.to": "fulfillment_status"}),
        ("/api/v1/webhooks/{id}/deliveries", None, {"path.id": "webhook_id"}),
        ("/api/v1/stock/movements", "POST", {"body.reason": "movement_reason"}),
        ("/api/v1/locations/{id}/channels", None, {"path.id": "location_id"}),
        ("/api/v1/locations/{id}/channels/{channel}", None,
         {"path.id": "location_id", "path.channel": "channel"}),
        ("/api/v1/webhooks/{id}", None, {"path.id": "webhook_id"}),
        ("/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", None,
         {"path.id": "webhook_id"}),
        ("/api/v1/stock/transfers/{id}", None, {"path.id": "transfer_id"}),
        ("/api/v1/stock/transfers/{id}/receive", None, {"path.id": "transfer_id"}),
        # CSV exports in the imports' columns (issue 15 point 2).
        ("/api/v1/merchants/{id}/products.csv", None, {"path.id": "merchant_id"}),
        ("/api/v1/locations/{id}/stock.csv", None, {"path.id": "location_id"}),
        # Shop connections (issue 16).
        ("/api/v1/connections/{id}", None, {"path.id": "connection_id"}),
        ("/api/v1/connections/{id}/sync", None, {"path.id": "connection_id"}),
        ("/api/v1/connections/{id}/webhooks", None, {"path.id": "connection_id"}),
        ("/api/v1/connections/{id}/conflicts", None, {"path.id": "connection_id"}),
        ("/api/v1/connections/{id}/conflicts/{conflict_id}/resolve", None, {"path.id": "connection_id"}),
        ("/api/v1/connections/{id}/orders", None, {"path.id": "connection_id"}),
        ("/api/v1/connections/{id}/unmatched/link", None, {"path.id": "connection_id"}),
        # The retail catalogue in the console (issue 17 points 1 and 2).
        ("/api/v1/products/{id}/variant-grid", None, {"path.id": "product_id"}),
        ("/api/v1/products/{id}/gallery/{photo_id}", None, {"path.id": "product_id"}),
        ("/api/v1/merchants/{id}/shop-slug", None, {"path.id": "merchant_id"}),
    ]
    # Operations whose schema-valid requests may still be refused with 422 for what no schema can
    # say, each with the reason; positive_data_acceptance takes 422 there and nowhere else.
    refused_for_the_world = [
        # The endpoint must be a push service the server allows, and the keys a real P-256
        # point and auth secret: checked when subscribing, not expressible as a pattern.
        ("/api/v1/orders/{id}/push-subscriptions", "POST"),
        # A price list's window may not partly overlap another list of the same scope, which
        # the fuzzer's own earlier lists make likely: a rule about the stored lists (422 today;
        # a 409 would say so better, see the session report).
        ("/api/v1/price-lists", "POST"),
        ("/api/v1/price-lists/{id}", "PUT"),
        # A till's printer host must resolve, and to a public address unless the outbound
        # allow-list names it: the network's answer, not the request's shape.
        ("/api/v1/pos/devices/{id}/printer", "PUT"),
        # A modifier group's min must not pass its max, nor its max the number of its options:
        # a rule across fields of the same group that JSON Schema cannot state.
        ("/api/v1/products", "POST"),
        ("/api/v1/products/{id}", "PATCH"),
        # A gift card's code ends in a check character over the others (a typo is told before
        # any lookup): a rule no pattern can state.
        ("/api/v1/gift-cards/balance", "GET"),
        # A purchase is found by exactly one of its order, order number, sale, receipt or the
        # customer's phone: a rule across parameters.
        ("/api/v1/returns/lookup", "GET"),
        # A customer is named by an e-mail or a phone, each checked as such: one of two formats
        # whose rules (a domain, a country's digits) no pattern states whole.
        ("/api/v1/store-credit", "GET"),
        # A variant grid's variants must each name one offered value of every option, no two the
        # same combination, and a SKU at most once: rules across the list's items.
        ("/api/v1/products/{id}/variant-grid", "PUT"),
        # An endless-aisle order's rules span its fields: every line from one source location,
        # an address exactly when it is a delivery, a phone or an e-mail, tenders that cover the
        # engine's total and a session of this till (issue 17 point 7).
        ("/api/v1/pos/devices/{id}/aisle-orders", "POST"),
        # A tracking reference is required exactly when the step is `shipped`: across fields.
        ("/api/v1/shipments/{id}/steps", "POST"),
        # The knowledge base (issue 18 point 4): an article's translation must be another
        # existing article in the other language; a help session's ticket id only goes with the
        # outcome `ticket`; a deflection window's `from` must come before `to`, within 366 days.
        ("/api/v1/support/articles", "POST"),
        ("/api/v1/support/articles/{id}", "PUT"),
        ("/api/v1/support/help-sessions/{id}/end", "POST"),
        ("/api/v1/support/articles/deflection", "GET"),
        # A macro's text may name only the desk's {placeholders}, a blank title or body counts
        # as none, and a change names at least one field (issue 18 point 2): rules about words
        # and across fields no pattern states.
        ("/api/v1/support/macros", "POST"),
        ("/api/v1/support/macros/{id}", "PATCH"),
        # The on-call rota (issue 18 point 3): a shift's agent must be an existing active agent,
        # its times RFC 3339 with the end after the start and at most 31 days later; an agent's
        # push endpoint must be on the allow-list with real keys, as for orders.
        ("/api/v1/support/on-call", "POST"),
        ("/api/v1/support/push-subscriptions", "POST"),
        # Bookings (issue 19): a table has seats and a stylist none; exactly one of a party and a
        # service; a start on the 15-minute grid, after the notice, within the window and the
        # opening hours; a booking that has started cannot be cancelled: rules across fields and
        # about the clock and the location's hours no schema states.
        ("/api/v1/locations/{id}/resources", "POST"),
        ("/api/v1/services", "POST"),
        ("/api/v1/locations/{id}/availability", "GET"),
        ("/api/v1/bookings", "POST"),
        ("/api/v1/bookings/{id}/cancel", "POST"),
    ]
    # A photo upload is judged by its bytes, which no schema can say: generated binary is
    # refused as not an image (415), an image that does not decode (422) or too big (413).
    refused_photo = ("/api/v1/products/{id}/photo", "POST")
    # The API grows while this suite stands still: bind only operations it has.
    per_operation = [entry for entry in per_operation if entry[0] in spec_paths]

    lines = [
        "# Generated by tests/interop/seed_schemathesis.py for one run; do not edit.",
        f"hooks = {toml_value(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'st_hooks.py'))}",
        "",
        "[generation]",
        'database = "none"',
        "",
        "[parameters]",
    ]
    for key, name in references.items():
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = {ALWAYS} }}')
    for key, name in everywhere.items():
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = {P} }}')
    lines.append("")
    # Schema-valid data must be taken: a 2xx, or an answer about the world rather than the
    # request's shape (401/403/404, a 409 conflict, a 402 declined card, a 423 till whose
    # approvals the fuzzer's own wrong PINs locked, 429).
    lines.append("[checks.positive_data_acceptance]")
    lines.append('expected-statuses = ["2xx", "3xx", "401", "402", "403", "404", "409", "423", "429"]')
    lines.append("")
    for name, values in dictionaries.items():
        lines.append(f"[dictionaries.{name}]")
        lines.append(f"values = {toml_value(values)}")
        lines.append("")
    for path, method, bindings in per_operation:
        lines.append("[[operations]]")
        lines.append(f"include-path = {toml_value(path)}")
        if method:
            lines.append(f"include-method = {toml_value(method)}")
        inline = ", ".join(
            f'"{key}" = {{ dictionary = "{name}", probability = {P} }}'
            for key, name in bindings.items()
        )
        lines.append(f"parameters = {{ {inline} }}")
        lines.append("")

    for path, method in refused_for_the_world:
        if path not in spec_paths:
            continue
        lines.append("[[operations]]")
        lines.append(f"include-path = {toml_value(path)}")
        lines.append(f"include-method = {toml_value(method)}")
        lines.append("[operations.checks.positive_data_acceptance]")
        lines.append('expected-statuses = ["2xx", "3xx", "401", "402", "403", "404", "409", "422", "423", "429"]')
        lines.append("")

    if refused_photo[0] in spec_paths:
        # One entry per method, so the product ids and the statuses apply together.
        for method in ("POST", "DELETE"):
            lines.append("[[operations]]")
            lines.append(f"include-path = {toml_value(refused_photo[0])}")
            lines.append(f"include-method = {toml_value(method)}")
            lines.append('parameters = { "path.id" = { dictionary = "product_id", probability = %s } }' % P)
            if method == refused_photo[1]:
                lines.append("[operations.checks.positive_data_acceptance]")
                lines.append('expected-statuses = ["2xx", "3xx", "401", "402", "403", "404", "409", '
                             '"413", "415", "422", "423", "429"]')
            lines.append("")

    # A support ticket's photo (issue 18 point 3) is judged by its bytes too; its ticket ids
    # come from the fuzzer's own tickets, so only the statuses are bound here.
    refused_ticket_photo = "/api/v1/support/tickets/{id}/photos"
    if refused_ticket_photo in spec_paths:
        lines.append("[[operations]]")
        lines.append(f"include-path = {toml_value(refused_ticket_photo)}")
        lines.append('include-method = "POST"')
        lines.append("[operations.checks.positive_data_acceptance]")
        lines.append('expected-statuses = ["2xx", "3xx", "401", "402", "403", "404", "409", '
                     '"413", "415", "422", "423", "429"]')
        lines.append("")

    # A gallery photo is judged by its bytes as the main photo is (issue 17 point 1).
    refused_gallery = "/api/v1/products/{id}/gallery"
    if refused_gallery in spec_paths:
        for method in ("GET", "POST"):
            lines.append("[[operations]]")
            lines.append(f"include-path = {toml_value(refused_gallery)}")
            lines.append(f"include-method = {toml_value(method)}")
            lines.append('parameters = { "path.id" = { dictionary = "product_id", probability = %s } }' % P)
            if method == "POST":
                lines.append("[operations.checks.positive_data_acceptance]")
                lines.append('expected-statuses = ["2xx", "3xx", "401", "402", "403", "404", "409", '
                             '"413", "415", "422", "423", "429"]')
            lines.append("")

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "schemathesis.toml"), "w", encoding="utf-8") as fd:
        fd.write("\n".join(lines))
    # The ids st_hooks.py binds references in positive cases to.
    with open(os.path.join(out_dir, "seeded.json"), "w", encoding="utf-8") as fd:
        seeded = {key: dictionaries[key]
                  for key in ("site_id", "merchant_id", "location_id", "sku", "site_currency",
                              "connection_id", "connection_kind")}
        seeded["connection_credentials"] = CONNECTION_CREDENTIALS
        seeded["shop_url"] = shop_url
        json.dump(seeded, fd)
    with open(os.path.join(out_dir, "token"), "w", encoding="utf-8") as fd:
        fd.write(admin.token or "")
    print(f"seeded site {catalog['site']['id']}, {len(orders)} orders, webhook {webhook['id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
