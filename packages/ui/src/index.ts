/**
 * `@updraft/ui`: Updraft's web UI, a React single-page app. The API server serves its built files; this entry
 * point only says where they are (`npm run build -w @updraft/ui` writes them).
 */
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built app's folder (`packages/ui/dist/web`): `index.html` and its assets, for the API
 * server's `uiFolder`. The same from the TypeScript source and from the compiled `dist/index.js`, both one folder
 * below the package root. The folder exists only after the package's `build` script ran.
 */
export function uiDistPath(): string {
  return fileURLToPath(new URL('../dist/web', import.meta.url));
}
