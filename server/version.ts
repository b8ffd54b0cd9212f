// What the server reports about itself. The build number stays below 25208 so FME clients keep to REST v3.
import type { Version } from '../shared/schemas/info';

const VERSION = '0.1.0';
const BUILD_NUMBER = 23776;

export const SERVER_VERSION: Version = {
  build: `tokenward ${VERSION} - Build ${BUILD_NUMBER} - ${process.platform}-${process.arch}`,
  buildNumber: BUILD_NUMBER,
  version: `tokenward ${VERSION}`,
};
