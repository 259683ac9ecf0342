import os from 'node:os';
import type { Environment } from './types.js';
import { clientImplementation } from '../clients/raw-client-choice.js';

/** Where a run happened, for the result file: results from different machines compare with care. */
export function describeEnvironment(): Environment {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    osRelease: os.release(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    hostname: os.hostname(),
    // The generator's client code is part of what measured: `--client raw|reference`.
    client: clientImplementation(),
  };
}
