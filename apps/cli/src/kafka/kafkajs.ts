// kafkajs is CommonJS: its named exports are taken from the default export in one place, so every
// other module imports values from here and types from 'kafkajs'.
import kafkajs from 'kafkajs';

export const {
  AssignerProtocol,
  CompressionCodecs,
  CompressionTypes,
  ConfigResourceTypes,
  Kafka,
  Partitioners,
  logLevel,
} = kafkajs;
