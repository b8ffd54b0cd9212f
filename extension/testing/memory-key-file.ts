// The device key file in memory, for unit tests (WXT's fake browser has no origin private file system).
import type { KeyFile } from '../background/device-seal';

export type MemoryKeyFile = KeyFile & { bytes: Uint8Array | undefined };

export function createMemoryKeyFile(): MemoryKeyFile {
  const file: MemoryKeyFile = {
    bytes: undefined,
    read: async () => file.bytes,
    write: async (bytes) => {
      file.bytes = new Uint8Array(bytes);
    },
    destroy: async () => {
      file.bytes = undefined;
    },
  };
  return file;
}
