export { KafkaServer } from './kafka-server.ts';
export type { KafkaServerOptions } from './kafka-server.ts';
export { RequestDispatcher } from './request-dispatcher.ts';
export type { DispatchResult, ConnectionInfo, ResponseFrame } from './request-dispatcher.ts';
export { FrameDecoder, FrameTooLargeError, InvalidFrameSizeError } from './frame-decoder.ts';
