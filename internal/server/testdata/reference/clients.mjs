// The reference clients against a running orgql: graphql-ws (the
// graphql-transport-ws protocol, Apollo Client's default link) and
// graphql-sse (its distinct-connections mode). Each follows an
// organization's events from a cursor, takes ORGQL_COUNT of them, and then
// tries a bad credential. One JSON line per finding on stdout; run by
// internal/server's TestReferenceClients.
import { createClient as createWSClient } from 'graphql-ws';
import { createClient as createSSEClient } from 'graphql-sse';
import WebSocket from 'ws';

const { ORGQL_URL: base, ORGQL_AUTH: auth, ORGQL_ORG: org, ORGQL_AFTER: after } = process.env;
const count = Number(process.env.ORGQL_COUNT);
const query = `subscription($org: ID!, $after: Cursor) {
  organizationEvents(organizationID: $org, after: $after) { type targetType change cursor }
}`;
setTimeout(() => { console.error('timed out'); process.exit(2); }, 20000).unref();

const print = (v) => console.log(JSON.stringify(v));

// take subscribes and resolves with the first n events, or rejects with the error.
function take(client, n) {
  return new Promise((resolve, reject) => {
    const events = [];
    const dispose = client.subscribe({ query, variables: { org, after } }, {
      next: (r) => {
        if (r.errors) { reject(new Error(JSON.stringify(r.errors))); return; }
        events.push(r.data.organizationEvents);
        if (events.length === n) { dispose(); resolve(events); }
      },
      error: reject,
      complete: () => resolve(events),
    });
  });
}

const ws = (authorization) => createWSClient({
  url: base.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket,
  connectionParams: { Authorization: authorization }, retryAttempts: 0, lazy: true,
});
const sse = (authorization) => createSSEClient({
  url: base + '/graphql', headers: { Authorization: authorization }, retryAttempts: 0,
});

for (const [name, make] of [['graphql-ws', ws], ['graphql-sse', sse]]) {
  const client = make(auth);
  print({ client: name, events: await take(client, count) });
  client.dispose();
  const refused = make('Bearer oqs_not_a_token');
  try {
    await take(refused, 1);
    print({ client: name, refused: null });
  } catch (err) {
    // graphql-ws rejects with the CloseEvent, graphql-sse with a NetworkError holding the response.
    print({ client: name, refused: err?.code ?? err?.response?.status ?? String(err) });
  }
  refused.dispose();
}
