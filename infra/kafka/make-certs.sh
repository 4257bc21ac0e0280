#!/usr/bin/env bash
# Run once by the `kafka-certs` service of docker-compose.yml (apache/kafka image: keytool comes with
# its JRE). Makes the demo's broker key pair and certificate at the first start, so no key is ever
# committed: a self-signed certificate naming every broker (and localhost, for the published
# listeners), in a PKCS12 key store for the brokers, a PKCS12 trust store for the brokers' own client
# side (inter-broker and controller connections), and as PEM for the services and the host.
#   /secrets  -> the brokers only (kafka-secrets volume)
#   /ca       -> ca.pem, world-readable (kafka-ca volume, mounted into the services)
set -euo pipefail
secrets=/secrets
ca=/ca
password="${KAFKA_STORE_PASSWORD:?KAFKA_STORE_PASSWORD is not set}"
admin_password="${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is not set}"
if [[ -f "$secrets/kafka.keystore.p12" && -f "$ca/ca.pem" ]]; then
  echo "certificates exist: keeping them"
  exit 0
fi
rm -f "$secrets/kafka.keystore.p12" "$secrets/kafka.truststore.p12" "$ca/ca.pem"
keytool -genkeypair -alias kafka -keyalg RSA -keysize 2048 -validity 3650 \
  -dname "CN=retail-streams-kafka" \
  -ext "SAN=dns:kafka-1,dns:kafka-2,dns:kafka-3,dns:localhost" \
  -keystore "$secrets/kafka.keystore.p12" -storetype PKCS12 \
  -storepass "$password" -keypass "$password"
keytool -exportcert -rfc -alias kafka -keystore "$secrets/kafka.keystore.p12" \
  -storepass "$password" -file "$ca/ca.pem"
keytool -importcert -noprompt -alias kafka -file "$ca/ca.pem" \
  -keystore "$secrets/kafka.truststore.p12" -storetype PKCS12 -storepass "$password"
# Client properties for Kafka's tools as the `admin` super user (health checks, the ACL set-up).
cat > "$secrets/admin.properties" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
ssl.truststore.type=PKCS12
ssl.truststore.location=/etc/kafka/secrets/kafka.truststore.p12
ssl.truststore.password=$password
PROPERTIES
# Kafka runs as appuser (uid 1000) in the apache/kafka image; the services read ca.pem as `node`.
chown -R 1000:1000 "$secrets"
chmod 600 "$secrets"/*
chmod 644 "$ca/ca.pem"
echo "made the broker certificate for kafka-1, kafka-2, kafka-3 and localhost"
