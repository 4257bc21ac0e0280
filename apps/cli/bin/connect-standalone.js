#!/usr/bin/env node
// npm links this file as `connect-standalone`, Kafka's tool of that name (bin/connect-standalone.sh) on the `streaming`
// command: see src/kafka-tools/.
import { main } from '../src/main.ts';

await main('connect-standalone');
