// CREATE FUNCTION's loader: where Flink names a JVM class (`AS 'com.example.MyUpper' LANGUAGE JAVA`), Freshet names
// an ES module and one of its exports, `AS 'file:///path/udfs.mjs#MyUpper'`, `'./udfs.mjs#MyUpper'` (relative to
// the working directory), or `'some-package#MyUpper'` (resolved as Node resolves it from the working directory);
// without `#` the default export. The module is loaded synchronously (Node 22's require of ES modules), so a
// statement fails at CREATE time, as Flink validates the class there, and the binder stays synchronous.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  FUNCTION_ORIGIN,
  functionKindOf,
  toRegistered,
  type FunctionClassKind,
  type FunctionDefinition,
  type FunctionOrigin,
} from '../api/functions.js';
import type { RegisteredFunction } from '../expr/functions.js';

export type FunctionLanguage = 'JAVASCRIPT' | 'TYPESCRIPT';

export interface LoadedFunction {
  readonly definition: FunctionDefinition;
  readonly kind: FunctionClassKind;
  /** The file the module was loaded from. */
  readonly file: string;
}

/** A failure to load: the message names the function, the module and what was wrong. */
export class FunctionLoadError extends Error {}

/** Splits `'module#Export'` at its last `#` (file URLs may not contain one elsewhere); no `#`: the default export. */
export function parseFunctionIdentifier(identifier: string): { module: string; exportName: string } {
  const at = identifier.lastIndexOf('#');
  if (at < 0) return { module: identifier, exportName: 'default' };
  return { module: identifier.slice(0, at), exportName: identifier.slice(at + 1) || 'default' };
}

function resolveModule(module: string, baseDir: string): string | null {
  if (module.startsWith('file:')) return fileURLToPath(module);
  if (isAbsolute(module)) return module;
  if (module.startsWith('./') || module.startsWith('../')) return resolve(baseDir, module);
  try {
    return createRequire(join(baseDir, 'package.json')).resolve(module);
  } catch {
    return null;
  }
}

/**
 * Loads `identifier`'s export and instantiates it: it must be a class extending the public ScalarFunction,
 * TableFunction or AggregateFunction (planner/api/functions.ts) with a constructor that takes no arguments, as
 * Flink requires a public no-argument constructor of a UserDefinedFunction class.
 */
export function loadFunction(
  name: string,
  identifier: string,
  language: FunctionLanguage,
  baseDir = process.cwd(),
): LoadedFunction {
  const fail = (why: string): never => {
    throw new FunctionLoadError(`Cannot create function '${name}' from '${identifier}': ${why}`);
  };
  const { module, exportName } = parseFunctionIdentifier(identifier);
  if (module === '')
    fail(
      "no module: use 'file:///path/udfs.mjs#ExportName', './udfs.mjs#ExportName' or 'package#ExportName'",
    );
  const file = resolveModule(module, baseDir);
  if (file === null || !existsSync(file))
    fail(`module '${module}' not found${file === null ? '' : ` (${file})`}`);
  const path = file as string;
  if (language === 'TYPESCRIPT' && (process.features as { typescript?: unknown }).typescript === undefined)
    fail(
      'LANGUAGE TYPESCRIPT needs a Node.js that strips types (22.18 or newer); compile the module to JavaScript and use LANGUAGE JAVASCRIPT',
    );
  if (/\.[mc]?ts$/.test(path) && language !== 'TYPESCRIPT')
    fail(`'${module}' is a TypeScript module: declare LANGUAGE TYPESCRIPT`);
  let exports: Record<string, unknown>;
  try {
    exports = createRequire(path)(path) as Record<string, unknown>;
  } catch (e) {
    return fail(`loading module '${module}' failed: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!(exportName in exports)) {
    const names = Object.keys(exports).filter((k) => k !== '__esModule');
    fail(
      `module '${module}' has no export '${exportName}'${names.length === 0 ? '' : ` (it exports ${names.map((n) => `'${n}'`).join(', ')})`}`,
    );
  }
  const cls = exports[exportName];
  const notAClass = `export '${exportName}' of '${module}' is not a ScalarFunction, TableFunction or AggregateFunction class`;
  if (typeof cls !== 'function' || cls.prototype === undefined) return fail(notAClass);
  let instance: unknown;
  try {
    instance = new (cls as new () => unknown)();
  } catch (e) {
    return fail(
      `the constructor of '${exportName}' failed (it must take no arguments): ${(e as Error).message}`,
    );
  }
  const kind = functionKindOf(instance);
  if (kind === null) return fail(notAClass);
  // Where the class came from, so a plan using it can name the module to a cluster's slots instead of carrying
  // code (serialize.ts): the resolved file, not the identifier, since a slot's working directory may differ.
  const origin: FunctionOrigin = {
    name,
    kind,
    module: pathToFileURL(path).href,
    exportName,
    language,
  };
  Object.defineProperty(instance, FUNCTION_ORIGIN, { value: origin, enumerable: false });
  return { definition: instance as FunctionDefinition, kind, file: path };
}

/**
 * A shipped function (a plan's `$udf` entry) loaded again where the plan runs: a slot thread or a TaskManager
 * process imports the module and makes a fresh instance, as Flink deserializes a UserDefinedFunction in each task.
 * A failure names the function, the module and the host, since it happens on a machine the user is not looking at.
 */
export function loadShippedFunction(origin: FunctionOrigin): RegisteredFunction['fn'] {
  let loaded: LoadedFunction;
  try {
    loaded = loadFunction(origin.name, `${origin.module}#${origin.exportName}`, origin.language);
  } catch (e) {
    if (!(e instanceof FunctionLoadError)) throw e;
    throw new FunctionLoadError(
      `the user function '${origin.name}' (module ${origin.module}) cannot be loaded on host ${hostname()} (pid ${process.pid}): ${e.message}`,
      { cause: e },
    );
  }
  if (loaded.kind !== origin.kind)
    throw new FunctionLoadError(
      `the user function '${origin.name}' (module ${origin.module}) is a ${loaded.kind} function on host ${hostname()}, but the plan was made for a ${origin.kind} function: the module changed after planning`,
    );
  return toRegistered(origin.name, loaded.definition).fn;
}
