#!/usr/bin/env node
// npm links this file as `zookeeper-server-start`, so Kafka's bin/zookeeper-server-start.sh step of a
// lab says in one line that this broker needs no ZooKeeper instead of "command not found".
import { runKafkaServerTool } from '../src/main.ts';

await runKafkaServerTool('zookeeper-server-start');
