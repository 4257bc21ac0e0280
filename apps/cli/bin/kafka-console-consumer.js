#!/usr/bin/env node
// npm links this file as `kafka-console-consumer`, Kafka's tool of that name (bin/kafka-console-consumer.sh) on the `streaming`
// command: see src/kafka-tools/.
import { main } from '../src/main.ts';

await main('kafka-console-consumer');
