#!/bin/sh
# Every container start lands on the latest schema before serving or working.
set -e
python manage.py migrate --no-input
if [ "${1:-}" = "web" ]; then
    python manage.py collectstatic --no-input --verbosity 0
    exec gunicorn cigarspace.wsgi:application --bind 0.0.0.0:8000 \
        --workers "${WEB_CONCURRENCY:-3}" --timeout 60 --access-logfile -
elif [ "${1:-}" = "worker" ]; then
    exec python manage.py qcluster
fi
exec "$@"
