// Starts GraphiQL on the endpoint named by #graphiql's data-endpoint, with
// the README's first query as the default. Everything it loads is served by
// Sunlight itself (package graphiql), so it works with no network.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = root.dataset.endpoint;
  // Subscriptions (reportPublished) go over graphql-ws, which GraphiQL's
  // build carries, to the same endpoint on this host.
  var ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + endpoint;
  var fetcher = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: ws });
  var defaultQuery = [
    '# Sunlight 阳光集体经济: the communities and their assets.',
    '# Ctrl-Enter runs the query; the Docs panel documents every type.',
    '{',
    '  communities(where: {code: "gezishi"}) {',
    '    edges { node { id name subDistrict district assets(first: 20) { totalCount',
    '      edges { node { name category valuations(last: 1) { edges { node { asOf value } } } } } } } }',
    '  }',
    '}',
    ''
  ].join('\n');
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery })
  );
})();
