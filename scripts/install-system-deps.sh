#!/usr/bin/env bash
# Install the Debian packages the platform needs, only those missing: a Java 17+ runtime for
# Kafka, HBase and Spark's HiveServer2, Maven (resolves the Kafka and HBase jars of jars/pom.xml),
# PostgreSQL server binaries (the export target), Chromium for the UI test, docker-compose (its
# `config` validates docker-compose.yaml in the tests; no Docker engine needed).
set -euo pipefail

missing=()
java_ok() { command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; }
java_ok || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
command -v docker-compose >/dev/null || missing+=(docker-compose)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
