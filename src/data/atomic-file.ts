/**
 * Crash-safe file writing: write a temporary file beside the target, fsync it, rename it over
 * the target (atomic on POSIX file systems), then fsync the directory so the rename is durable.
 * Readers see the old file or the new one, never a half-written one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export type FileContent = string | Uint8Array | Iterable<Uint8Array>;

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** fsync a directory so a rename in it survives a power cut (best effort where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms/file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `content` to `path` atomically. `content` may be an iterable of chunks (large files
 * are streamed); if producing or writing any chunk throws, the target is left untouched and
 * the temporary file is removed.
 */
export function writeFileAtomic(path: string, content: FileContent): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    if (typeof content === 'string') writeAll(fd, Buffer.from(content, 'utf8'));
    else if (content instanceof Uint8Array) writeAll(fd, content);
    else for (const chunk of content) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw e;
  }
  fsyncDir(dir);
}
