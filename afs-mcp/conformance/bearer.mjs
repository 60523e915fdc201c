// Preloaded into the MCP conformance suite (node --import): every request it makes carries
// Authorization: Bearer $AFS_MCP_TOKEN, since afs mcp over HTTP admits nothing without a token
// and the suite has no option for headers. Covers fetch and undici's request alike (both go
// through the global dispatcher).
import { createRequire } from 'node:module';

const token = process.env.AFS_MCP_TOKEN;
if (!token) {
  throw new Error('bearer.mjs: set AFS_MCP_TOKEN to the token afs mcp should admit');
}
const require = createRequire(process.env.AFS_MCP_CONFORMANCE_DIR + '/node_modules/@modelcontextprotocol/conformance/package.json');
const undici = require('undici');
const withBearer = (dispatch) => (options, handler) => {
  const headers = options.headers ?? {};
  const list = Array.isArray(headers) ? headers : Object.entries(headers).flat();
  const has = list.some((v, i) => i % 2 === 0 && String(v).toLowerCase() === 'authorization');
  const extra = has ? [] : ['authorization', `Bearer ${token}`];
  return dispatch({ ...options, headers: [...list, ...extra] }, handler);
};
undici.setGlobalDispatcher(new undici.Agent().compose(withBearer));
