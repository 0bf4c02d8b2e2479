"""The fake Magento (`fakeshops magento`) asked the way Adobe's REST docs ask a real shop.

Magento publishes no official client library on PyPI or npm, so the judge here is the docs
themselves: requests written with plain urllib in the query form of "Search using REST
endpoints" (https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/),
with the token of https://developer.adobe.com/commerce/webapi/get-started/authentication/gs-authentication-token/,
and the bodies of "Manage source items" and the catalog pricing pages, checking the shapes the
docs show come back.

Usage: magento_check.py <path to the fakeshops binary>. Prints PASS:/FAIL: lines and
`RESULT passed=N failed=M`.
"""

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

TOKEN = "magento-integration-token"  # the token `fakeshops magento` accepts
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"PASS: {name}")
    else:
        failed += 1
        print(f"FAIL: {name} {detail}".rstrip())


def call(base, method, path, query="", body=None, token=TOKEN):
    # The docs write queries with literal brackets; quote everything else as a browser would.
    url = f"{base}{path}" + ("?" + urllib.parse.quote(query, safe="=&[]") if query else "")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def f(group, index, field, value, condition):
    prefix = f"searchCriteria[filter_groups][{group}][filters][{index}]"
    return f"{prefix}[field]={field}&{prefix}[value]={value}&{prefix}[condition_type]={condition}"


def main():
    binary = sys.argv[1]
    shop = subprocess.Popen([binary, "magento"], stdout=subprocess.PIPE, text=True)
    try:
        base = shop.stdout.readline().strip()
        run(base)
    finally:
        shop.terminate()
        shop.wait(timeout=10)
    print(f"RESULT passed={passed} failed={failed}")


def run(base):
    status, body = call(base, "GET", "/rest/V1/products", "searchCriteria[pageSize]=1", token="wrong")
    check("a wrong token answers 401 with message and parameters", status == 401
          and body.get("message") == "The consumer isn't authorized to access %resources."
          and body.get("parameters", {}).get("resources") == "Magento_Catalog::products", f"{status} {body}")

    status, body = call(base, "GET", "/rest/V1/products", "searchCriteria[pageSize]=2&searchCriteria[currentPage]=1")
    check("products answer {items, search_criteria, total_count}", status == 200
          and set(body) >= {"items", "search_criteria", "total_count"} and len(body["items"]) == 2
          and body["search_criteria"].get("page_size") == 2, f"{status} {body}")
    item = body["items"][0] if body.get("items") else {}
    check("a product has id, sku, name, price, status, type_id and custom_attributes",
          {"id", "sku", "name", "price", "status", "type_id", "custom_attributes"} <= set(item)
          and all({"attribute_code", "value"} <= set(a) for a in item.get("custom_attributes", [])), f"{item}")
    total = body.get("total_count", 0)

    status, past = call(base, "GET", "/rest/V1/products", "searchCriteria[pageSize]=2&searchCriteria[currentPage]=99")
    last_page = (total + 1) // 2
    _, last = call(base, "GET", "/rest/V1/products", f"searchCriteria[pageSize]=2&searchCriteria[currentPage]={last_page}")
    check("a currentPage past the end answers the last page again", past.get("items") == last.get("items")
          and past.get("total_count") == total, f"{past}")

    # The docs' OR example: two `like` filters in one group.
    status, body = call(base, "GET", "/rest/V1/products", f(0, 0, "sku", "TEE-%", "like") + "&" + f(0, 1, "sku", "MUG%", "like"))
    skus = sorted(i["sku"] for i in body.get("items", []))
    check("filters in one group are ORed (like)", skus == ["MUG-1", "TEE-M", "TEE-S"], f"{skus}")

    # The docs' AND: two groups.
    status, body = call(base, "GET", "/rest/default/V1/products", f(0, 0, "sku", "TEE%", "like") + "&" + f(1, 0, "type_id", "simple", "eq"))
    skus = sorted(i["sku"] for i in body.get("items", []))
    check("groups are ANDed, under the store-scoped /rest/default/V1", skus == ["TEE-M", "TEE-S"], f"{status} {skus}")

    status, body = call(base, "GET", "/rest/V1/inventory/source-items", f(0, 0, "sku", "TEE-S,TEE-M", "in"))
    items = body.get("items", [])
    check("source items filtered with `in` answer sku, source_code, quantity, status",
          len(items) == 2 and all({"sku", "source_code", "quantity", "status"} <= set(i) for i in items), f"{body}")

    status, body = call(base, "POST", "/rest/V1/inventory/source-items",
                        body={"sourceItems": [{"sku": "MUG-1", "source_code": "default", "quantity": 7, "status": 1}]})
    _, after = call(base, "GET", "/rest/V1/inventory/source-items", f(0, 0, "sku", "MUG-1", "eq"))
    check("POST source-items saves the batch", status == 200
          and [i["quantity"] for i in after.get("items", [])] == [7], f"{status} {body} {after}")

    status, body = call(base, "POST", "/rest/V1/products/base-prices",
                        body={"prices": [{"price": 13.5, "store_id": 0, "sku": "MUG-1"}]})
    _, mug = call(base, "GET", "/rest/V1/products", f(0, 0, "sku", "MUG-1", "eq"))
    check("POST base-prices answers [] and the price changes", status == 200 and body == []
          and [i["price"] for i in mug.get("items", [])] == [13.5], f"{status} {body}")
    status, body = call(base, "POST", "/rest/V1/products/base-prices",
                        body={"prices": [{"price": 1, "store_id": 0, "sku": "NO-SUCH"}]})
    check("base-prices lists per-item errors with message and parameters", status == 200
          and len(body) == 1 and {"message", "parameters"} <= set(body[0]), f"{status} {body}")

    # The docs' timestamp search on orders, sorted.
    query = f(0, 0, "created_at", "2016-07-01 00:00:00", "gt") + \
        "&searchCriteria[sortOrders][0][field]=created_at&searchCriteria[sortOrders][0][direction]=ASC"
    status, body = call(base, "GET", "/rest/V1/orders", query)
    orders = body.get("items", [])
    order = orders[0] if orders else {}
    check("orders searched by created_at answer entity_id, increment_id, state, status, items, grand_total",
          status == 200 and body.get("total_count") == 1
          and {"entity_id", "increment_id", "state", "status", "items", "grand_total", "order_currency_code",
               "customer_firstname", "billing_address", "created_at", "updated_at"} <= set(order), f"{body}")
    lines = order.get("items", [])
    parents = [i for i in lines if i.get("product_type") == "configurable"]
    children = [i for i in lines if i.get("parent_item_id")]
    check("a configurable sale is a parent line and a child line of the same SKU",
          len(parents) == 1 and len(children) == 1 and parents[0]["sku"] == children[0]["sku"]
          and children[0]["parent_item_id"] == parents[0]["item_id"], f"{lines}")

    status, body = call(base, "GET", "/rest/V1/orders", "searchCriteria[filterGroups][0][filters][0][field]=status"
                        "&searchCriteria[filterGroups][0][filters][0][value]=pending")
    check("camelCase filterGroups and a default `eq` are read", body.get("total_count") == 1, f"{body}")

    entity = order.get("entity_id", 0)
    status, body = call(base, "POST", f"/rest/V1/orders/{entity}/comments",
                        body={"statusHistory": {"comment": "Packed", "is_customer_notified": 0,
                                                "is_visible_on_front": 0, "parent_id": entity}})
    check("POST orders/{id}/comments answers true", status == 200 and body is True, f"{status} {body}")
    status, body = call(base, "POST", f"/rest/V1/orders/{entity}/cancel")
    _, after = call(base, "GET", "/rest/V1/orders", f(0, 0, "entity_id", str(entity), "eq"))
    check("POST orders/{id}/cancel answers true and the order is canceled", status == 200 and body is True
          and [o["state"] for o in after.get("items", [])] == ["canceled"], f"{status} {body}")


if __name__ == "__main__":
    main()
