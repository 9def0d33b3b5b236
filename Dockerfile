# One image for every Python process of the production stack: the Airflow components and
# workers, and the stream processor. Dependencies come from the same uv.lock as the embedded
# default, plus the 'production' extra (Celery executor).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow

# Java for the Spark sessions of quality checks and ML; the client side only, no servers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless libpq5 \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv==0.13.8 \
 && useradd --create-home --uid 50000 smartcar

WORKDIR /opt/smartcar
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra production --no-install-project
COPY smartcar ./smartcar
COPY simulator ./simulator
COPY streaming ./streaming
COPY dags ./dags
COPY plugins ./plugins
COPY include ./include
RUN uv sync --frozen --no-dev --extra production && mkdir -p $AIRFLOW_HOME && chown -R smartcar $AIRFLOW_HOME

USER smartcar
ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/smartcar/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/smartcar/plugins
ENTRYPOINT ["/opt/venv/bin/python", "-m"]
CMD ["smartcar.cli", "--help"]
