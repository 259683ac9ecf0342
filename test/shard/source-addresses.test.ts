/** Source addresses: past one address's ephemeral ports, and apart per shard, on loopback by default. */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClientEnvironment } from '../../src/clients/client-environment.js';
import { loadProfile } from '../../src/profiles/load-profile.js';
import { CLIENTS_PER_ADDRESS, checkPortCapacity, defaultSourceAddresses, ephemeralPortRange, ephemeralPorts, sourcePortSlice } from '../../src/shard/source-addresses.js';

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

  it('gives every worker that shares addresses a slice of the ephemeral ports of its own', () => {
    const [low, high] = ephemeralPortRange();
    const slices = [0, 1, 2].map((i) => sourcePortSlice(i, 3));
    for (const [i, slice] of slices.entries()) {
      expect(slice.first).toBeGreaterThanOrEqual(low);
      expect(slice.first + slice.count - 1).toBeLessThanOrEqual(high);
      if (i > 0) expect(slice.first).toBe(slices[i - 1].first + slices[i - 1].count);
    }
    expect(slices.reduce((n, s) => n + s.count, 0)).toBeGreaterThan(high - low - 3);
  });

  it('binds to explicit ports of its slice, address by address, skipping ports its open sockets hold', async () => {
    const peers: { address: string; port: number; socket: Socket }[] = [];
    const listener = createServer((socket) => peers.push({ address: socket.remoteAddress!, port: socket.remotePort!, socket }));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    const until = async (n: number): Promise<void> => {
      while (peers.length < n) await new Promise((r) => setTimeout(r, 10));
    };
    const env = new ClientEnvironment(`http://127.0.0.1:${port}`, loadProfile('rtbench'));
    const mine: Socket[] = [];
    try {
      env.sourceAddresses = ['127.0.0.7', '127.0.0.8'];
      // A slice of 2 ports per address, somewhere a test rarely meets another socket.
      const first = ephemeralPortRange()[0] + 20_000 + (process.pid % 2000) * 2;
      env.sourcePorts = { first, count: 2 };
      for (let i = 0; i < 4; i++) mine.push(env.connect({ host: '127.0.0.1', port }));
      await until(4);
      const seen = peers.map((p) => `${p.address}:${p.port}`).sort();
      expect(seen).toEqual([`127.0.0.7:${first}`, `127.0.0.7:${first + 1}`, `127.0.0.8:${first}`, `127.0.0.8:${first + 1}`]);
      // Every slot held: the next connection gets the kernel's choice of port.
      mine.push(env.connect({ host: '127.0.0.1', port }));
      await until(5);
      expect([first, first + 1]).not.toContain(peers[4].port);
      // One closed: its slot is free again and is the one taken next.
      const closed = mine[1];
      await new Promise((resolve) => {
        closed.once('close', resolve);
        closed.destroy();
      });
      mine.push(env.connect({ host: '127.0.0.1', port }));
      await until(6);
      expect(peers[5].address).toBe('127.0.0.8');
      expect(peers[5].port).toBe(first);
    } finally {
      for (const s of mine) s.destroy();
      for (const p of peers) p.socket.destroy();
      listener.close();
    }
  });

  it('skips a port a wildcard listener holds, and a port whose bind failed, instead of failing clients on it', async () => {
    const peers: { port: number; socket: Socket }[] = [];
    const listener = createServer((socket) => peers.push({ port: socket.remotePort!, socket }));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    // Something else listens on every address at the slice's first port.
    const squatter = createServer();
    const first = ephemeralPortRange()[0] + 24_000 + (process.pid % 1000) * 3;
    await new Promise<void>((resolve, reject) => squatter.once('error', reject).listen(first, '0.0.0.0', resolve));
    const mine: Socket[] = [];
    try {
      const env = new ClientEnvironment(`http://127.0.0.1:${port}`, loadProfile('rtbench'));
      env.sourceAddresses = ['127.0.0.9'];
      env.sourcePorts = { first, count: 3 };
      mine.push(env.connect({ host: '127.0.0.1', port }), env.connect({ host: '127.0.0.1', port }));
      while (peers.length < 2) await new Promise((r) => setTimeout(r, 10));
      expect(peers.map((p) => p.port).sort()).toEqual([first + 1, first + 2]);
    } finally {
      for (const s of mine) s.destroy();
      for (const p of peers) p.socket.destroy();
      squatter.close();
      listener.close();
    }
  });
});
