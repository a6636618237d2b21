#!/bin/sh
# Every container start lands on the latest schema before serving or working (a no-op
# when the compose `migrate` service already applied it).
set -e
case "${1:-}" in
    migrate)
        exec python manage.py migrate --no-input
        ;;
    web)
        python manage.py migrate --no-input
        python manage.py collectstatic --no-input --verbosity 0
        # No gunicorn access log: the app logs one JSON access line per request, with its id.
        exec gunicorn cigarspace.wsgi:application --bind 0.0.0.0:8000 \
            --workers "${WEB_CONCURRENCY:-3}" --timeout 60 --graceful-timeout 30
        ;;
    worker)
        python manage.py migrate --no-input
        exec python manage.py qcluster
        ;;
esac
exec "$@"
