#!/usr/bin/env python3
"""The fake PrestaShop judged by prestapyt, a widely used third-party Webservice client.

PrestaShop's own client (PSWebServiceLibrary, PHP) is in no registry we reach, so the
independent reader of the fake's XML is prestapyt's `PrestaShopWebServiceDict`: it sends the
key as the HTTP Basic user with an empty password, parses every answer with ElementTree into
dicts, and writes edits back as XML built from those dicts (dict2xml). Its round trip of a
`stock_available` (GET, change `quantity`, PUT the whole resource) is a check of the fake's
XML both ways that our own client cannot give.

Starts `fakeshops prestashop` (the path given, first line of output = its base URL), then:
a wrong key is refused with 401; products are listed (bare ids, `limit`, `sort`, `display`,
`filter`); a stock_available is read, edited and read back; an order history moves an order's
state; a date filter without `date=1` is refused.

Prints one `PASS: ...` or `FAIL: ...` line per check and ends with
`RESULT passed=N failed=M`; exits 1 when any check failed.

Usage: prestashop_check.py path/to/fakeshops
"""

from __future__ import annotations

import subprocess
import sys
import traceback
import warnings

from prestapyt import PrestaShopAuthenticationError, PrestaShopWebServiceDict, PrestaShopWebServiceError

# The key `fakeshops prestashop` accepts (omnicanal_fakeshops::prestashop::DEMO_API_KEY).
KEY = "ZR92FNY5UFRERNI3O9Z5QDHWKTP3YIIT"

passed = 0
failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"PASS: {name}")
    else:
        failed += 1
        print(f"FAIL: {name}{': ' + str(detail) if detail else ''}")


def run(name, test):
    try:
        test()
    except Exception as error:  # one broken check must not hide the others
        check(name, False, f"{type(error).__name__}: {error}")
        traceback.print_exc(file=sys.stderr)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    # prestapyt warns that it knows PrestaShop up to 1.7.8; the fake says 8.1.7.
    warnings.simplefilter("ignore")
    fake = subprocess.Popen([sys.argv[1], "prestashop"], stdout=subprocess.PIPE, text=True)
    try:
        base = fake.stdout.readline().strip()
        check("fakeshops prestashop printed its base URL", base.startswith("http://"), base)
        if not base.startswith("http://"):
            return 1
        shop = PrestaShopWebServiceDict(base + "/api", KEY)

        def wrong_key():
            try:
                PrestaShopWebServiceDict(base + "/api", "WRONGKEY").search("products")
                check("a wrong key is refused with 401", False, "it was accepted")
            except PrestaShopAuthenticationError as error:
                check("a wrong key is refused with 401", error.error_code == 401, error.error_code)

        def listing():
            ids = shop.search("products")
            check("search('products') lists the demo products' ids", len(ids) == 3, ids)
            page = shop.search("products", options={"limit": "1,2", "sort": "[id_DESC]"})
            check("limit=offset,count and sort=[id_DESC] page the list", page == sorted(ids, reverse=True)[1:3], page)
            found = shop.get(
                "products", options={"display": "[id,reference,price,name]", "filter[reference]": "[demo_1]"}
            )
            product = found["products"]["product"]
            check(
                "display=[…] and filter[reference] give the product's fields",
                product.get("reference") == "demo_1" and product.get("price") == "23.900000",
                product,
            )
            name = product.get("name", {}).get("language", {})
            check("name is a language array", isinstance(name, dict) and name.get("value") == "Hummingbird printed t-shirt", name)

        def stock_round_trip():
            product_id = shop.search("products", options={"filter[reference]": "[demo_2]"})[0]
            stock_ids = shop.search("stock_availables", options={"filter[id_product]": f"[{product_id}]"})
            check("the simple product has one stock_available", len(stock_ids) == 1, stock_ids)
            stock = shop.get("stock_availables", stock_ids[0])
            row = stock["stock_available"]
            # 30 in stock, 2 sold by the demo order.
            check("the stock_available reads as documented", row.get("quantity") == "28" and row.get("id_product_attribute") == "0", row)
            row["quantity"] = "17"
            answer = shop.edit("stock_availables", stock).get("prestashop", {}).get("stock_available", {})
            check("PUT of the whole stock_available answers it", answer.get("quantity") == "17", answer)
            again = shop.get("stock_availables", stock_ids[0])["stock_available"]
            check("the new quantity reads back", again.get("quantity") == "17", again)
            row.pop("depends_on_stock", None)
            try:
                shop.edit("stock_availables", stock)
                check("a PUT without a required field is refused", False, "it was accepted")
            except PrestaShopWebServiceError as error:
                check("a PUT without a required field is refused", error.error_code == 400, error.error_code)

        def order_history():
            blank = shop.get("order_histories", options={"schema": "blank"})
            check("schema=blank gives an empty order_history", "id_order_state" in blank.get("order_history", {}), blank)
            order_id = shop.search("orders")[0]
            shop.add("order_histories", {"order_history": {"id_order": order_id, "id_order_state": 4}})
            order = shop.get("orders", order_id)["order"]
            check("an order_history moves the order to state 4 (shipped)", order.get("current_state") == "4", order.get("current_state"))
            rows = order.get("associations", {}).get("order_rows", {}).get("order_row")
            check("the order's rows name the SKU sold", isinstance(rows, dict) and rows.get("product_reference") == "demo_2", rows)

        def date_filter_needs_date_1():
            window = "[2000-01-01 00:00:00,2099-12-31 23:59:59]"
            ids = shop.search("orders", options={"filter[date_upd]": window, "date": 1})
            check("filter[date_upd]=[…]&date=1 finds the order", len(ids) == 1, ids)
            try:
                shop.search("orders", options={"filter[date_upd]": window})
                check("a date filter without date=1 is refused", False, "it was accepted")
            except PrestaShopWebServiceError as error:
                check("a date filter without date=1 is refused", error.error_code == 400, error.error_code)

        run("wrong key", wrong_key)
        run("listing", listing)
        run("stock round trip", stock_round_trip)
        run("order history", order_history)
        run("date filter", date_filter_needs_date_1)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    print(f"RESULT passed={passed} failed={failed}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
