# The API only: in a container the database is a real MongoDB named by MONGODB_URI (see docker-compose.yml).
# The embedded engine (FerretDB + SQLite, built with Go by `make engine`) is for developer machines and is
# deliberately left out of the image.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY . .
RUN python -m venv /venv && /venv/bin/pip install .

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
RUN useradd --system --uid 10001 --user-group --no-create-home app \
    && mkdir -p /data && chown app:app /data
COPY --from=build /venv /venv
USER app
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
# Refuse to start without MONGODB_URI rather than look for an engine binary that is not there.
ENTRYPOINT ["/bin/sh", "-c", ": \"${MONGODB_URI:?MONGODB_URI is required in the container}\"; exec vm \"$@\"", "vm"]
CMD ["serve"]
