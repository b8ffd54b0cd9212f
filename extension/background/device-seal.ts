// Values kept on this device are sealed (AES-GCM) under a key in a file of its own, which opting out deletes.
import type { Sealed } from '../core/storage-items';

/** Where the key lives. Not in extension storage or IndexedDB: their LevelDB files keep deleted records
 * until a compaction that may never come, while deleting a file of the origin's private file system
 * removes it from the profile at once: no copy of the key is left behind. */
export interface KeyFile {
  read(): Promise<Uint8Array | undefined>;
  write(bytes: Uint8Array): Promise<void>;
  destroy(): Promise<void>;
}

export function createOpfsKeyFile(name = 'tokenward-device-key'): KeyFile {
  const root = () => navigator.storage.getDirectory();
  return {
    async read() {
      try {
        const file = await (await root()).getFileHandle(name);
        const bytes = new Uint8Array(await (await file.getFile()).arrayBuffer());
        return bytes.length === 32 ? bytes : undefined;
      } catch {
        return undefined;
      }
    },
    async write(bytes) {
      const writable = await (await (await root()).getFileHandle(name, { create: true })).createWritable();
      await writable.write(new Uint8Array(bytes));
      await writable.close();
    },
    async destroy() {
      try {
        await (await root()).removeEntry(name);
      } catch (error) {
        if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
      }
    },
  };
}

export function createDeviceSeal(file: KeyFile) {
  let cached: CryptoKey | undefined;

  async function key(create: boolean): Promise<CryptoKey | undefined> {
    if (cached) return cached;
    let raw = await file.read();
    if (!raw && create) {
      raw = crypto.getRandomValues(new Uint8Array(32));
      await file.write(raw);
    }
    if (!raw) return undefined;
    cached = await crypto.subtle.importKey('raw', new Uint8Array(raw), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    return cached;
  }

  return {
    async seal(text: string): Promise<Sealed> {
      const sealKey = await key(true);
      if (!sealKey) throw new Error('no device key');
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv },
        sealKey,
        new TextEncoder().encode(text),
      );
      return { iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
    },
    /** undefined when the key is gone (opted out, or the browser's site data was cleared) or does not fit. */
    async open(sealed: Sealed): Promise<string | undefined> {
      const openKey = await key(false);
      if (!openKey) return undefined;
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64(sealed.iv) },
          openKey,
          fromBase64(sealed.data),
        );
        return new TextDecoder().decode(plain);
      } catch {
        return undefined;
      }
    },
    async destroy(): Promise<void> {
      cached = undefined;
      await file.destroy();
    },
  };
}

export type DeviceSeal = ReturnType<typeof createDeviceSeal>;

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
