// Starts `pistil serve` on a free port with a fresh temporary data directory for the whole run,
// and stops it (and removes the directory) afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");

export default async function globalSetup() {
  const bin = process.env.PISTIL_BIN ?? path.join(root, "target", "debug", "pistil");
  const dataDir = mkdtempSync(path.join(tmpdir(), "pistil-e2e-"));
  const child = spawn(
    bin,
    ["serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--dist", path.join(root, "dist"), "--demo"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("pistil serve did not start within 120 s")), 120_000);
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/Pistil is running at (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`pistil serve exited early with ${code}`)));
  });
  child.removeAllListeners("exit");
  process.env.PISTIL_URL = url;
  process.env.PISTIL_DATA_DIR = dataDir;
  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
