// autocannon as the polling baseline (bench/efficiency.mjs): GETs `url` over `connections`
// keep-alive connections at `rate` requests/s in all (autocannon's overallRate), for `seconds`
// or until killed. It runs beside rtbench's pollers, measured over the same window by marks.
// Usage (child process with IPC): node autocannon-child.mjs <url> <connections> <rate> <seconds>
// IPC out: {type:'connected'} once started; in: {type:'mark'} → out: {type:'count', count, atUs, cpuUs}
// (count: responses so far; cpuUs: this process's CPU, user + system).
import autocannon from 'autocannon';

const [url, connections, rate, seconds] = process.argv.slice(2).map((v, i) => (i === 0 ? v : Number(v)));
let responses = 0;
const instance = autocannon({ url, connections, overallRate: rate, duration: seconds }, () => process.exit(0));
instance.on('response', () => responses++);
process.send({ type: 'connected' });
process.on('message', (message) => {
  if (message.type !== 'mark') return;
  const cpu = process.cpuUsage();
  process.send({ type: 'count', count: responses, atUs: Number(process.hrtime.bigint() / 1000n), cpuUs: cpu.user + cpu.system });
});
process.on('disconnect', () => process.exit(0));
