import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ConfigError } from '@broker/core';

/** One file of the page, ready to send: as is and gzipped, with its ETag. */
export interface PageAsset {
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** URL path → file in the assets folder (the build writes them to `dist/view/`). */
const FILES: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', contentType: 'text/css; charset=utf-8' },
};

/** Where the built page is: `view/` next to the bundle that runs (`dist/cli.js`, `dist/index.js`). */
export function defaultAssetsDir(): string {
  return fileURLToPath(new URL('./view/', import.meta.url));
}

/** Reads the page's files once; they ship in the package, so nothing is fetched from elsewhere. */
export function loadPageAssets(dir: string = defaultAssetsDir()): Map<string, PageAsset> {
  const assets = new Map<string, PageAsset>();
  for (const [path, { file, contentType }] of Object.entries(FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, file));
    } catch (error) {
      throw new ConfigError(
        `The viewer's page file ${join(dir, file)} cannot be read (${(error as Error).message}): the @broker/consumers installation is incomplete. Reinstall it (from the repository: build it first).`,
        { key: 'assets', cause: error },
      );
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(path, { contentType, body, gzipped: gzipSync(body, { level: 9 }), etag });
  }
  return assets;
}
