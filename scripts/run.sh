#!/usr/bin/env bash
# Start egov the embedded way: one web server and one task worker on the SQLite file in var/.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-thanh-ba-2021}; host=${2:-127.0.0.1}; port=${3:-8000}
PY=.venv/bin/python
mkdir -p var
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
logins=$($PY manage.py load_demo "$preset" --quiet)
$PY manage.py dossier_snapshot --schedule >/dev/null
$PY manage.py make_demo_pki >/dev/null  # demo certificates for the demo leaders and agencies
$PY manage.py load_demo_documents >/dev/null

$PY manage.py worker --interval 1 >>var/worker.log 2>&1 &
worker=$!
$PY -m gunicorn egov.wsgi:application --chdir src --bind "$host:$port" --workers 2 --threads 4 \
    --access-logfile - --error-logfile - >>var/web.log 2>&1 &
web=$!
trap 'kill $web $worker 2>/dev/null; wait 2>/dev/null; echo; echo "egov stopped."' INT TERM EXIT

for _ in $(seq 1 50); do
  curl -fsS "http://$host:$port/accounts/login/" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

  egov is running:  http://$host:$port/
  API docs:         http://$host:$port/api/docs/
  Health:           http://$host:$port/healthz
  Citizen portal:   http://$host:$port/dich-vu-cong/  (tracking: /tra-cuu/)
  Logs:             var/web.log, var/worker.log
  Email and SMS:    printed in those logs (demo: console email backend and SMS provider),
                    e.g. the confirmation code of a new citizen account is in var/web.log

  Demo logins (preset $preset):
$logins

  Press Ctrl+C to stop.
MSG
wait $web $worker
