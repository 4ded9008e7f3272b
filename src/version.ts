// kt's version, set at build time from package.json (scripts/build.mjs). A
// leaf module: anything may import it without loading the CLI.
declare const __KT_VERSION__: string;

export const VERSION: string = typeof __KT_VERSION__ === 'string' ? __KT_VERSION__ : '0.0.0-dev';
