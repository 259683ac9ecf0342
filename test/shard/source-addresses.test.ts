/** Source addresses: past one address's ephemeral ports, and apart per shard, on loopback by default. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClientEnvironment } from '../../src/clients/client-environment.js';
import { loadProfile } from '../../src/profiles/load-profile.js';
import { CLIENTS_PER_ADDRESS, checkPortCapacity, defaultSourceAddresses, ephemeralPorts } from '../../src/shard/source-addresses.js';

describe('the default spread over 127.0.0.x', () => {
  it("keeps the kernel's choice for an unsharded run that fits one address", () => {
    expect(defaultSourceAddresses('127.0.0.1', CLIENTS_PER_ADDRESS, undefined)).toBeUndefined();
  });

  it('spreads an unsharded run over one address per 20000 clients from 127.0.0.2', () => {
    expect(defaultSourceAddresses('127.0.0.1', 50_000, undefined)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });

  it('gives each client process (--processes) at least one address of its own', () => {
    expect(defaultSourceAddresses('127.0.0.1', 300, undefined, 1)).toBeUndefined();
    expect(defaultSourceAddresses('127.0.0.1', 300, undefined, 2)).toEqual(['127.0.0.2', '127.0.0.3']);
    // More addresses than processes when the ports need them: 50000 clients need 3.
    expect(defaultSourceAddresses('127.0.0.1', 50_000, undefined, 2)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    // Shards with 2 processes each: 2 addresses per shard, none shared.
    expect(defaultSourceAddresses('127.0.0.1', 10, { index: 1, count: 2 }, 2)).toEqual(['127.0.0.4', '127.0.0.5']);
  });

  it('gives every shard addresses of its own, never shared with another shard', () => {
    expect(defaultSourceAddresses('127.0.0.1', 10, { index: 0, count: 3 })).toEqual(['127.0.0.2']);
    expect(defaultSourceAddresses('127.0.0.1', 10, { index: 2, count: 3 })).toEqual(['127.0.0.4']);
    const a = defaultSourceAddresses('127.0.0.1', 45_000, { index: 0, count: 2 })!;
    const b = defaultSourceAddresses('127.0.0.1', 45_000, { index: 1, count: 2 })!;
    expect(a).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(b).toEqual(['127.0.0.5', '127.0.0.6', '127.0.0.7']);
    // Past 255 the third octet carries.
    expect(defaultSourceAddresses('127.0.0.1', 1, { index: 300, count: 400 })).toEqual(['127.0.1.46']);
  });

  it('leaves IPv6 and remote targets to --source-addresses', () => {
    expect(defaultSourceAddresses('::1', 50_000, { index: 0, count: 2 })).toBeUndefined();
    expect(defaultSourceAddresses('10.1.2.3', 50_000, { index: 0, count: 2 })).toBeUndefined();
  });

  it('refuses more clients than the addresses have ports, and accepts what fits', () => {
    const ports = ephemeralPorts();
    expect(ports).toBeGreaterThan(1000);
    expect(() => checkPortCapacity(ports, ['127.0.0.2'])).not.toThrow();
    expect(() => checkPortCapacity(ports + 1, ['127.0.0.2'])).toThrow(/need more than the \d+ ephemeral ports of one source address/);
    expect(() => checkPortCapacity(2 * ports, ['127.0.0.2', '127.0.0.3'])).not.toThrow();
  });
});

describe('source addresses', () => {
  it("binds each client connection to the given local addresses in turn", async () => {
    const peers: string[] = [];
    const listener = createServer((socket) => {
      peers.push(socket.remoteAddress!);
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    try {
      const env = new ClientEnvironment(`http://127.0.0.1:${port}`, loadProfile('rtbench'));
      env.sourceAddresses = ['127.0.0.5', '127.0.0.6'];
      const sockets = [0, 1, 2].map(() => env.connect({ host: '127.0.0.1', port }));
      await Promise.all(sockets.map((s) => new Promise((resolve) => s.on('close', resolve).on('error', resolve))));
      expect(peers.sort()).toEqual(['127.0.0.5', '127.0.0.5', '127.0.0.6']);
    } finally {
      listener.close();
    }
  });
});
