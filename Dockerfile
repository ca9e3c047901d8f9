# casa311 app image (used by docker-compose.yml).
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
ENV PORT=5000 HOST=0.0.0.0
EXPOSE 5000
# The web app; docker-compose.yml runs the worker and Celery from the same image.
CMD ["sh", "-c", "flask --app citizen_api db upgrade && flask --app citizen_api seed --if-empty && exec gunicorn 'citizen_api:create_app()'"]
