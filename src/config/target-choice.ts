import { dirname, isAbsolute, resolve } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { rtbError } from '../errors.js';
import { loadProfile, profileFromData } from '../profiles/load-profile.js';
import type { Profile } from '../profiles/profile-types.js';
import { parseTargetUrl } from './target-url.js';

/** The server a run drives and how to talk to it, from flags first, then the scenario's `target:` section. */
export interface TargetChoice {
  readonly url?: string;
  readonly serverPid?: number;
  readonly profile: Profile;
}

export interface TargetFlags {
  /** Already checked by the CLI (parseTargetUrl). */
  readonly target?: string;
  readonly profile?: string;
  readonly serverPid?: number;
  readonly allowRemote?: boolean;
}

interface TargetSection {
  url?: string;
  profile?: string | Record<string, unknown>;
  serverPid?: number;
}

/**
 * Resolves `--target/--profile/--server-pid` against the scenario's `target:` section.
 * Without a target the reference server runs, and it speaks the built-in rtbench profile
 * only: another profile without a target is an error, not silently ignored.
 */
export function chooseTarget(flags: TargetFlags, section: TargetSection | undefined, scenario: { file: string; doc?: Document; lines?: LineCounter }): TargetChoice {
  const url = flags.target ?? (section?.url !== undefined ? parseTargetUrl(section.url, flags.allowRemote ?? false, `${scenario.file} target.url`) : undefined);
  const serverPid = flags.serverPid ?? section?.serverPid;
  let profile: Profile;
  if (flags.profile !== undefined) {
    profile = loadProfile(flags.profile);
  } else if (typeof section?.profile === 'string') {
    // A relative path in a scenario file is relative to that file.
    const named = section.profile;
    const looksLikePath = /[\\/]/.test(named) || /\.(ya?ml|json)$/.test(named);
    profile = loadProfile(looksLikePath && !isAbsolute(named) ? resolve(dirname(scenario.file), named) : named);
  } else if (typeof section?.profile === 'object') {
    profile = profileFromData(section.profile, { shown: `${scenario.file} target.profile`, doc: scenario.doc, lines: scenario.lines, base: ['target', 'profile'] });
  } else {
    profile = loadProfile('rtbench');
  }
  if (url === undefined && !(profile.name === 'rtbench' && profile.source.startsWith('built-in'))) {
    const given = flags.profile !== undefined ? `--profile ${flags.profile}` : `${scenario.file} target.profile`;
    throw rtbError('RTB_ERR_USAGE', `${given} needs a server to talk to: give --target URL (the reference server speaks the built-in rtbench profile)`);
  }
  return { ...(url !== undefined ? { url } : {}), ...(serverPid !== undefined ? { serverPid } : {}), profile };
}
