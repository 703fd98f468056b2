// Built-in connectors, registered with the planner's default factory registry on import.
import { defaultFactories } from '../planner/index.js';
import { blackholeFactory } from './blackhole/factory.js';
import { datagenFactory } from './datagen/factory.js';
import { filesystemFactory } from './filesystem/factory.js';
import { kafkaFactory, upsertKafkaFactory } from './kafka/factory.js';
import { nexmarkFactory } from './nexmark/factory.js';
import { printFactory } from './print/factory.js';
import { valuesFactory } from './values/factory.js';

defaultFactories.register(filesystemFactory);
defaultFactories.register(datagenFactory);
defaultFactories.register(kafkaFactory);
defaultFactories.register(upsertKafkaFactory);
defaultFactories.register(nexmarkFactory);
defaultFactories.register(printFactory);
defaultFactories.register(blackholeFactory);
defaultFactories.register(valuesFactory);

export { blackholeFactory, datagenFactory, filesystemFactory, kafkaFactory, nexmarkFactory, printFactory, upsertKafkaFactory };
export { blackholeCounts } from './blackhole/factory.js';
export { printTarget } from './print/factory.js';
export { skippedRecords } from './metrics.js';
export { valuesFactory, registerData, getResults, getRawResults, clearValues, type ValuesRow } from './values/factory.js';
