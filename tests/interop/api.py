"""A small client for the Omnicanal HTTP API, shared by the interop checks.

Only `requests` and the contract (shared/CONTRACT.md) are used here: nothing of the
server's own code, so the checks stay an independent judge.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests

ADMIN_EMAIL = "admin@interop.test"
ADMIN_PASSWORD = "interop-password-1"


class ApiError(AssertionError):
    """A request did not answer the status the check expected."""


class Api:
    def __init__(self, base: str, token: str | None = None, timeout: float = 15.0):
        self.base = base.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        # Never pick up a proxy from the environment: run.sh points HTTP(S)_PROXY at a
        # dead loopback port for the *server*, and the checks talk to loopback only.
        self.session.trust_env = False

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        expect: int | tuple[int, ...] = (200, 201),
        headers: dict[str, str] | None = None,
    ) -> Any:
        url = f"{self.base}/api/v1{path}"
        response = self.session.request(
            method, url, json=body, headers=self._headers(headers), timeout=self.timeout
        )
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in wanted:
            raise ApiError(
                f"{method} {path} answered {response.status_code}, expected {wanted}: "
                f"{response.text[:500]}"
            )
        if not response.content:
            return None
        return response.json()

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("POST", path, body, **kw)

    def login(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> "Api":
        answer = self.post("/auth/login", {"email": email, "password": password}, expect=200)
        return Api(self.base, answer["token"], self.timeout)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def seed_catalog(admin: Api, *, stock: int = 50, price: int = 4990) -> dict[str, Any]:
    """A site, a merchant, a location, one tracked product and stock at that location."""
    site = admin.post(
        "/sites",
        {"name": unique("Interop site"), "country": "CL", "currency": "CLP",
         "timezone": "America/Santiago"},
        expect=201,
    )
    merchant = admin.post(
        "/merchants",
        {"name": unique("Interop merchant"), "kind": "restaurant", "commission_bps": 1000},
        expect=201,
    )
    location = admin.post(
        "/locations",
        {"merchant_id": merchant["id"], "site_id": site["id"], "name": unique("Counter"),
         "pay_at_pickup": True},
        expect=201,
    )
    sku = unique("SKU").upper()
    product = admin.post(
        "/products",
        {"merchant_id": merchant["id"], "name": unique("Empanada"), "track_stock": True,
         "variants": [{"sku": sku, "price": {"amount": price, "currency": "CLP"}}]},
        expect=201,
    )
    admin.post(
        "/stock/movements",
        {"sku": sku, "location_id": location["id"], "delta": stock, "reason": "receipt"},
        expect=201,
    )
    return {"site": site, "merchant": merchant, "location": location, "product": product,
            "sku": sku}


def place_order(api: Api, catalog: dict[str, Any], quantity: int = 2) -> dict[str, Any]:
    return api.post(
        "/orders",
        {"site_id": catalog["site"]["id"], "channel": "qr", "customer": {"name": "Ana"},
         "lines": [{"sku": catalog["sku"], "location_id": catalog["location"]["id"],
                    "quantity": quantity}],
         "payment": {"method": "card", "card_number": "4242424242424242"}},
        expect=201,
    )
