import { createServer, type Server } from 'node:http';
import { registry } from './metrics';

/**
 * A worker's own `/metrics` (Prometheus text format) on `port`: jobs finished by queue and outcome, and the
 * process's metrics, labelled with the worker's role so one scrape config over the pool tells the workers apart.
 * Port 0 picks a free port; the server's address says which.
 */
export async function startMetricsServer(port: number, labels: Record<string, string>, host = '0.0.0.0'): Promise<Server> {
  registry.setDefaultLabels(labels);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (error: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  server.unref();
  return server;
}
