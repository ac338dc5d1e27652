// A second process that polls the diagnostics API at a fixed rate, as a technician UI would.
// argv: URL TOKEN HZ

const [url, token, hz] = process.argv.slice(2);
const periodMs = 1000 / Number(hz ?? 10);
let requests = 0;
let failures = 0;

const timer = setInterval(() => {
  fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${token}` } })
    .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(String(r.status)))))
    .then(() => requests++, () => failures++);
}, periodMs);

process.on('message', () => {
  clearInterval(timer);
  process.send?.({ requests, failures }, () => process.exit(0));
});
