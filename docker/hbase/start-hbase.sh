#!/usr/bin/env bash
# Starts the HBase master (standalone: with its region server and ZooKeeper) and the Thrift1
# gateway; exits as soon as either dies, so the container's restart policy brings both back.
set -euo pipefail
CP="/opt/hbase/conf:/opt/hbase/lib/*"
OPTS=(-XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.net.preferIPv4Stack=true
      --add-modules=jdk.unsupported --add-opens=java.base/java.nio=ALL-UNNAMED
      --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
      --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
      --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
      -Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true
      -Dlog4j2.configurationFile=/opt/hbase/conf/log4j2.properties)
rm -rf /var/lib/hbase/zookeeper  # transient in HBase 2: a dead server's session would hold the restart
java -Xmx"${HBASE_HEAP:-2g}" "${OPTS[@]}" -cp "$CP" org.apache.hadoop.hbase.master.HMaster start &
java -Xmx"${HBASE_THRIFT_HEAP:-512m}" "${OPTS[@]}" -cp "$CP" org.apache.hadoop.hbase.thrift.ThriftServer \
  -p 9090 --infoport -1 -threadpool start &
wait -n
exit 1
