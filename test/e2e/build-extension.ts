// Global setup of the e2e project: build the Chrome and Firefox extensions once so every test loads the same builds.
import { execFileSync } from 'node:child_process';

export default function buildExtension(): void {
  execFileSync('npx', ['wxt', 'build'], { stdio: 'inherit' });
  execFileSync('npx', ['wxt', 'build', '-b', 'firefox'], { stdio: 'inherit' });
}
