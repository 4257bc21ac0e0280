#!/usr/bin/env bash
# GENERATED from the topic registry (libs/contracts) by infra/scripts/write-kafka-acls.ts: do not edit.
# Run once by the `kafka-acls` service of docker-compose.yml, as the admin super user, after the
# brokers are up: each service may touch only the topics the registry says it produces and consumes,
# its groups, its dead-letter topics and its transactional ids; the dashboard may only describe.
set -euo pipefail
acls() {
  /opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka-1:19092 \
    --command-config /etc/kafka/secrets/admin.properties "$@" > /dev/null
}
acls --add --allow-principal User:sales --operation WRITE --operation READ --operation CREATE --topic sales.order-placed
acls --add --allow-principal User:sales --operation READ --operation CREATE --topic inventory.reservation-result
acls --add --allow-principal User:sales --operation WRITE --operation CREATE --topic inventory.reservation-result.dlq.sales --resource-pattern-type prefixed
acls --add --allow-principal User:sales --operation READ --group sales --resource-pattern-type prefixed
acls --add --allow-principal User:inventory --operation WRITE --operation READ --operation CREATE --topic inventory.reservation-result
acls --add --allow-principal User:inventory --operation WRITE --operation READ --operation CREATE --topic inventory.stock-level
acls --add --allow-principal User:inventory --operation WRITE --operation READ --operation CREATE --topic inventory.low-stock
acls --add --allow-principal User:inventory --operation READ --operation CREATE --topic sales.order-placed
acls --add --allow-principal User:inventory --operation READ --operation CREATE --topic reordering.goods-received
acls --add --allow-principal User:inventory --operation WRITE --operation CREATE --topic sales.order-placed.dlq.inventory --resource-pattern-type prefixed
acls --add --allow-principal User:inventory --operation WRITE --operation CREATE --topic reordering.goods-received.dlq.inventory --resource-pattern-type prefixed
acls --add --allow-principal User:inventory --operation READ --group inventory --resource-pattern-type prefixed
acls --add --allow-principal User:reordering --operation WRITE --operation READ --operation CREATE --topic reordering.purchase-order
acls --add --allow-principal User:reordering --operation WRITE --operation READ --operation CREATE --topic reordering.goods-received
acls --add --allow-principal User:reordering --operation READ --operation CREATE --topic inventory.low-stock
acls --add --allow-principal User:reordering --operation WRITE --operation CREATE --topic inventory.low-stock.dlq.reordering --resource-pattern-type prefixed
acls --add --allow-principal User:reordering --operation READ --group reordering --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --operation READ --operation CREATE --topic analytics.sales-per-minute
acls --add --allow-principal User:analytics --operation READ --operation CREATE --topic sales.order-placed
acls --add --allow-principal User:analytics --operation READ --operation CREATE --topic inventory.reservation-result
acls --add --allow-principal User:analytics --operation READ --operation CREATE --topic inventory.stock-level
acls --add --allow-principal User:analytics --operation READ --operation CREATE --topic inventory.low-stock
acls --add --allow-principal User:analytics --operation READ --operation CREATE --topic reordering.purchase-order
acls --add --allow-principal User:analytics --operation READ --operation CREATE --topic reordering.goods-received
acls --add --allow-principal User:analytics --operation READ --operation CREATE --topic logs.access
acls --add --allow-principal User:analytics --operation WRITE --operation CREATE --topic sales.order-placed.dlq.analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --operation CREATE --topic inventory.reservation-result.dlq.analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --operation CREATE --topic inventory.stock-level.dlq.analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --operation CREATE --topic inventory.low-stock.dlq.analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --operation CREATE --topic reordering.purchase-order.dlq.analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --operation CREATE --topic reordering.goods-received.dlq.analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --operation CREATE --topic logs.access.dlq.analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation READ --group analytics --resource-pattern-type prefixed
acls --add --allow-principal User:analytics --operation WRITE --transactional-id analytics. --resource-pattern-type prefixed
acls --add --allow-principal User:dashboard --operation DESCRIBE --cluster
acls --add --allow-principal User:dashboard --operation DESCRIBE --topic '*'
acls --add --allow-principal User:dashboard --operation DESCRIBE --group '*'
