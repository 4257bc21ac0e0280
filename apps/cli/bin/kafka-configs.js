#!/usr/bin/env node
// npm links this file as `kafka-configs`, Kafka's tool of that name (bin/kafka-configs.sh) on the `streaming`
// command: see src/kafka-tools/.
import { main } from '../src/main.ts';

await main('kafka-configs');
