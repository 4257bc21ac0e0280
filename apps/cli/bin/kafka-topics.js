#!/usr/bin/env node
// npm links this file as `kafka-topics`, Kafka's tool of that name (bin/kafka-topics.sh) on the `streaming`
// command: see src/kafka-tools/.
import { main } from '../src/main.ts';

await main('kafka-topics');
