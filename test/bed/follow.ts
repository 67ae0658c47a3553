/**
 * Follows a file another process appends to (mocha's report, written in the
 * extension host) and hands each new piece of text on as it arrives.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface Follower {
  /** Reads what is left, then stops following. */
  stop(): void;
}

export function follow(file: string, onText: (text: string) => void, intervalMs = 200): Follower {
  let offset = 0;
  const buffer = Buffer.alloc(64 * 1024);
  // A character may be split between two reads (✔ is three bytes).
  const decoder = new StringDecoder('utf8');
  const readNew = () => {
    if (!existsSync(file)) return;
    const fd = openSync(file, 'r');
    try {
      for (let bytes = readSync(fd, buffer, 0, buffer.length, offset); bytes > 0; bytes = readSync(fd, buffer, 0, buffer.length, offset)) {
        offset += bytes;
        onText(decoder.write(buffer.subarray(0, bytes)));
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(readNew, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      readNew();
    },
  };
}
