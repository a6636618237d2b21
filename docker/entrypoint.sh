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
        # Workers, threads, time-outs and the GC settings: gunicorn.conf.py.
        exec gunicorn --config gunicorn.conf.py
        ;;
    worker)
        python manage.py migrate --no-input
        exec python manage.py qcluster
        ;;
esac
exec "$@"
