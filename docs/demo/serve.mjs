#!/usr/bin/env node
// `npm run demo`: builds the demo (docs/demo/build.mjs), then serves out/demo/ from a local port and
// prints the URL. A tiny static server (node:http): GET and HEAD of files under the directory, nothing else.
//   node docs/demo/serve.mjs [--port 8080] [--host 127.0.0.1] [--no-build]    (PORT also sets the port)
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemo, DEFAULT_OUT } from './build.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.idx': 'application/octet-stream',
  '.png': 'image/png',
};

/** Serves `dir` on host:port (port 0: any free port). Resolves to { server, url } once listening. */
export function serveDemo({ dir = DEFAULT_OUT, port = 8080, host = '127.0.0.1' } = {}) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, `.${path}`);
    let stat;
    try {
      if (file !== base && !file.startsWith(base + sep)) throw new Error('outside');
      stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': stat.size, 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const { port: bound } = server.address();
      ok({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/` });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
  const port = Number(value('--port') ?? process.env.PORT ?? 8080);
  const host = value('--host') ?? '127.0.0.1';
  try {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${value('--port') ?? process.env.PORT}`);
    if (!args.includes('--no-build')) await buildDemo();
    const { url } = await serveDemo({ dir: join(DEFAULT_OUT), port, host });
    console.log(`gradc demo: ${url}  (Ctrl-C stops it)`);
  } catch (e) {
    const msg = e.code === 'EADDRINUSE' ? `port ${port} is in use; pass another with --port N (or PORT=N)` : e.message;
    console.error(`gradc demo: ${msg}`);
    process.exit(1);
  }
}
