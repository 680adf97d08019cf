// The tablet benchmarks: a Playwright script that prints figures (never a timed assertion).
// Run: cd end2end && npx playwright test -c bench.config.ts
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "./bench",
  testMatch: /.*\.bench\.ts/,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  timeout: 600_000,
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    viewport: { width: 1024, height: 768 },
  },
});
