import { build, defineConfig } from 'tsup';
import { brokerTsupConfig } from '../../tsup.preset.ts';

/**
 * `broker view`'s page: one small browser bundle and its static files in `dist/view/`, shipped in
 * the package (no CDN). Built after the Node build, which cleans `dist/` first.
 */
const buildViewPage = async () => {
  await build({
    entry: { app: 'src/view/page/main.ts' },
    outDir: 'dist/view',
    format: ['iife'],
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    dts: false,
    clean: false,
    silent: true,
    config: false,
    tsconfig: 'src/view/page/tsconfig.json',
    publicDir: 'src/view/page/public',
    outExtension: () => ({ js: '.js' }),
  });
};

export default defineConfig({
  ...brokerTsupConfig({ index: 'src/index.ts', cli: 'src/cli/main.ts' }),
  onSuccess: buildViewPage,
});
