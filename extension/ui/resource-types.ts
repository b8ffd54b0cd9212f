// Request types in words a user recognises, with the browser's own name after them.
import type { ResourceType } from '../../shared/schemas/injection-rules';

const FRIENDLY: Record<ResourceType, string> = {
  main_frame: 'Page loads',
  sub_frame: 'Frames',
  xmlhttprequest: 'fetch/XHR',
  script: 'Scripts',
  stylesheet: 'Stylesheets',
  image: 'Images',
  font: 'Fonts',
  media: 'Audio and video',
  websocket: 'WebSockets',
  ping: 'Pings and beacons',
  other: 'Other',
};

/** "Page loads (main_frame)". */
export function resourceTypeLabel(type: ResourceType): string {
  return `${FRIENDLY[type]} (${type})`;
}

/** "Page loads, fetch/XHR": short, for a rule's summary line. */
export function resourceTypesText(types: readonly ResourceType[]): string {
  return types.map((type) => FRIENDLY[type]).join(', ');
}
