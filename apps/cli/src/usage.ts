import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command line that cannot be run as given; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs, with its errors turned into UsageError naming the option. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify.*$/s, ''));
  }
}
