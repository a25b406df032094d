import type { ModelArtifacts } from '../model/classifier.ts';

/**
 * SHA-256 of the model's weight files in manifest order (hex, first 16 digits): gate.json records it, and a gate
 * fitted on other weights is not used, since its feature statistics would mean nothing for this model.
 */
export async function modelFingerprint({ modelJson, weights }: ModelArtifacts): Promise<string> {
  const parts = modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => new Uint8Array(weights[p]));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (all.set(p, offset), offset + p.length), 0);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}
