// Loaded by main.ts after Node's compile cache is on (a static import of the library there would
// load it before): kafkajs's TimeoutNegativeWarning is silenced before any client starts.
import { silenceKafkaJsTimerWarning } from '@retail-streams/streaming-client/kafkajs-warnings';

silenceKafkaJsTimerWarning();
