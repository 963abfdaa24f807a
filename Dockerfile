# The API image: gunicorn serves the web process; the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 1000 cafa

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=cafa:cafa . .
# Static files are collected at build time; the key below exists only for this one command.
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /data/media /data/private_media && chown -R cafa:cafa /data /app/staticfiles

USER cafa
ENV MEDIA_ROOT=/data/media PRIVATE_MEDIA_ROOT=/data/private_media
EXPOSE 8000
# Workers, worker class, timeouts and the access log: gunicorn.conf.py (WEB_CONCURRENCY etc. override them).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "cafa.wsgi:application"]
