#!/usr/bin/env bash
# The command of each Kafka node in docker-compose.yml: the apache/kafka image's own start
# (/etc/kafka/docker/run: defaults, configure, launch), with one step added before launch: the
# storage is formatted with the SCRAM users of $SCRAM_USERS (`name:password,...`), as
# `kafka-storage format --add-scram` does it. SCRAM credentials live in the cluster metadata, so
# without this the brokers could not log in to each other over SASL_SSL at their first start.
# The image's launch then formats again, finds the storage formatted and carries on.
set -euo pipefail
. /etc/kafka/docker/bash-config
if [[ -z "${KAFKA_ZOOKEEPER_CONNECT-}" ]]; then
  . /etc/kafka/docker/configureDefaults
fi
/etc/kafka/docker/configure
scram=()
IFS=',' read -r -a users <<< "${SCRAM_USERS:?SCRAM_USERS is not set}"
for user in "${users[@]}"; do
  scram+=(--add-scram "SCRAM-SHA-512=[name=${user%%:*},password=${user#*:}]")
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" \
  -c /opt/kafka/config/server.properties "${scram[@]}"
exec /etc/kafka/docker/launch
