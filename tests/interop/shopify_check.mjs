#!/usr/bin/env node
// The fake Shopify shop's webhooks judged by Shopify's own library, @shopify/shopify-api.
//
// Starts `fakeshops shopify` (its first line is its base URL), asks the fake's test-only route
// GET /__fake/webhooks/orders-create?secret=<s> for the `orders/create` webhook it would send
// (headers and raw body), and delivers it to a local node:http server whose handler calls
// the library's `shopify.webhooks.validate({rawBody, rawRequest, rawResponse})` (node adapter,
// apiSecretKey = the webhook secret). The untouched webhook must validate; a tampered body and a
// webhook signed with another secret must not. Then Shopify's GraphQL client for the Admin API,
// @shopify/admin-api-client (the one @shopify/shopify-api builds on, installed with it), reads
// the fake's catalogue and orders through a fetch that sends its https://<shop> URLs to the
// fake's loopback address: the answers must be what that client understands (data, pageInfo,
// extensions.cost), the order's id must be the webhook's admin_graphql_api_id, and a wrong
// token must give Shopify's 401.
//
// Prints `PASS: ...` / `FAIL: ...` per check and ends with `RESULT passed=N failed=M`; exits 1
// when anything failed.
//
// Usage: node shopify_check.mjs <fakeshops binary> <npm prefix holding @shopify/shopify-api>
// (npm install --prefix <prefix> @shopify/shopify-api@13.1.0, which brings @shopify/admin-api-client)

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';

const [fakeshopsBin = 'target/debug/fakeshops', npmPrefix = 'target/interop-npm'] = process.argv.slice(2);
// The fake's demo credentials (crates/fakeshops/src/shopify/mod.rs).
const SECRET = 'fake-shopify-app-secret';
const TOKEN = 'shpat_fake_demo_token';
const API_VERSION = '2025-01';

const require = createRequire(path.resolve(npmPrefix, 'package.json'));
require('@shopify/shopify-api/adapters/node');
const { shopifyApi, LogSeverity } = require('@shopify/shopify-api');
const { createAdminApiClient } = require('@shopify/admin-api-client');
const SHOP_DOMAIN = 'omnicanal-fake.myshopify.com';

let passed = 0;
let failed = 0;
function check(ok, what, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`PASS: ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL: ${what}${detail ? ` (${detail})` : ''}`);
  }
}

function startFake() {
  return new Promise((resolve, reject) => {
    const child = spawn(fakeshopsBin, ['shopify'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    readline.createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, base: line.trim() }));
  });
}

// A receiver that validates each delivery with the official library.
function startReceiver(shopify) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      try {
        const result = await shopify.webhooks.validate({ rawBody, rawRequest: req, rawResponse: res });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(result));
      } catch (error) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function deliver(receiver, headers, body) {
  const { port } = receiver.address();
  const response = await fetch(`http://127.0.0.1:${port}/webhooks`, {
    method: 'POST',
    headers: Object.fromEntries(headers),
    body,
  });
  return response.json();
}

async function main() {
  const shopify = shopifyApi({
    apiKey: 'omnicanal-interop',
    apiSecretKey: SECRET,
    hostName: 'localhost',
    apiVersion: API_VERSION,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error },
  });
  const { child, base } = await startFake();
  const receiver = await startReceiver(shopify);
  try {
    const preview = async (secret) => (await fetch(`${base}/__fake/webhooks/orders-create?secret=${encodeURIComponent(secret)}`)).json();

    const { headers, body } = await preview(SECRET);
    const order = JSON.parse(body);
    check(
      typeof order.id === 'number' && /^gid:\/\/shopify\/Order\/\d+$/.test(order.admin_graphql_api_id ?? '') && Array.isArray(order.line_items),
      'the webhook body is the REST order JSON (numeric id, admin_graphql_api_id, line_items)',
    );

    const valid = await deliver(receiver, headers, body);
    check(valid.valid === true, 'the official library validates the fake\'s orders/create webhook', JSON.stringify(valid));
    check(valid.topic === 'ORDERS_CREATE' && valid.apiVersion === API_VERSION && Boolean(valid.domain) && Boolean(valid.webhookId),
      'the library reads its topic, API version, shop domain and webhook id', JSON.stringify(valid));

    const tampered = body.replace(/"quantity":(\d+)/, (_, n) => `"quantity":${Number(n) + 1}`);
    const tamperedResult = await deliver(receiver, headers, tampered);
    check(tampered !== body && tamperedResult.valid === false && tamperedResult.reason === 'invalid_hmac',
      'a tampered body does not validate', JSON.stringify(tamperedResult));

    const other = await preview('another-secret');
    const foreign = await deliver(receiver, other.headers, other.body);
    check(foreign.valid === false && foreign.reason === 'invalid_hmac', 'a webhook signed with another secret does not validate', JSON.stringify(foreign));

    const adminClient = (accessToken) => createAdminApiClient({
      storeDomain: SHOP_DOMAIN,
      apiVersion: API_VERSION,
      accessToken,
      // The client builds https://<shop>/admin/api/...; the fake listens on plain loopback.
      customFetchApi: (url, init) => fetch(String(url).replace(`https://${SHOP_DOMAIN}`, base), init),
      logger: () => {},
    });
    const client = adminClient(TOKEN);
    const pageQuery = 'query Page($first: Int!, $after: String) { productVariants(first: $first, after: $after) '
      + '{ nodes { id sku price inventoryQuantity product { id title } inventoryItem { id } } pageInfo { hasNextPage endCursor } } }';
    const variants = await client.request(pageQuery, { variables: { first: 2 } });
    const page = variants.data?.productVariants;
    check(!variants.errors && page?.nodes?.length === 2 && page.pageInfo.hasNextPage === true && typeof page.pageInfo.endCursor === 'string',
      'the official GraphQL client reads a first page of productVariants with its pageInfo', JSON.stringify(variants));
    const next = await client.request(pageQuery, { variables: { first: 2, after: page?.pageInfo?.endCursor } });
    const seen = [...(page?.nodes ?? []), ...(next.data?.productVariants?.nodes ?? [])].map((node) => node.sku);
    check(next.data?.productVariants?.pageInfo?.hasNextPage === false && new Set(seen).size === 3,
      'its endCursor leads to the rest, without repeats', JSON.stringify(seen));
    const cost = variants.extensions?.cost;
    const throttle = cost?.throttleStatus;
    check(typeof cost?.requestedQueryCost === 'number' && typeof throttle?.restoreRate === 'number'
      && typeof throttle?.currentlyAvailable === 'number' && typeof throttle?.maximumAvailable === 'number',
      'the client hands back extensions.cost with its throttleStatus', JSON.stringify(variants.extensions));

    const orders = await client.request(
      'query Orders($query: String) { orders(first: 10, query: $query, sortKey: UPDATED_AT) '
        + '{ nodes { id name totalPriceSet { shopMoney { amount currencyCode } } } pageInfo { hasNextPage endCursor } } }',
      { variables: { query: "updated_at:>='2000-01-01T00:00:00Z'" } },
    );
    const ids = (orders.data?.orders?.nodes ?? []).map((node) => node.id);
    check(ids.includes(order.admin_graphql_api_id), 'the orders query names the order by the id its webhook carries',
      `${JSON.stringify(ids)} vs ${order.admin_graphql_api_id}`);

    const refused = await adminClient('shpat_wrong').request('query { shop { name } }');
    check(refused.errors?.networkStatusCode === 401, 'a wrong access token gets a 401 through the official client',
      JSON.stringify(refused.errors));
    const wrong = await fetch(`${base}/admin/api/${API_VERSION}/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_wrong' },
      body: JSON.stringify({ query: '{ shop { name } }' }),
    });
    const wrongBody = await wrong.json();
    check(wrongBody.errors === '[API] Invalid API key or access token (unrecognized login or wrong password)',
      'and its body is Shopify\'s', JSON.stringify(wrongBody));
  } catch (error) {
    check(false, 'the check ran to the end', error.stack ?? String(error));
  } finally {
    receiver.close();
    child.kill();
  }
  console.log(`RESULT passed=${passed} failed=${failed}`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
