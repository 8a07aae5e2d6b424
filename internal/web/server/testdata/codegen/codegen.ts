// GraphQL Code Generator's configuration for the dashboard client: the
// schema is the live server's, introspected by introspect.mjs into
// schema.json; the documents are the graphql(...) calls of src/.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.json',
  documents: ['src/**/*.ts', '!src/gql/**'],
  // Imports with .js, as Node's ES modules (and tsc's NodeNext) need.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      config: {
        // Sunlight's scalars are JSON strings (docs/scalars.md); a scalar
        // missing here fails the generation instead of becoming `unknown`.
        strictScalars: true,
        scalars: {
          Money: 'string',
          Period: 'string',
          Date: 'string',
          Time: 'string',
          Cursor: 'string',
          ID: 'string',
        },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
