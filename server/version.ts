// What the server reports about itself, in FME's shape. The build number decides which API FME clients use.
import type { Version } from '../shared/schemas/info';

export const VERSION = '0.1.0';

/**
 * Below every v4 threshold of Safe's CLI (the lowest is 22337, repositories and workspaces), so every
 * command of FME's clients stays on REST v3. FME_BUILD_NUMBER raises it for clients that should use v4.
 */
export const DEFAULT_BUILD_NUMBER = 21807;

export const PRODUCT = `tokenward ${VERSION}`;

/** FME's version answer for a build: FME build numbers start with the release year's last two digits. */
export function serverVersion(buildNumber: number = DEFAULT_BUILD_NUMBER): Version {
  const build = `${PRODUCT} - Build ${buildNumber} - ${process.platform}-${process.arch}`;
  return {
    buildNumber,
    buildString: build,
    releaseYear: 2000 + Math.floor(buildNumber / 1000),
    majorVersion: 0,
    minorVersion: 0,
    hotfixVersion: 0,
    build,
    version: PRODUCT,
  };
}
