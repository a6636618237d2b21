#!/bin/sh
# Every container start first checks its configuration (a missing or public SECRET_KEY,
# a public JWT_SIGNING_KEY… stop it here, with how to fix it), then lands on the latest
# schema before serving or working (a no-op when the compose `migrate` service already
# applied it).
set -e

check_configuration() {
    # The system checks without the database: cigarspace.checks names each problem and
    # its fix. Errors stop the container; warnings are printed and let it start.
    if ! python manage.py check --fail-level ERROR; then
        echo "CigarSpace refuses to start: fix the configuration errors above." >&2
        echo "  Secrets: put SECRET_KEY=<a long random value> in .env next to" >&2
        echo "  docker-compose.yml (or in the environment), e.g. from" >&2
        echo "  python -c 'import secrets; print(secrets.token_urlsafe(64))'" >&2
        exit 78  # EX_CONFIG
    fi
}

case "${1:-}" in
    check)
        check_configuration
        exit 0
        ;;
    migrate)
        check_configuration
        exec python manage.py migrate --no-input
        ;;
    web)
        check_configuration
        python manage.py migrate --no-input
        python manage.py collectstatic --no-input --verbosity 0
        # Workers, threads, time-outs and the GC settings: gunicorn.conf.py.
        exec gunicorn --config gunicorn.conf.py
        ;;
    worker)
        check_configuration
        python manage.py migrate --no-input
        exec python manage.py qcluster
        ;;
esac
exec "$@"
