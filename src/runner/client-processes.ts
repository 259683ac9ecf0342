/**
 * How many child processes hold a phase's clients (DESIGN §6). One process may open at most
 * its hard descriptor limit (20,000 on the reference machine; `ulimit -n` cannot raise a hard
 * limit), so past that the clients need several processes, each with a limit of its own.
 */

/** Clients one process holds by default: inside a 20,000-descriptor limit with room for its own files. */
export const CLIENTS_PER_PROCESS = 19_000;

/** `--processes` when given, else one process per CLIENTS_PER_PROCESS clients (1 for small runs); never more than the clients. */
export function processCount(processes: number | undefined, clients: number): number {
  const wanted = processes ?? Math.ceil(clients / CLIENTS_PER_PROCESS);
  return Math.max(1, Math.min(wanted, clients));
}
