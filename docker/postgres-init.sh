#!/usr/bin/env bash
# Databases of the distributed stack, created once on an empty data volume by the postgres image:
# Airflow's metadata, the Hive metastore, the export target. Passwords come from .env through the
# container's environment (docker-compose.yaml) and reach psql as variables, never as literals.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v airflow_pw="$AIRFLOW_DB_PASSWORD" -v hive_pw="$HIVE_DB_PASSWORD" -v export_pw="$EXPORT_DB_PASSWORD" <<'SQL'
CREATE USER airflow WITH PASSWORD :'airflow_pw';
CREATE DATABASE airflow OWNER airflow;
CREATE USER hive WITH PASSWORD :'hive_pw';
CREATE DATABASE metastore OWNER hive;
CREATE USER smartcar WITH PASSWORD :'export_pw';
CREATE DATABASE smartcar OWNER smartcar;
SQL
