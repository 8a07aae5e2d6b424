// Runs the graphql-http server audit (the reference suite of the GraphQL
// over HTTP spec) against the URL given as the first argument and prints
// one JSON line per audit: {id, name, status, reason}. The Go test
// TestGraphQLOverHTTPAudit reads them; the exit status is 0 unless the
// audit itself could not run.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
for (const r of results) {
  const line = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') {
    line.reason = r.reason;
    try {
      line.response = { status: r.response.status, body: await r.response.text() };
    } catch {
      // The body was read by the audit already.
    }
  }
  console.log(JSON.stringify(line));
}
