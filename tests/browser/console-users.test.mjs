// Users with roles (issue 15 point 1): the admin invites a staff member from /console/users and
// copies the link shown once; the invitee opens it in a browser of their own, chooses a first
// password and lands signed in on their location; the admin deactivates them (after a
// confirmation page) and the invitee's page stops working at once — the next load asks to sign
// in. An e-mail already taken is refused at its field. At 360 px and at 1280 px, nothing past the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ADMIN, launch, withPage, consoleSignIn, staffLocation, overflow, PHONE } from "./lib.mjs";

let browser;
let locationId;
before(async () => {
  browser = await launch();
  locationId = await staffLocation("napoli");
});
after(async () => {
  await browser?.close();
});

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: invite a staff member, they set a password and are signed in; deactivated, their page stops working`, async () => {
    const email = `invitada-${width}-${Date.now()}@demo.test`;
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-users-${width}`, viewport, async (page) => {
      await consoleSignIn(page, ADMIN);
      await page.goto(`${BASE}/console/users`);
      assert.match(await page.locator("h1").first().innerText(), /Usuarios/);
      let wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the users page fits ${width} px: ${JSON.stringify(wide)}`);

      // A bad e-mail is refused at the field.
      await page.locator("[data-testid=invite-email]").fill("no-es-correo");
      await page.locator("[data-testid=invite-role]").selectOption("staff");
      await page.locator("[data-testid=invite-location]").selectOption(locationId);
      await page.locator("[data-testid=invite-submit]").click();
      await page.locator("[data-testid=error-email]").waitFor();
      assert.equal(await page.locator("#invite-email").getAttribute("aria-invalid"), "true");

      await page.locator("[data-testid=invite-email]").fill(email);
      await page.locator("[data-testid=invite-location]").selectOption(locationId);
      await page.locator("[data-testid=invite-submit]").click();
      const link = await page.locator("[data-testid=invite-link]").inputValue();
      const path = new URL(link).pathname;
      assert.match(path, /^\/console\/invite\/[A-Za-z0-9_-]{20,}$/);
      wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the link fits ${width} px: ${JSON.stringify(wide)}`);

      // The same e-mail again: refused at the e-mail field, nothing made.
      await page.locator("[data-testid=invite-email]").fill(email);
      await page.locator("[data-testid=invite-location]").selectOption(locationId);
      await page.locator("[data-testid=invite-submit]").click();
      assert.match(await page.locator("[data-testid=error-email]").innerText(), /Ya existe/);
      assert.equal(await page.locator("[data-testid=invite-link]").count(), 0);

      // The invitee, in a browser of their own.
      const theirs = await browser.newContext({ ...PHONE, ...viewport });
      try {
        const invitee = await theirs.newPage();
        const opened = await invitee.goto(`${BASE}${path}`);
        assert.equal(opened.status(), 200);
        assert.match(await invitee.locator("h1").innerText(), /contraseña/);
        wide = await overflow(invitee, width);
        assert.ok(wide.scrollWidth <= width, `the first-password page fits ${width} px: ${JSON.stringify(wide)}`);
        await invitee.locator("[data-testid=first-password]").fill("mi-primera-clave");
        await invitee.locator("[data-testid=first-password-repeat]").fill("mi-primera-clave");
        await Promise.all([
          invitee.waitForURL((url) => url.pathname === `/console/locations/${locationId}`),
          invitee.locator("[data-testid=first-password-submit]").click(),
        ]);
        await invitee.locator("[data-testid=logout]").waitFor();

        // The link worked once.
        const again = await invitee.goto(`${BASE}${path}`);
        assert.equal(again.status(), 409);

        // The admin finds them and deactivates them, confirming first.
        await page.goto(`${BASE}/console/users?q=${encodeURIComponent(email)}`);
        const row = page.locator(`[data-testid=user-row][data-email="${email}"]`);
        assert.equal(await row.getAttribute("data-status"), "active");
        await row.locator("[data-testid=deactivate]").click();
        await page.locator("[data-testid=confirm-text]").waitFor();
        assert.ok((await page.locator("[data-testid=confirm-text]").innerText()).includes(email));
        await page.locator("[data-testid=confirm-deactivate]").click();
        await page.waitForURL((url) => url.pathname === "/console/users");
        await page.goto(`${BASE}/console/users?q=${encodeURIComponent(email)}`);
        assert.equal(await row.getAttribute("data-status"), "deactivated");

        // Their page stops working: the next load asks them to sign in.
        await invitee.goto(`${BASE}/console/locations/${locationId}`);
        assert.equal(new URL(invitee.url()).pathname, "/console/login");
      } finally {
        await theirs.close();
      }
    });
  });
}
