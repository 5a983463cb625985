#!/bin/sh
# Nightly: add the CRM's export to an audience; alert on rejected rows (exit 3) or failure.
#   15 2 * * * /srv/leads/nightly-import.sh
# Re-running is safe: numbers already in the audience are skipped.
cd "$(dirname "$0")" || exit 1
audience --quiet add "Nightly Leads" --csv export.csv --region US --rejects rejects.csv
rc=$?
case $rc in
  0) ;;
  3) mail -s "audience: rows rejected in tonight's import" ops@example.com < rejects.csv ;;
  *) echo "audience add failed with exit code $rc" | mail -s "audience: import failed" ops@example.com ;;
esac
exit $rc
