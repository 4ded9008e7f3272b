// The layering kt keeps (README § Development): cli → api, output, config,
// emulator, policy → domain. test/unit/layers.test.ts runs this rule set over src/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-upward-import',
      comment: 'Only the CLI may import the CLI: the layers below it are used by it, never the reverse.',
      severity: 'error',
      from: { path: '^src/(api|output|config|emulator|policy|domain)/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'middle-layers-stay-apart',
      comment: 'api, output, config, emulator and policy build on domain, errors and version only, not on one another.',
      severity: 'error',
      from: { path: '^src/(api|output|config|emulator|policy)/' },
      to: { path: '^src/(api|output|config|emulator|policy)/', pathNot: '^src/$1/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'Domain code does no I/O and knows nothing of the layers above: it imports only domain code and the error types.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/(domain/|errors\\.ts$)' },
    },
    {
      name: 'no-value-cycles',
      comment: 'No cycle among value imports, static or dynamic (type-only imports are erased and may close a loop).',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
