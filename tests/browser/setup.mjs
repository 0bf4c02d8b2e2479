// Makes the demo deterministic before the tests: every Santiago restaurant always open, switched
// on and not paused (the demo keeps opening hours in America/Santiago, and CI runs at any hour).
// Prints the site id on stdout; PASS:/FAIL: lines on stderr; exits 1 on failure.
// Usage: node setup.mjs <base-url>
const base = (process.argv[2] || "").replace(/\/$/, "");
const SITE_NAME = "Costanera Food Hall";

async function call(method, path, { body, token } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

try {
  const { token } = await call("POST", "/auth/login", {
    body: { email: "admin@demo.omnicanal.dev", password: "omnicanal-demo" },
  });
  const sites = await call("GET", "/sites", { token });
  const list = Array.isArray(sites) ? sites : sites.items || [];
  const site = list.find((s) => s.name === SITE_NAME);
  if (!site) throw new Error(`no site named ${SITE_NAME} in GET /sites: ${list.map((s) => s.name).join(", ")}`);
  const { locations } = await call("GET", `/sites/${site.id}/menu?include_closed=true`);
  if (!locations || locations.length < 3) throw new Error(`the menu lists ${locations && locations.length} locations`);
  for (const location of locations) {
    await call("PATCH", `/locations/${location.id}`, {
      token,
      body: { always_open: true, is_open: true, pause_minutes: 0 },
    });
  }
  const after = await call("GET", `/sites/${site.id}/menu?include_closed=true`);
  const closed = after.locations.filter((l) => (l.status && l.status.state) !== "open");
  if (closed.length) {
    throw new Error(`still not open after PATCH: ${closed.map((l) => `${l.name} (${JSON.stringify(l.status)})`).join(", ")}`);
  }
  console.error(`# ${after.locations.length} restaurants of ${site.name} always open`);
  console.log(site.id);
} catch (error) {
  console.error(`# ${error.message}`);
  process.exit(1);
}
