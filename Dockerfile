# One image for every Python process of the production stack: the Airflow components and
# workers, and the stream processor. Dependencies come from the same uv.lock as the embedded
# default, plus the 'production' extra (Celery executor, FAB auth manager); --no-default-groups leaves out
# the dev and notebooks groups (pytest, Playwright, Jupyter, matplotlib).
#
# Secrets never enter the image: docker-compose.yaml passes them from .env at run time
# (AIRFLOW__CORE__FERNET_KEY, AIRFLOW__API_AUTH__JWT_SECRET, AIRFLOW__API__SECRET_KEY, passwords).
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
RUN uv sync --frozen --no-default-groups --extra production --no-install-project
COPY smartcar ./smartcar
COPY simulator ./simulator
COPY streaming ./streaming
COPY dags ./dags
COPY plugins ./plugins
COPY include ./include
RUN uv sync --frozen --no-default-groups --extra production

# State (ingest ledger, spool, quality reports, ML runs) and the warehouse shared with Hive: the
# compose file mounts volumes here, and an empty named volume takes this owner (uid 50000) on first use.
RUN mkdir -p $AIRFLOW_HOME/logs /opt/smartcar-state /opt/warehouse \
 && chown -R smartcar $AIRFLOW_HOME /opt/smartcar-state /opt/warehouse

USER smartcar
ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/smartcar/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/smartcar/plugins \
    SMARTCAR_HOME=/opt/smartcar-state \
    SMARTCAR_WAREHOUSE_URI=file:///opt/warehouse
# Exports the AIRFLOW_CONN_* derived from the container's SMARTCAR_* settings, then execs the command.
ENTRYPOINT ["/opt/venv/bin/python", "-m", "smartcar.airflow.container_entrypoint"]
CMD ["smartcar", "--help"]
