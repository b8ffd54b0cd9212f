// Import rules for extension/, server/ and shared/, checked by `npm run lint` (dependency-cruiser).
//
// extension → shared ← server: shared/ is the contract both sides build on and imports neither. Inside the
// extension, each layer imports only the layers below it:
//
//   entrypoints/   WXT's entrypoints and the wiring of each page (which features, which deps)
//   features/      tokens, rules: state, actions and the components bound to them; never each other
//   background/    the service worker's modules (a peer of features/: neither imports the other)
//   ui/            components that take props and nothing else
//   core/          messages, storage items, the injection model (patterns, rules, DNR builder, URL explanation)
//
// testing/ holds fakes for tests only.

/** A path under extension/ as a regular expression. */
const ext = (folder) => `^extension/${folder}/`;
const TESTS = '\\.test\\.tsx?$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-imports-neither-side',
      severity: 'error',
      comment: 'shared/ is the contract of the server and the extension; it cannot lean on either.',
      from: { path: '^shared/' },
      to: { path: '^(extension|server)/' },
    },
    {
      name: 'server-not-extension',
      severity: 'error',
      comment: 'The server and the extension meet only in shared/.',
      from: { path: '^server/' },
      to: { path: '^extension/' },
    },
    {
      name: 'extension-not-server',
      severity: 'error',
      comment: 'The server and the extension meet only in shared/.',
      from: { path: '^extension/' },
      to: { path: '^server/' },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment:
        'core/ is pure model and plumbing: it knows no page, component, feature or service worker module.',
      from: { path: ext('core') },
      to: { path: `${ext('(ui|features|entrypoints|background)')}` },
    },
    {
      name: 'ui-takes-props',
      severity: 'error',
      comment: 'ui/ components are drawn from their props: they import core/ and each other, nothing above.',
      from: { path: ext('ui') },
      to: { path: `${ext('(features|entrypoints|background)')}` },
    },
    {
      name: 'features-below-entrypoints',
      severity: 'error',
      comment: 'A feature is wired into a page by the entrypoint; it never reaches up into one.',
      from: { path: ext('features') },
      to: { path: ext('entrypoints') },
    },
    {
      name: 'features-not-background',
      severity: 'error',
      comment:
        'A page talks to the service worker by message only. A test may run the real handlers behind its page.',
      from: { path: ext('features'), pathNot: TESTS },
      to: { path: ext('background') },
    },
    {
      name: 'features-independent',
      severity: 'error',
      comment:
        'Features never import each other: what two share goes down to ui/ or core/, and the page wires them ' +
        'together. A test may assemble two features the way the page does.',
      from: { path: `${ext('features')}([^/]+)/`, pathNot: TESTS },
      to: { path: `${ext('features')}(?!$1/)[^/]+/` },
    },
    {
      name: 'background-not-pages',
      severity: 'error',
      comment: 'The service worker uses core/ and nothing of the pages.',
      from: { path: ext('background') },
      to: { path: `${ext('(features|ui|entrypoints)')}` },
    },
    {
      name: 'testing-only-in-tests',
      severity: 'error',
      comment: 'The fakes in extension/testing/ serve tests; shipped code never imports them.',
      from: { path: '^(extension|server|shared)/', pathNot: [TESTS, ext('testing')] },
      to: { path: ext('testing') },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.output|\\.wxt)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
