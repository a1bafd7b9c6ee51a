# Sentinella's container image: gunicorn, Celery worker and beat all run from it (compose.yaml).
# Build: docker build -t sentinella .   Lint: hadolint Dockerfile (run by .ci/run).

# --- build: a virtualenv with the locked dependencies (hashes checked) --------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements-prod.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

# --- runtime: WeasyPrint's libraries, the code, a user without privileges ------------------------
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    MEDIA_ROOT=/srv/sentinella/media \
    GUNICORN_WORKER_TMP_DIR=/dev/shm
# Pango and HarfBuzz lay out the PDFs (WeasyPrint); fonts-dejavu for text outside Titillium's range.
# xmlsec1 signs and verifies the SAML messages of SPID and CIE (pysaml2).
# Not pinned: the security updates of the Debian release are wanted at each build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core xmlsec1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 sentinella \
    && useradd --system --uid 10001 --gid sentinella --home-dir /srv/sentinella --create-home sentinella
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/sentinella/app
COPY --chown=10001:10001 . .
# Static files are collected into the image (hashed names, compressed); a throwaway key is enough.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
    && mkdir -p /srv/sentinella/media var && chown -R 10001:10001 /srv/sentinella/media var
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request,os; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/livez\", timeout=4)"]
# The web process; compose.yaml runs the worker and beat from the same image with another command.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi"]
