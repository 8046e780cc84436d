# The complaints services, relay and CLI in one image; docker-compose.yml picks the process.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Dependencies first, in a layer of their own that code changes do not invalidate.
WORKDIR /src
# Every package pinned with its hashes (requirements.lock; scripts/lock regenerates it).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock \
 && rm -rf /src/*

# Then the project itself (no source stays in the image: it runs from site-packages).
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-deps --no-build-isolation . \
 && cd / && rm -rf /src

WORKDIR /app
# A non-root user; /app/var holds the SQLite store and the tokens file by default
# (docker-compose.yml mounts a volume there, which takes this ownership when new).
RUN useradd --create-home --uid 10001 --user-group complaints \
 && mkdir -p /app/var \
 && chown complaints:complaints /app/var
USER complaints

EXPOSE 8081 8082 8083 8084
CMD ["complaints", "run"]
