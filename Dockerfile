FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CIGARSPACE_DATA_DIR=/data HF_HUB_OFFLINE=1

WORKDIR /app
# The CPU build of torch first: the default wheel on Linux is a multi-GB CUDA build.
RUN pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY cigarspace cigarspace
COPY accounts accounts
COPY catalogue catalogue
COPY customs customs
COPY matching matching
COPY media media
COPY merchants merchants
COPY demo demo
# The redis extra: REDIS_URL switches the broker and the cache for many workers.
RUN pip install ".[redis]"
COPY . .

RUN useradd --create-home --uid 1000 cigarspace && mkdir -p /data && chown cigarspace /data
USER cigarspace
VOLUME /data
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
