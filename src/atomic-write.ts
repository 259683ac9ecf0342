import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Tells apart the temporary files of writes this process has in flight at once. */
let writes = 0;

/**
 * Writes `data` to `path` atomically: into a temporary file beside it, then renamed over it
 * (rename within one folder is atomic on POSIX), so a reader sees the old file or the new
 * one, never half of one — and a write that fails leaves the old file as it was, and no
 * temporary file behind. Creates the folder. Throws the file system's error.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.${process.pid}.${writes++}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
