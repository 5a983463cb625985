"""The vendor SDK's own way, as an anchor: smallestai 5.14.0's audience helper.

    python benchmarks/vendor_sdk.py create BASE_URL NAME FILE
    python benchmarks/vendor_sdk.py members BASE_URL AUDIENCE_ID

`create` is `Audience.create(name, phone_numbers)`; `members` reads every page
with `get_members`, one after another (the helper has no other way), 100 a page.
Needs the `bench` extra (`pip install '.[bench]'`) or a venv with smallestai.
"""

from __future__ import annotations

import csv
import sys

from smallestai.atoms.helpers import Audience


def main() -> None:
    case, base = sys.argv[1], sys.argv[2]
    audience = Audience(base_url=base)
    if case == "create":
        with open(sys.argv[4], newline="") as f:
            rows = csv.reader(f)
            next(rows)
            phones = [row[0] for row in rows if row]
        audience.create(sys.argv[3], phones)
        return
    page, count = 1, 0
    while True:
        data = audience.get_members(sys.argv[3], page=page, offset=100)["data"]
        count += len(data["members"])
        if not data.get("hasMore"):
            break
        page += 1
    print(count)


if __name__ == "__main__":
    main()
