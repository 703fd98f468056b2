// A source without a read position, for the tests of its refusal under checkpointing: the datagen reader with its
// snapshotState taken away (every built-in SQL source checkpoints its position now, datagen since
// test/checkpoint/datagen-checkpoint.test.ts).
import { datagenFactory } from '../../connectors/datagen/factory.js';
import { FactoryRegistry, defaultFactories, type DynamicTableFactory } from '../../planner/catalog/factory.js';

const positionless: DynamicTableFactory = {
  identifier: 'positionless',
  options: datagenFactory.options,
  optionPrefixes: ['fields.'],
  validate: (options, schema, pk) => datagenFactory.validate?.(options, schema, pk),
  createSource(ctx) {
    const reader = datagenFactory.createSource!(ctx);
    return {
      outputSchema: reader.outputSchema,
      read: (signal) => reader.read(signal),
      close: () => reader.close(),
    };
  },
};

/** The built-in factories plus `'connector' = 'positionless'`. */
export function factoriesWithPositionless(): FactoryRegistry {
  const factories = new FactoryRegistry();
  for (const id of defaultFactories.identifiers())
    factories.register(defaultFactories.get(id) as DynamicTableFactory);
  factories.register(positionless);
  return factories;
}
