// autocannon as the polling baseline (bench/efficiency.mjs): GETs `url` over `connections`
// keep-alive connections at `rate` requests/s in all, for `seconds`; the first 2 s are warm-up.
// Usage (child process with IPC): node autocannon-child.mjs <url> <connections> <rate> <seconds>
// IPC out: {type:'done', requestsPerS, requestsPerCpuS} over the seconds after the warm-up.
import autocannon from 'autocannon';

const [url, connections, rate, seconds] = process.argv.slice(2).map((v, i) => (i === 0 ? v : Number(v)));
const WARMUP_TICKS = 2;
let ticks = 0;
let requests = 0;
let cpuAtWarmup;
let usAtWarmup;
const instance = autocannon({ url, connections, overallRate: rate, duration: seconds }, () => {
  const cpu = process.cpuUsage(cpuAtWarmup);
  const elapsedUs = Number(process.hrtime.bigint() / 1000n) - usAtWarmup;
  process.send({ type: 'done', requestsPerS: (requests / elapsedUs) * 1e6, requestsPerCpuS: requests / ((cpu.user + cpu.system) / 1e6) }, () => process.exit(0));
});
instance.on('tick', ({ counter }) => {
  ticks++;
  if (ticks === WARMUP_TICKS) {
    cpuAtWarmup = process.cpuUsage();
    usAtWarmup = Number(process.hrtime.bigint() / 1000n);
  } else if (ticks > WARMUP_TICKS) requests += counter;
});
