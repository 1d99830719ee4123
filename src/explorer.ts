import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

/**
 * The schema explorer (GraphiQL), served from the gateway's own files: a closed government
 * network cannot reach a CDN. Assets come from the installed graphiql and react packages.
 */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: 'node_modules/react/umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': {
    file: 'node_modules/react-dom/umd/react-dom.production.min.js',
    type: 'text/javascript',
  },
  'graphiql.js': { file: 'node_modules/graphiql/dist/index.umd.js', type: 'text/javascript' },
  'graphiql.css': { file: 'node_modules/graphiql/dist/style.css', type: 'text/css' },
};

export const EXPLORER_ASSET_PREFIX = '/explorer/';

const DEFAULT_QUERY = `# One citizen across five national databases.
# Run \`npm run --silent mocks:sample\` for identifiers that exist.
query CitizenProfile($id: ID!) {
  citizen(id: $id) {
    id
    fullName
    dateOfBirth
    sex
    permanentAddress { text legacy { text } }
    enterprises { role enterprise { code name status } }
    landRights { share parcel { id area } }
    insurance { socialInsuranceNumber contributions { fromMonth toMonth employer { name } } }
    civilService { code position agency { name } }
    source { database updatedAt }
  }
}
`;

/**
 * The explorer page. On the embedded default its example names a synthetic citizen and its
 * headers the public demo credentials; a deployment shows neither (no person's id, no key).
 * Headers typed into it are never stored in the browser.
 */
export function explorerPage(options: {
  sampleCitizenId: string | null;
  demoCredentials: boolean;
}): string {
  const variables = JSON.stringify({ id: options.sampleCitizenId ?? '' }, null, 2);
  const headers = options.demoCredentials
    ? { Authorization: 'Bearer demo-portal', 'X-Purpose': 'DEMO' }
    : { Authorization: 'Bearer <your API key>', 'X-Purpose': '<purpose code>' };
  const config = JSON.stringify({
    defaultQuery: DEFAULT_QUERY,
    variables,
    headers: JSON.stringify(headers, null, 2),
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>National data gateway: schema explorer</title>
<link rel="stylesheet" href="${EXPLORER_ASSET_PREFIX}graphiql.css">
<style>html, body, #explorer { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="explorer">Loading the explorer…</div>
<script src="${EXPLORER_ASSET_PREFIX}react.js"></script>
<script src="${EXPLORER_ASSET_PREFIX}react-dom.js"></script>
<script src="${EXPLORER_ASSET_PREFIX}graphiql.js"></script>
<script>
  (function () {
    var config = ${config};
    var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
    var root = ReactDOM.createRoot(document.getElementById('explorer'));
    root.render(React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      variables: config.variables,
      defaultHeaders: config.headers,
      shouldPersistHeaders: false,
      storage: { getItem: function () { return null; }, setItem: function () {}, removeItem: function () {}, clear: function () {}, length: 0 },
    }));
  })();
</script>
</body>
</html>
`;
}

const cache = new Map<string, Buffer>();

/** An explorer asset by name, read once and kept in memory. */
export function explorerAsset(name: string): { body: Buffer; type: string } | null {
  if (!Object.hasOwn(ASSETS, name)) return null;
  const asset = ASSETS[name];
  let body = cache.get(name);
  if (!body) {
    body = fs.readFileSync(path.join(ROOT, asset.file));
    cache.set(name, body);
  }
  return { body, type: asset.type };
}
