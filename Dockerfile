# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TCM_DATA_DIR=/data \
    TCM_STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# PYTHONDONTWRITEBYTECODE keeps the running containers from writing .pyc files, so compile tcm's
# own modules once here: otherwise every process start (a worker, ./tcm render-card) compiles
# them all again, a few hundred ms.
RUN python -m compileall -q cards connections tcm_site
RUN useradd --system --uid 1000 --home /app tcm \
    && mkdir -p /data && chown tcm /data \
    && TCM_DATA_DIR=/tmp/build SECRET_KEY=build python manage.py collectstatic --noinput \
    && rm -rf /tmp/build
USER tcm
VOLUME ["/data"]
EXPOSE 8000
CMD ["python", "-m", "tcm_site.webserver"]
