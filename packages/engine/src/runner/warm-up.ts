/**
 * Imported through tsx's `tsImport` while a runner boots, so the loader hooks and esbuild are initialized before
 * a try arrives (the first `tsImport` of a process costs over 100 ms; later ones a few tens).
 */
export const warm = true;
