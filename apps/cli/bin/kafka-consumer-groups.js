#!/usr/bin/env node
// npm links this file as `kafka-consumer-groups`, Kafka's tool of that name (bin/kafka-consumer-groups.sh) on the `streaming`
// command: see src/kafka-tools/.
import { main } from '../src/main.ts';

await main('kafka-consumer-groups');
