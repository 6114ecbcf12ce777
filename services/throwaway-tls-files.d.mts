// Types for services/throwaway-tls-files.mjs.

export interface GeneratedTlsFiles {
  /** The temp folder holding the files. */
  dir: string;
  /** The self-signed certificate again, as a CA file. */
  ca: string;
  /** Self-signed certificate for CN=localhost, made for `key` (EC P-256, valid 2 days). */
  cert: string;
  key: string;
  /** A key that does not belong to `cert`. */
  otherKey: string;
  /** `key`, encrypted with `KEY_PASSWORD`. */
  encryptedKey: string;
  /** A file that is not PEM. */
  notPem: string;
  /** Deletes the folder. */
  remove(): void;
}

/** The password of `encryptedKey`. */
export declare const KEY_PASSWORD: string;

/**
 * A throwaway certificate and keys made with openssl in a new temp folder (named with `prefix`),
 * for settings tests in which nothing connects.
 */
export declare function generateTlsFiles(prefix?: string): GeneratedTlsFiles;
