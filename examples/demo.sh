#!/bin/sh
# A whole session on the embedded sandbox: no network, no API key.
# create -> list -> members -> add (from a CSV) -> show -> delete
set -eu
here=$(dirname "$0")
export AUDIENCE_SANDBOX=1
export AUDIENCE_SANDBOX_DB="${AUDIENCE_SANDBOX_DB:-$(mktemp -d)/demo.db}"

echo "== create"
id=$(audience create "Q1 Sales Leads" \
  --phone +14155552671 --name "Ada Lovelace" \
  --phone "+44 20 7946 0958" --name "Alan Turing")
echo "new audience id: $id"

echo "== list"
audience list

echo "== add (the sample has bad rows on purpose: exit 3 means 'done, some rows rejected')"
status=0
audience add "$id" --csv "$here/leads.csv" --region US || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 3 ]

echo "== members"
audience members "Q1 Sales Leads" --page-size 5

echo "== show"
audience show "$id"

echo "== delete"
audience delete "$id" --yes
audience list --json
