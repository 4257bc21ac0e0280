#!/usr/bin/env node
// npm links this file as `kafka-server-start`, Kafka's bin/kafka-server-start.sh: the broker started
// from a server.properties file (see src/kafka-tools.ts).
import { runKafkaServerTool } from '../src/main.ts';

await runKafkaServerTool('kafka-server-start');
