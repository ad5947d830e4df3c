// What the bundle (package.json "bundle") loads for `@platformatic/kafka`: the package's index
// without its Confluent schema-registry support, which kfeed never uses and whose validators
// (Ajv 2020, draft-04) and Avro library cost about 0.15 s of CPU at every start.
export * from '../../node_modules/@platformatic/kafka/dist/diagnostic.js';
export * from '../../node_modules/@platformatic/kafka/dist/errors.js';
export * from '../../node_modules/@platformatic/kafka/dist/events.js';
export * from '../../node_modules/@platformatic/kafka/dist/utils.js';
export * from '../../node_modules/@platformatic/kafka/dist/network/index.js';
export * from '../../node_modules/@platformatic/kafka/dist/protocol/index.js';
export * from '../../node_modules/@platformatic/kafka/dist/apis/index.js';
export * from '../../node_modules/@platformatic/kafka/dist/clients/index.js';
