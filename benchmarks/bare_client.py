"""The anchors for the network cases: bare httpx clients, run as processes like the tool.

    python benchmarks/bare_client.py members BASE_URL AUDIENCE_ID ROWS [--in-flight 32]
    python benchmarks/bare_client.py add BASE_URL AUDIENCE_ID FILE
    python benchmarks/bare_client.py create BASE_URL NAME FILE

No checks, no retries, no reports: the least a script could do for the same job.
The key comes from SMALLEST_API_KEY; FILE is a one-column CSV of E.164 numbers.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from concurrent.futures import ThreadPoolExecutor

import httpx


def client(base: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {os.environ['SMALLEST_API_KEY']}"}
    return httpx.Client(base_url=base.rstrip("/") + "/", headers=headers, timeout=60)


def numbers(path: str) -> list[str]:
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return [row[0] for row in rows if row]


def members(base: str, audience_id: str, rows: int, in_flight: int) -> int:
    """Every page of 100 at once (the page count known in advance), `in_flight` at a time."""
    with client(base) as http:

        def page(n: int) -> int:
            got = http.get(f"audience/{audience_id}/members", params={"page": n, "offset": 100})
            return len(got.json()["data"]["members"])

        with ThreadPoolExecutor(in_flight) as pool:
            return sum(pool.map(page, range(1, -(-rows // 100) + 1)))


def add(base: str, audience_id: str, path: str) -> None:
    """The listing (to find the audience), then adds of 1,000, one after another."""
    phones = numbers(path)
    with client(base) as http:
        http.get("audience").raise_for_status()
        for i in range(0, len(phones), 1000):
            chunk = [{"phoneNumber": p} for p in phones[i : i + 1000]]
            http.post(f"audience/{audience_id}/members", json={"members": chunk}).raise_for_status()


def create(base: str, name: str, path: str) -> None:
    """One multipart create carrying every number."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["firstName", "lastName", "phoneNumber"])
    writer.writerows(["", "", p] for p in numbers(path))
    with client(base) as http:
        http.post(
            "audience",
            data={"name": name, "phoneNumberColumnName": "phoneNumber"},
            files={"file": ("a.csv", out.getvalue().encode(), "text/csv")},
        ).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="case", required=True)
    m = sub.add_parser("members")
    m.add_argument("base")
    m.add_argument("audience_id")
    m.add_argument("rows", type=int)
    m.add_argument("--in-flight", type=int, default=32)
    a = sub.add_parser("add")
    a.add_argument("base")
    a.add_argument("audience_id")
    a.add_argument("path")
    c = sub.add_parser("create")
    c.add_argument("base")
    c.add_argument("name")
    c.add_argument("path")
    args = parser.parse_args()
    if args.case == "members":
        print(members(args.base, args.audience_id, args.rows, args.in_flight))
    elif args.case == "add":
        add(args.base, args.audience_id, args.path)
    else:
        create(args.base, args.name, args.path)


if __name__ == "__main__":
    main()
