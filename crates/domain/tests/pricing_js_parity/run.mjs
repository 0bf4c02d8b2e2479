// Runs the JS pricing engine over the parity test's carts (crates/domain/tests/pricing_js_parity.rs):
// one JSON cart per input line, one JSON result per output line, in the same order. Amounts past
// Number's exact range come back as BigInt and are written as plain JSON integers, so the Rust
// side compares exact digits.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, inputPath, outputPath] = process.argv.slice(2);
const { priceCart } = await import(pathToFileURL(modulePath).href);

const results = [];
for (const line of readFileSync(inputPath, "utf8").split("\n")) {
  if (line === "") continue;
  let result;
  try {
    result = priceCart(JSON.parse(line));
  } catch (error) {
    // A throw is a difference like any other: the comparison shows it next to the Rust answer.
    result = { ok: false, error: { code: "thrown", message: String(error && error.stack ? error.stack : error) } };
  }
  const text = JSON.stringify(result, (_, value) => (typeof value === "bigint" ? `__bigint:${value}` : value));
  results.push(text.replace(/"__bigint:(-?\d+)"/g, "$1"));
}
writeFileSync(outputPath, results.join("\n") + "\n");
