#!/bin/sh
# Role entrypoint: write-api | read-api | streaming | worker | beat | migrate | <any command>.
set -eu

API_WORKERS="${API_WORKERS:-4}"
API_THREADS="${API_THREADS:-2}"
PORT="${PORT:-8000}"

# Prometheus multiprocess mode (twitter.metrics): the role's processes add up their samples
# in this directory, which starts empty.
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

serve() {
    export DJANGO_SETTINGS_MODULE="$1"
    exec granian --interface wsgi --host 0.0.0.0 --port "$PORT" \
        --workers "$API_WORKERS" --blocking-threads "$API_THREADS" --no-access-log --log-config config/granian-logging.json \
        config.wsgi:application
}

case "${1:-write-api}" in
    write-api) serve config.settings.write ;;
    read-api) serve config.settings.read ;;
    streaming)
        export DJANGO_SETTINGS_MODULE=config.settings.streaming
        # Every open stream is a request in flight: let one worker hold thousands.
        exec granian --interface asgi --host 0.0.0.0 --port "$PORT" --workers "${STREAMING_WORKERS:-1}" \
            --backpressure "${STREAMING_CONCURRENCY:-10000}" --no-access-log --log-config config/granian-logging.json config.asgi:application ;;
    worker)
        export DJANGO_SETTINGS_MODULE=config.settings.worker
        # WORKER_QUEUES: "celery" (general tasks), "fanout", or both (the default).
        exec celery -A config worker --loglevel="${LOG_LEVEL:-INFO}" --concurrency="${WORKER_CONCURRENCY:-2}" \
            --queues "${WORKER_QUEUES:-celery,fanout}" ;;
    beat)
        export DJANGO_SETTINGS_MODULE=config.settings.worker LOG_ROLE=beat
        exec celery -A config beat --loglevel="${LOG_LEVEL:-INFO}" --schedule "$DATA_DIR/celerybeat-schedule" ;;
    migrate)
        export DJANGO_SETTINGS_MODULE=config.settings.write
        exec python manage.py migrate --noinput ;;
    *) exec "$@" ;;
esac
