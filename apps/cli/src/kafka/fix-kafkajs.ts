// Loaded by main.ts after Node's compile cache is on (a static import of the library there would
// load it before): kafkajs's idle request-queue timer is fixed before any client starts.
import { fixKafkaJsRequestQueueTimer } from '@retail-streams/streaming-client/kafkajs-fixes';

fixKafkaJsRequestQueueTimer();
