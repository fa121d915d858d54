# The production image: gunicorn serves the site, the same image runs the Celery worker and beat
# (docker-compose.yml). Static files are collected here, and again by the release job into the
# volume the proxy serves (hence staticfiles owned by the app's user).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv \
    && useradd --create-home --uid 1000 caflab

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var /app/media /app/private-media \
    && chown -R caflab /app/var /app/media /app/private-media /app/staticfiles
USER caflab
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "caflab.wsgi"]
