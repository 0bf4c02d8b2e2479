#!/usr/bin/env node
// The fake Shopify shop's webhooks judged by Shopify's own library, @shopify/shopify-api.
//
// Starts `fakeshops shopify` (its first line is its base URL), asks the fake's test-only route
// GET /__fake/webhooks/orders-create?secret=<s> for the `orders/create` webhook it would send
// (headers and raw body), and delivers it to a local node:http server whose handler calls
// the library's `shopify.webhooks.validate({rawBody, rawRequest, rawResponse})` (node adapter,
// apiSecretKey = the webhook secret). The untouched webhook must validate; a tampered body and a
// webhook signed with another secret must not. Also checks the fake's Admin API endpoint answers
// the documented 401 body to a wrong token and `extensions.cost` to a right one.
//
// Prints `PASS: ...` / `FAIL: ...` per check and ends with `RESULT passed=N failed=M`; exits 1
// when anything failed.
//
// Usage: node shopify_check.mjs <fakeshops binary> <npm prefix holding @shopify/shopify-api>

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
    const refused = await deliver(receiver, headers, tampered);
    check(tampered !== body && refused.valid === false && refused.reason === 'invalid_hmac',
      'a tampered body does not validate', JSON.stringify(refused));

    const other = await preview('another-secret');
    const foreign = await deliver(receiver, other.headers, other.body);
    check(foreign.valid === false && foreign.reason === 'invalid_hmac', 'a webhook signed with another secret does not validate', JSON.stringify(foreign));

    const graphql = `${base}/admin/api/${API_VERSION}/graphql.json`;
    const query = JSON.stringify({ query: '{ shop { name } }' });
    const wrong = await fetch(graphql, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_wrong' }, body: query });
    const wrongBody = await wrong.json();
    check(wrong.status === 401 && wrongBody.errors === '[API] Invalid API key or access token (unrecognized login or wrong password)',
      'a wrong access token gets Shopify\'s 401 answer', `${wrong.status} ${JSON.stringify(wrongBody)}`);
    const right = await fetch(graphql, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': TOKEN }, body: query });
    const rightBody = await right.json();
    const throttle = rightBody.extensions?.cost?.throttleStatus;
    check(right.status === 200 && rightBody.data?.shop?.name && throttle && typeof throttle.restoreRate === 'number',
      'a right token gets data and extensions.cost.throttleStatus', JSON.stringify(rightBody));
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
