"""Both worlds name the same engines: the compose file's Kafka image and the HBase image are the
versions of ``jars/pom.xml``, and the HBase image's configuration is the embedded node's."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import yaml

from smartcar.runtime.services.hbase import LOG4J2, container_site_properties, site_xml
from smartcar.settings import REPO_ROOT, Settings

POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def _pom_version(name: str) -> str:
    props = ET.parse(REPO_ROOT / "jars" / "pom.xml").getroot().find("m:properties", POM_NS)
    return props.find(f"m:{name}", POM_NS).text  # type: ignore[union-attr]


def _compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yaml").read_text())


def test_compose_kafka_image_is_the_pinned_kafka() -> None:
    for node in (1, 2, 3):
        image = _compose()["services"][f"kafka-{node}"]["image"]
        assert image == f"apache/kafka:{_pom_version('kafka.version')}"
    assert _pom_version("kafka.version") == "4.1.1"


def test_compose_hbase_is_built_from_the_maven_file() -> None:
    hbase = _compose()["services"]["hbase"]
    assert hbase["build"]["dockerfile"] == "docker/hbase/Dockerfile"
    dockerfile = (REPO_ROOT / "docker" / "hbase" / "Dockerfile").read_text()
    assert "COPY jars/hbase/pom.xml" in dockerfile
    assert re.search(r"mvn .*-f jars/pom.xml .*dependency:copy-dependencies", dockerfile)
    assert hbase["image"].endswith(f":{_pom_version('hbase.version')}")


def test_hbase_image_configuration_is_the_embedded_nodes() -> None:
    conf = REPO_ROOT / "docker" / "hbase"
    assert (conf / "hbase-site.xml").read_text() == site_xml(container_site_properties(Settings())), (
        "regenerate docker/hbase/hbase-site.xml from container_site_properties()"
    )
    assert (conf / "log4j2.properties").read_text() == LOG4J2
    props = container_site_properties(Settings())
    assert props["fs.file.impl"] == "org.apache.hadoop.fs.RawLocalFileSystem"  # durable WAL on a local volume


def _hive_pom_version(name: str) -> str:
    props = ET.parse(REPO_ROOT / "jars" / "hive" / "pom.xml").getroot().find("m:properties", POM_NS)
    return props.find(f"m:{name}", POM_NS).text  # type: ignore[union-attr]


def test_compose_hive_is_the_pinned_hive() -> None:
    from smartcar.runtime.services.hive_server4 import HIVE_VERSION

    version = _hive_pom_version("hive.version")
    assert version == HIVE_VERSION == "4.0.1"
    services = _compose()["services"]
    for name in ("hive-metastore", "hiveserver2"):
        assert services[name]["image"] == f"smartcar-hive:{version}"
    dockerfile = (REPO_ROOT / "docker" / "hive" / "Dockerfile").read_text()
    assert f"FROM apache/hive:{version}\n" in dockerfile


def test_hive_image_configuration_is_the_embedded_servers() -> None:
    """docker/hive/hive-site.xml holds container_site_properties(): the embedded Hive 4's semantics
    (local Tez, no ACID, one warehouse root for managed and external tables) with the image's paths."""
    from smartcar.runtime.services.hive_server4 import common_properties, container_site_properties, site_properties

    root = ET.parse(REPO_ROOT / "docker" / "hive" / "hive-site.xml").getroot()
    in_file = {p.findtext("name"): p.findtext("value") or "" for p in root.findall("property")}
    assert in_file == container_site_properties()
    embedded = site_properties(Settings(), Settings().home / "hive" / "hive4")
    assert {k: embedded[k] for k in common_properties("")} == {
        **common_properties(Settings().warehouse),
    }
    assert embedded["hive.server2.thrift.bind.host"] == "127.0.0.1"
