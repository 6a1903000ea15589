#!/usr/bin/env python3
"""Walk a running server through register → check-eligibility → create-loan → view-loan →
view-loans, printing each request and each response as the service sent it (money with its two
decimals: a float would print 100000.00 as 100000.0). Standard library only.

    python3 demo_api.py [BASE_URL]     (default http://127.0.0.1:8000; API_KEY env adds X-API-Key)
"""

import json
import os
import random
import sys
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if os.environ.get("API_KEY"):
        request.add_header("X-API-Key", os.environ["API_KEY"])
    print(f"\n>>> {method} {path}")
    if body is not None:
        print(json.dumps(body, indent=2))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    print(f"<<< {status}")
    print(payload.decode())
    return json.loads(payload, parse_float=Decimal) if payload else None


def main() -> int:
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
    phone = random.randint(7_000_000_000, 7_999_999_999)  # noqa: S311 - a demo phone number
    customer = call(
        base,
        "POST",
        "/register",
        {
            "first_name": "Demo",
            "last_name": "Borrower",
            "age": 34,
            "monthly_income": 85000,
            "phone_number": phone,
        },
    )
    application = {
        "customer_id": customer["customer_id"],
        "loan_amount": 250000,
        "interest_rate": 10.5,
        "tenure": 24,
    }
    call(base, "POST", "/check-eligibility", application)
    booking = call(base, "POST", "/create-loan", application)
    if booking.get("loan_id"):
        call(base, "GET", f"/view-loan/{booking['loan_id']}")
    call(base, "GET", f"/view-loans/{customer['customer_id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
