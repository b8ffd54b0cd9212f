// Global setup of the e2e project: build the Chrome extension once so every test loads the same build.
import { execFileSync } from 'node:child_process';

export default function buildExtension(): void {
  execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit' });
}
