// Writes the live schema of the GraphQL endpoint given as the first
// argument to schema.json (the standard introspection query of graphql-js,
// with specifiedByURL), for codegen.ts.
import { writeFile } from 'node:fs/promises';
import { getIntrospectionQuery } from 'graphql';

const url = process.argv[2];
if (!url) {
  console.error('usage: node introspect.mjs URL');
  process.exit(2);
}
const res = await fetch(url, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query: getIntrospectionQuery({ specifiedByUrl: true, descriptions: true }) }),
});
const body = await res.json();
if (!res.ok || body.errors) {
  console.error(`introspection: HTTP ${res.status}`, JSON.stringify(body.errors));
  process.exit(1);
}
await writeFile('schema.json', JSON.stringify(body, null, 1));
