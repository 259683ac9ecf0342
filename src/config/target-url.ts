import { isIP } from 'node:net';
import { rtbError } from '../errors.js';
import { stripBrackets } from '../protocol/host.js';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/** True for 127.0.0.0/8, ::1 and localhost: the only places rtbench sends load unless told otherwise. */
export function isLoopbackHost(hostname: string): boolean {
  const host = stripBrackets(hostname);
  if (LOOPBACK_NAMES.has(host.toLowerCase())) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Parses and checks `--target`: an http:// URL, on loopback unless `allowRemote`. */
export function parseTargetUrl(text: string, allowRemote: boolean, label = '--target'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw rtbError('RTB_ERR_USAGE', `${label}: expected a URL such as http://127.0.0.1:8080; found "${text}"`);
  }
  if (url.protocol !== 'http:') throw rtbError('RTB_ERR_USAGE', `${label}: only http:// servers are supported; found ${url.protocol}//`);
  if (url.pathname !== '/' || url.search !== '') throw rtbError('RTB_ERR_USAGE', `${label}: give the server's base URL without a path (http://host:port); found "${text}"`);
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw rtbError('RTB_ERR_USAGE', `${label} ${url.host} is not a loopback address; rtbench sends load only to 127.0.0.1, ::1 or localhost unless you pass --allow-remote (for servers you are allowed to load)`);
  }
  return url.origin;
}
