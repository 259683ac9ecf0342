import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rtbError } from '../errors.js';

/**
 * Connections one local address can open to one server address and port: the ephemeral
 * port range (Linux default 32768–60999, about 28k). Past it, connect() fails with
 * EADDRNOTAVAIL; spreading clients over several source addresses lifts the ceiling.
 */
export function ephemeralPorts(): number {
  const [low, high] = ephemeralPortRange();
  return high - low + 1;
}

/** The ephemeral port range [low, high] (Linux: ip_local_port_range; elsewhere the common default). */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && high >= low && low > 0) return [low, high];
  } catch {
    // not Linux: assume the common default
  }
  return [32_768, 60_999];
}

/**
 * The source ports worker `index` of `workers` binds its connections to, with source
 * addresses: a slice of the ephemeral range of its own. Why not let the kernel choose: a
 * connection bound to a local address before connect() gets its port from bind(addr, 0),
 * which (without IP_BIND_ADDRESS_NO_PORT, which Node cannot set) looks for a port free for
 * every destination — a search that grows with the ports in use. Measured here: 16,000 SSE
 * clients in 2 processes from their own 127.0.0.x spent 61–66 % of their CPU in connect()
 * and managed ~300 connections/s; an explicit port makes bind O(1). Slices are disjoint, so
 * no two workers of a run (threads or processes) pick the same address and port; a port
 * another program holds fails that one connect (EADDRINUSE), and the client reconnects.
 */
export function sourcePortSlice(index: number, workers: number): { first: number; count: number } {
  const [low, high] = ephemeralPortRange();
  const count = Math.floor((high - low + 1) / Math.max(1, workers));
  return { first: low + index * count, count: Math.max(1, count) };
}

/** Clients per source address by default, well inside one address's ephemeral ports (reconnects need spare ports). */
export const CLIENTS_PER_ADDRESS = 20_000;

/**
 * `--source-addresses a,b,c` → the list; each an IP literal. Against a loopback target only
 * loopback addresses can reach it, so others are refused (one line naming the address).
 */
export function parseSourceAddresses(text: string, targetHost: string | undefined): string[] {
  const list = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw rtbError('RTB_ERR_USAGE', '--source-addresses: expected a comma-separated list of IP addresses, such as 127.0.0.2,127.0.0.3; found nothing');
  const family = targetHost !== undefined ? isIP(targetHost) : 0;
  for (const address of list) {
    const kind = isIP(address);
    if (kind === 0) throw rtbError('RTB_ERR_USAGE', `--source-addresses: expected IP addresses such as 127.0.0.2; found ${JSON.stringify(address)}`);
    if (family !== 0 && kind !== family) throw rtbError('RTB_ERR_USAGE', `--source-addresses: ${address} is IPv${kind} but the target ${targetHost} is IPv${family}; a connection needs both ends in one family`);
    if (family === 4 && targetHost!.startsWith('127.') && !address.startsWith('127.')) {
      throw rtbError('RTB_ERR_USAGE', `--source-addresses: ${address} cannot reach the loopback target ${targetHost}; use addresses in 127.0.0.0/8`);
    }
  }
  return list;
}

/**
 * The default spread on loopback (DESIGN §6): against an IPv4 loopback target, a shard's
 * clients connect from addresses of their own — shard i from 127.0.0.(2 + i·k) onwards — and
 * an unsharded run that needs more than one address's ports from 127.0.0.2, 127.0.0.3, …
 * (every 127.0.0.0/8 address is local on Linux); with several client processes, at least one
 * address per process, so each process's clients use addresses of their own. An unsharded
 * one-process run that fits one address keeps the kernel's choice. Elsewhere (IPv6, a remote
 * target) the addresses must be given.
 */
export function defaultSourceAddresses(targetHost: string, clients: number, shard: { index: number; count: number } | undefined, processes = 1): string[] | undefined {
  if (isIP(targetHost) !== 4 || !targetHost.startsWith('127.')) return undefined;
  const perShard = Math.max(1, Math.ceil(clients / CLIENTS_PER_ADDRESS), processes);
  if (shard === undefined && perShard === 1) return undefined;
  const first = 2 + (shard?.index ?? 0) * perShard;
  const addresses: string[] = [];
  for (let k = 0; k < perShard; k++) addresses.push(loopbackAddress(first + k));
  return addresses;
}

/** The n-th address of 127.0.0.0/8 (n ≥ 1): 2 → 127.0.0.2, 256 → 127.0.1.0. */
function loopbackAddress(n: number): string {
  if (n >= 2 ** 24 - 1) throw rtbError('RTB_ERR_USAGE', '--shard: too many shards for the loopback addresses 127.0.0.0/8; give --source-addresses');
  return `127.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Refuses, before anything runs, clients that cannot all get a port: more than the source
 * addresses' ephemeral ports together (one line saying what would hold them).
 */
export function checkPortCapacity(clients: number, addresses: readonly string[] | undefined): void {
  const ports = ephemeralPorts();
  const count = Math.max(1, addresses?.length ?? 0);
  if (clients <= ports * count) return;
  const needed = Math.ceil(clients / ports);
  throw rtbError(
    'RTB_ERR_FD_LIMIT',
    `${clients} clients need more than the ${ports} ephemeral ports of ${count === 1 ? 'one source address' : `${count} source addresses`}; give --source-addresses with at least ${needed} addresses (or use more shards)`,
  );
}
