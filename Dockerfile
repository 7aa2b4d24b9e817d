FROM python:3.11-slim

# WEB_CONCURRENCY: gunicorn's worker processes (its own setting); about twice the node's cores.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=relief_portal.settings.production \
    WEB_CONCURRENCY=3

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 portal && mkdir -p /app/media && chown portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "relief_portal.wsgi:application", "--bind", "0.0.0.0:8000"]
