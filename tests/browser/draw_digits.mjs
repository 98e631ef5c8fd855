// Browser test of `kerascpp serve`: starts the server on a free loopback port, opens its page in
// headless Chromium (Debian's, driven by playwright-core), draws a 1, a 7 and a 0 as polylines
// with the mouse (and a 1 with touch) and checks the digit the page shows. Screenshots go to
// --out (serve.png is the page after the 7).
//
//   node draw_digits.mjs --kerascpp build/apps/kerascpp/kerascpp --model model.keras --out DIR
//                        [--chromium /usr/bin/chromium] [--serve-command "cmd args"]
//
// Exit codes: 0 pass, 1 fail, 77 skipped (no model file).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const out = args.out ?? ".";
const chromiumPath = args.chromium ?? "/usr/bin/chromium";
mkdirSync(out, { recursive: true });

// The same strokes as tests/support/digit_drawing.hpp, in a unit square (x right, y down).
function ellipse() {
  const points = [];
  for (let i = 0; i <= 32; ++i) {
    const t = (2 * Math.PI * i) / 32;
    points.push([0.5 + 0.2 * Math.sin(t), 0.5 - 0.32 * Math.cos(t)]);
  }
  return points;
}
const DIGITS = [
  { digit: 1, strokes: [[[0.55, 0.15], [0.47, 0.85]]] },
  { digit: 7, strokes: [[[0.28, 0.2], [0.72, 0.2], [0.45, 0.85]]], screenshot: "serve.png" },
  { digit: 0, strokes: [ellipse()] },
];

function startServer() {
  let command = [args.kerascpp, "serve", args.model, "--port", "0", "--threads", "2"];
  if (args["serve-command"]) command = args["serve-command"].split(" ");
  const server = spawn(command[0], command.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  const url = new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error("the server printed no URL within 60 s")), 60000);
    server.stdout.on("data", chunk => {
      text += chunk;
      const match = text.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) { clearTimeout(timer); resolve(match[0]); }
    });
    server.on("exit", code => { clearTimeout(timer); reject(new Error(`the server exited (${code})`)); });
  });
  return { server, url };
}

// Moves along each stroke with the mouse button (or a finger) down, like a person drawing.
async function draw(page, cdp, strokes, touch) {
  const box = await page.locator("#canvas").boundingBox();
  const at = ([x, y]) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
  for (const stroke of strokes) {
    const points = stroke.map(at);
    if (touch) {
      const send = (type, p) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: p ? [{ x: p.x, y: p.y }] : [] });
      await send("touchStart", points[0]);
      for (let i = 1; i < points.length; ++i)
        for (let s = 1; s <= 6; ++s) {
          const a = points[i - 1], b = points[i];
          await send("touchMove", { x: a.x + ((b.x - a.x) * s) / 6, y: a.y + ((b.y - a.y) * s) / 6 });
        }
      await send("touchEnd", null);
    } else {
      await page.mouse.move(points[0].x, points[0].y);
      await page.mouse.down();
      for (const p of points.slice(1)) await page.mouse.move(p.x, p.y, { steps: 6 });
      await page.mouse.up();
    }
  }
  // "ready": the shown prediction belongs to the finished drawing.
  await page.waitForFunction(() => document.getElementById("app").dataset.state === "ready", null, { timeout: 15000 });
  return (await page.locator("#digit").textContent()).trim();
}

async function main() {
  if (!args["serve-command"] && !existsSync(args.model ?? "")) {
    console.log(`SKIPPED: no model file '${args.model}' (the app_model test trains it; it needs MNIST)`);
    return 77;
  }
  const { server, url: urlPromise } = startServer();
  const profile = mkdtempSync(path.join(tmpdir(), "kerascpp-chromium-"));
  let context;
  let failures = 0;
  try {
    const url = await urlPromise;
    // playwright adds --headless (headless: true) and --user-data-dir (the fresh profile).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      hasTouch: true,
      viewport: { width: 760, height: 470 },
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const foreign = [];
    const problems = [];
    page.on("request", r => { if (!r.url().startsWith(url) && !r.url().startsWith("data:")) foreign.push(r.url()); });
    page.on("console", m => { if (m.type() === "error") problems.push(m.text()); });
    page.on("pageerror", e => problems.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("model").textContent.includes("parameters"));
    const cdp = await context.newCDPSession(page);

    // Then a 1 with a finger, and a small 7 in the top-left corner (the preprocessing
    // scales and centres it, as MNIST's digits were).
    const small = DIGITS[1].strokes.map(s => s.map(([x, y]) => [0.05 + 0.4 * x, 0.05 + 0.4 * y]));
    const runs = [...DIGITS.map(d => ({ ...d, touch: false })), { ...DIGITS[0], touch: true },
                  { digit: 7, strokes: small, touch: false, screenshot: "digit-7-small.png" }];
    for (const run of runs) {
      await page.click("#clear");
      const shown = await draw(page, cdp, run.strokes, run.touch);
      const probs = await page.locator("#bars .pct").allTextContents();
      const ok = shown === String(run.digit);
      failures += ok ? 0 : 1;
      console.log(`${ok ? "ok  " : "FAIL"} drew a ${run.digit} with ${run.touch ? "touch" : "the mouse"}: ` +
                  `the page shows ${shown} (${probs.join(" ")})`);
      const name = run.screenshot ?? `digit-${run.digit}${run.touch ? "-touch" : ""}.png`;
      await page.screenshot({ path: path.join(out, name) });
    }
    await page.click("#clear");
    if ((await page.locator("#digit").textContent()).trim() !== "–") { failures++; console.log("FAIL clear did not reset the answer"); }
    if (foreign.length) { failures++; console.log("FAIL the page requested other origins: " + foreign.join(", ")); }
    if (problems.length) { failures++; console.log("FAIL errors in the page: " + problems.join("; ")); }
    console.log(`screenshots in ${out}`);
  } finally {
    if (context) await context.close();
    server.kill("SIGTERM");
    rmSync(profile, { recursive: true, force: true });
  }
  return failures ? 1 : 0;
}

main().then(code => process.exit(code), err => { console.error("FAIL", err); process.exit(1); });
