#!/bin/sh
# A whole session on the embedded sandbox: no network, no API key.
# create -> list -> members -> add (from a CSV) -> show -> delete,
# then a campaign's members not reached made an audience to call again.
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

echo "== a campaign, and an audience of whoever it did not reach"
audience create "Spring Leads" --csv "$here/spring-leads.csv" --region US >/dev/null
audience sandbox campaign run "Spring Leads" --name "Spring calls" >/dev/null
audience outcomes "Spring calls" --fields phone,status,attempts
audience create "Spring retry" --from-campaign "Spring calls" >/dev/null
audience members "Spring retry" --fields phoneNumber,firstName,attempts,last_status
