-- Databases of the distributed stack: Airflow's metadata, the Hive metastore, the export target.
CREATE USER airflow WITH PASSWORD 'airflow';
CREATE DATABASE airflow OWNER airflow;
CREATE USER hive WITH PASSWORD 'hive';
CREATE DATABASE metastore OWNER hive;
CREATE USER smartcar WITH PASSWORD 'smartcar';
CREATE DATABASE smartcar OWNER smartcar;
