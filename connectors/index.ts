// Built-in connectors, registered with the planner's default factory registry on import.
import { defaultFactories } from '../planner/index.js';
import { datagenFactory } from './datagen/factory.js';
import { filesystemFactory } from './filesystem/factory.js';
import { kafkaFactory, upsertKafkaFactory } from './kafka/factory.js';

defaultFactories.register(filesystemFactory);
defaultFactories.register(datagenFactory);
defaultFactories.register(kafkaFactory);
defaultFactories.register(upsertKafkaFactory);

export { datagenFactory, filesystemFactory, kafkaFactory, upsertKafkaFactory };
