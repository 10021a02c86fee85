# Production image: gunicorn serves the app, the same image runs the Celery worker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# WeasyPrint needs pango; libharfbuzz-subset0 keeps PDF font subsetting fast (without it
# WeasyPrint silently falls back to fontTools, 3-13x slower); fonts-nanum is the Korean font
# the PDF stylesheets name; gettext compiles the English catalogues (.po -> .mo) below.
# All from Debian: nothing is fetched at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum gettext \
 && fc-cache -f \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install -e . \
 && find . -path '*/locale/*/LC_MESSAGES/django.po' -not -path './.venv/*' \
      -exec sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' _ {} \; \
 && useradd --system --home /app certeval \
 && mkdir -p /app/var/media \
 && chown -R certeval /app/var

USER certeval
# collectstatic in production mode (WhiteNoise manifest); the settings connect to nothing at
# import, so placeholder values are enough here. The real ones come from the environment.
RUN APP_ENV=production SECRET_KEY=build-only-placeholder-never-used-to-sign-anything-0123456789 \
    INTEGRITY_KEY=build-only-placeholder-never-used-to-seal-anything-9876543210 \
    ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build/build CELERY_BROKER_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
